package io.messenger.model;

import java.util.regex.Pattern;

/**
 * The size limits of the model's fields. Services may lower {@link #DEFAULT_MAX_TEXT_LENGTH} by
 * configuration; the model itself refuses anything above {@link #HARD_MAX_TEXT_LENGTH}.
 */
public final class Limits {

  /** Ids of users, devices and conversations (the regex, for validation annotations). */
  public static final String ID_REGEX = "[A-Za-z0-9_-]{1,64}";

  /** Ids of users, devices and conversations: {@code [A-Za-z0-9_-]{1,64}}. */
  public static final Pattern ID_PATTERN = Pattern.compile(ID_REGEX);

  /** Client-generated ids (the regex, for validation annotations). */
  public static final String CLIENT_ID_REGEX = "[A-Za-z0-9_.:-]{1,64}";

  /** Client-generated ids ({@code clientMsgId}, {@code clientOpId}, {@code notificationId}). */
  public static final Pattern CLIENT_ID_PATTERN = Pattern.compile(CLIENT_ID_REGEX);

  /** Default maximum message text length, in characters (UTF-16 code units). */
  public static final int DEFAULT_MAX_TEXT_LENGTH = 4096;

  /** The largest text the model accepts whatever the configuration says. */
  public static final int HARD_MAX_TEXT_LENGTH = 65_536;

  /** Maximum conversation title length, in characters. */
  public static final int MAX_TITLE_LENGTH = 256;

  /** Default maximum number of members of a group (configurable in the services). */
  public static final int DEFAULT_MAX_GROUP_MEMBERS = 100_000;

  /** A large group's notifications and views list at most this many members (the first by id). */
  public static final int MEMBERS_IN_NOTIFICATION = 100;

  /**
   * The members a large group's notification or view lists: the first {@value
   * #MEMBERS_IN_NOTIFICATION} by id.
   */
  public static java.util.List<UserId> firstMembers(java.util.Collection<UserId> members) {
    return members.stream().sorted().limit(MEMBERS_IN_NOTIFICATION).toList();
  }

  /** Maximum length of a notification type such as {@code friend.request}. */
  public static final int MAX_NOTIFICATION_TYPE_LENGTH = 64;

  private Limits() {}

  /** Whether {@code value} is a valid user, device or conversation id. */
  public static boolean isValidId(String value) {
    return value != null && matches(value, false);
  }

  /**
   * Whether {@code value} is well-formed UTF-16: no unpaired surrogate. An unpaired surrogate
   * cannot be encoded in UTF-8, so it would not be stored (or compared) as it was sent.
   */
  public static boolean isWellFormedText(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < value.length()
          && Character.isLowSurrogate(value.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  /** What is wrong with a message or edit text, if anything. */
  public enum TextProblem {
    /** Missing, empty or only whitespace. */
    EMPTY,
    /** An unpaired surrogate: it cannot be stored as UTF-8. */
    MALFORMED,
    /** Longer than the configured maximum (in UTF-16 code units). */
    TOO_LONG
  }

  /**
   * The one rule for message and edit texts, applied by both services: not blank, well-formed
   * UTF-16, at most {@code maxLength} characters. Empty when the text is acceptable.
   */
  public static java.util.Optional<TextProblem> textProblem(String text, int maxLength) {
    if (text == null || text.isBlank()) {
      return java.util.Optional.of(TextProblem.EMPTY);
    }
    if (!isWellFormedText(text)) {
      return java.util.Optional.of(TextProblem.MALFORMED);
    }
    if (text.length() > maxLength) {
      return java.util.Optional.of(TextProblem.TOO_LONG);
    }
    return java.util.Optional.empty();
  }

  /** Whether {@code value} is a valid client-generated id. */
  public static boolean isValidClientId(String value) {
    return value != null && matches(value, true);
  }

  /**
   * {@link #ID_PATTERN} (or {@link #CLIENT_ID_PATTERN}) without the regex engine: ids are checked
   * for every entry of every pull, where the regex showed up in profiles.
   */
  private static boolean matches(String value, boolean client) {
    int n = value.length();
    if (n < 1 || n > 64) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '_'
              || c == '-'
              || (client && (c == '.' || c == ':'));
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  static String requireId(String field, String value) {
    if (!isValidId(value)) {
      throw new IllegalArgumentException(field + " must match " + ID_PATTERN.pattern());
    }
    return value;
  }

  static String requireClientId(String field, String value) {
    if (!isValidClientId(value)) {
      throw new IllegalArgumentException(field + " must match " + CLIENT_ID_PATTERN.pattern());
    }
    return value;
  }

  static String requireText(String field, String value) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(field + " must not be empty");
    }
    if (value.length() > HARD_MAX_TEXT_LENGTH) {
      throw new IllegalArgumentException(
          field + " must be at most " + HARD_MAX_TEXT_LENGTH + " characters");
    }
    return value;
  }

  static long requireSeq(String field, long value) {
    if (value < 1) {
      throw new IllegalArgumentException(field + " must be at least 1");
    }
    return value;
  }
}
