package io.messenger.support.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import java.util.Locale;
import java.util.Set;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;

/**
 * Keeps {@code /actuator/prometheus} clean for {@code promtool check metrics} (the exposition check
 * of {@code scripts/checks/10-metrics.sh}), for the meters of libraries as well as our own:
 *
 * <ul>
 *   <li>every meter has a description (the Prometheus {@code # HELP}); one without gets its name;
 *   <li>camelCase in a name (Spring Security's filter-chain meters) becomes snake_case;
 *   <li>a gauge named {@code *.count} (e.g. {@code system.cpu.count}) becomes {@code *.number}:
 *       {@code _count} is reserved for histogram and summary series;
 *   <li>meters in abbreviated units ({@code ms}, {@code ns}: {@code jvm.compilation.time}, {@code
 *       process.cpu.time}) are dropped: their names would carry the unit abbreviation, and renaming
 *       them without converting the values would lie.
 * </ul>
 */
@AutoConfiguration
@ConditionalOnClass(MeterFilter.class)
public class PrometheusNamingSupport {

  private static final Set<String> ABBREVIATED_UNITS = Set.of("ms", "ns", "us", "µs");

  @Bean
  MeterFilter prometheusNamingFilter() {
    return new PrometheusNamingFilter();
  }

  /** The filter; public for tests. */
  public static final class PrometheusNamingFilter implements MeterFilter {

    @Override
    public MeterFilterReply accept(Meter.Id id) {
      String unit = id.getBaseUnit();
      return unit != null && ABBREVIATED_UNITS.contains(unit.toLowerCase(Locale.ROOT))
          ? MeterFilterReply.DENY
          : MeterFilterReply.NEUTRAL;
    }

    @Override
    public Meter.Id map(Meter.Id id) {
      String name = snakeCase(id.getName());
      if (id.getType() == Meter.Type.GAUGE && name.endsWith(".count")) {
        name = name.substring(0, name.length() - ".count".length()) + ".number";
      }
      String description = id.getDescription() == null ? name : id.getDescription();
      if (name.equals(id.getName()) && description.equals(id.getDescription())) {
        return id;
      }
      return new Meter.Id(
          name, Tags.of(id.getTagsAsIterable()), id.getBaseUnit(), description, id.getType());
    }

    static String snakeCase(String name) {
      StringBuilder out = new StringBuilder(name.length() + 8);
      for (int i = 0; i < name.length(); i++) {
        char c = name.charAt(i);
        if (Character.isUpperCase(c)) {
          char before = i > 0 ? name.charAt(i - 1) : '.';
          boolean nextLower = i + 1 < name.length() && Character.isLowerCase(name.charAt(i + 1));
          if (before != '.'
              && before != '_'
              && (Character.isLowerCase(before) || Character.isDigit(before) || nextLower)) {
            out.append('_');
          }
          out.append(Character.toLowerCase(c));
        } else {
          out.append(c);
        }
      }
      return out.toString();
    }
  }
}
