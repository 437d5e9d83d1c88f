package io.messenger.sync.limit;

import io.messenger.support.problem.ApiException;
import io.messenger.support.problem.ProblemType;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Refuses a request over its limit with 429 {@code rate-limited} and {@code Retry-After} (whole
 * seconds, at least 1) before the handler runs, so a refused request reads no body and touches no
 * store. Keys come from the validated client token: writes are limited per user, pulls and acks per
 * device of a user. The async re-dispatch of a long-poll is not counted again.
 */
final class RateLimitInterceptor implements HandlerInterceptor {

  private final RateLimiter limiter;
  private final boolean perDevice;
  private final String what;

  RateLimitInterceptor(RateLimiter limiter, boolean perDevice, String what) {
    this.limiter = limiter;
    this.perDevice = perDevice;
    this.what = what;
  }

  @Override
  public boolean preHandle(
      HttpServletRequest request, HttpServletResponse response, Object handler) {
    if (request.getDispatcherType() != DispatcherType.REQUEST) {
      return true;
    }
    Authentication auth = SecurityContextHolder.getContext().getAuthentication();
    if (auth == null || !(auth.getPrincipal() instanceof Jwt jwt) || jwt.getSubject() == null) {
      return true; // the security chain refuses it; nothing to count
    }
    // Ids match [A-Za-z0-9_-]{1,64} (checked by the token validators): '/' cannot occur in them.
    String key =
        perDevice ? jwt.getSubject() + "/" + jwt.getClaimAsString("did") : jwt.getSubject();
    Duration wait = limiter.tryAcquire(key);
    if (wait == null) {
      return true;
    }
    long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
    throw new ApiException(
        HttpStatus.TOO_MANY_REQUESTS,
        ProblemType.RATE_LIMITED,
        "too many " + what + "; retry in " + seconds + " s",
        Duration.ofSeconds(seconds),
        null);
  }
}
