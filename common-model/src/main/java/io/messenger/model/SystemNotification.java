package io.messenger.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A notification that lands in inboxes as a {@code system} entry. The three conversation
 * notifications are written by the messenger itself; {@link Custom} carries notifications of the
 * messenger's other back-end services (a friend request, a sign-in from a new device), which live
 * only in the inbox.
 */
@JsonTypeInfo(
    use = JsonTypeInfo.Id.NAME,
    include = JsonTypeInfo.As.EXISTING_PROPERTY,
    property = "type",
    visible = true,
    defaultImpl = SystemNotification.Custom.class)
@JsonSubTypes({
  @JsonSubTypes.Type(
      value = SystemNotification.ConversationCreated.class,
      name = "conversation.created"),
  @JsonSubTypes.Type(value = SystemNotification.MemberAdded.class, name = "member.added"),
  @JsonSubTypes.Type(value = SystemNotification.MemberRemoved.class, name = "member.removed")
})
public sealed interface SystemNotification {

  String CONVERSATION_CREATED = "conversation.created";
  String MEMBER_ADDED = "member.added";
  String MEMBER_REMOVED = "member.removed";

  /** The notification's type as named on the wire, e.g. {@code member.added}. */
  String type();

  /**
   * The id of a notification the messenger writes about a conversation ({@code prefix} such as
   * {@code added}, then the conversation id and, for a member change, its change id): the same
   * wherever it is derived, so the inbox keeps one entry however often it is written, and the
   * conversation events endpoint names it as the inbox does.
   */
  static String idOf(String prefix, String... parts) {
    String plain = prefix + "." + String.join(".", parts);
    if (Limits.isValidClientId(plain)) {
      return plain;
    }
    return prefix + "." + Sha256.hex(parts).substring(0, 40);
  }

  /**
   * A conversation was created with these members (the creator among them). For a large group
   * {@code members} holds only the first {@value Limits#MEMBERS_IN_NOTIFICATION} by id and {@code
   * memberCount} says how many there are (the members endpoint pages the rest); otherwise {@code
   * memberCount} is absent.
   */
  record ConversationCreated(
      ConversationType conversationType,
      String title,
      List<UserId> members,
      UserId createdBy,
      @JsonInclude(JsonInclude.Include.NON_NULL) Integer memberCount)
      implements SystemNotification {

    public ConversationCreated(
        ConversationType conversationType, String title, List<UserId> members, UserId createdBy) {
      this(conversationType, title, members, createdBy, null);
    }

    public ConversationCreated {
      Objects.requireNonNull(conversationType, "conversationType");
      if (title != null && title.length() > Limits.MAX_TITLE_LENGTH) {
        throw new IllegalArgumentException(
            "title must be at most " + Limits.MAX_TITLE_LENGTH + " characters");
      }
      members = List.copyOf(members);
      if (members.isEmpty()) {
        throw new IllegalArgumentException("members must not be empty");
      }
      Objects.requireNonNull(createdBy, "createdBy");
    }

    @JsonProperty("type")
    @Override
    public String type() {
      return CONVERSATION_CREATED;
    }
  }

  /**
   * Members were added to a conversation by {@code by}. In a large group the entry lists at most
   * the first {@value Limits#MEMBERS_IN_NOTIFICATION} of them by id and {@code count} says how many
   * there are (each of them gets the entry: a whole list each would cost the square of the change's
   * size); otherwise {@code count} is absent and {@code members} is all of them.
   */
  record MemberAdded(
      List<UserId> members, UserId by, @JsonInclude(JsonInclude.Include.NON_NULL) Integer count)
      implements SystemNotification {

    public MemberAdded(List<UserId> members, UserId by) {
      this(members, by, null);
    }

    public MemberAdded {
      members = List.copyOf(members);
      if (members.isEmpty()) {
        throw new IllegalArgumentException("members must not be empty");
      }
      Objects.requireNonNull(by, "by");
    }

    /** All of {@code members}, or in a large group the first ones and how many there are. */
    public static MemberAdded of(List<UserId> members, UserId by, boolean largeGroup) {
      return largeGroup && members.size() > Limits.MEMBERS_IN_NOTIFICATION
          ? new MemberAdded(Limits.firstMembers(members), by, members.size())
          : new MemberAdded(members, by);
    }

    @JsonProperty("type")
    @Override
    public String type() {
      return MEMBER_ADDED;
    }
  }

  /**
   * Members were removed from (or left) a conversation by {@code by}. In a large group the entry
   * lists at most the first {@value Limits#MEMBERS_IN_NOTIFICATION} of them by id and {@code count}
   * says how many there are (each of them gets the entry: a whole list each would cost the square
   * of the change's size); otherwise {@code count} is absent and {@code members} is all of them.
   */
  record MemberRemoved(
      List<UserId> members, UserId by, @JsonInclude(JsonInclude.Include.NON_NULL) Integer count)
      implements SystemNotification {

    public MemberRemoved(List<UserId> members, UserId by) {
      this(members, by, null);
    }

    public MemberRemoved {
      members = List.copyOf(members);
      if (members.isEmpty()) {
        throw new IllegalArgumentException("members must not be empty");
      }
      Objects.requireNonNull(by, "by");
    }

    /** All of {@code members}, or in a large group the first ones and how many there are. */
    public static MemberRemoved of(List<UserId> members, UserId by, boolean largeGroup) {
      return largeGroup && members.size() > Limits.MEMBERS_IN_NOTIFICATION
          ? new MemberRemoved(Limits.firstMembers(members), by, members.size())
          : new MemberRemoved(members, by);
    }

    @JsonProperty("type")
    @Override
    public String type() {
      return MEMBER_REMOVED;
    }
  }

  /**
   * A notification of another back-end service, idempotent by {@code notificationId}.
   *
   * @param notificationId the caller's idempotency key
   * @param type a dotted type such as {@code friend.request}; not one of the messenger's own
   * @param payload free-form JSON-compatible data (maps, lists, strings, numbers, booleans)
   */
  record Custom(String notificationId, String type, Map<String, Object> payload)
      implements SystemNotification {
    public Custom {
      Limits.requireClientId("notificationId", notificationId);
      if (type == null
          || type.isEmpty()
          || type.length() > Limits.MAX_NOTIFICATION_TYPE_LENGTH
          || !type.matches("[a-z0-9_]+(\\.[a-z0-9_]+)*")) {
        throw new IllegalArgumentException(
            "type must be a dotted lower-case name of at most "
                + Limits.MAX_NOTIFICATION_TYPE_LENGTH
                + " characters");
      }
      if (type.equals(CONVERSATION_CREATED)
          || type.equals(MEMBER_ADDED)
          || type.equals(MEMBER_REMOVED)) {
        throw new IllegalArgumentException("type " + type + " is reserved");
      }
      payload = payload == null ? Map.of() : Map.copyOf(payload);
    }
  }
}
