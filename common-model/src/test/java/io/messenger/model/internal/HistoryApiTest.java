package io.messenger.model.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.messenger.model.ConversationId;
import io.messenger.model.ConversationType;
import io.messenger.model.OperationType;
import io.messenger.model.UserId;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * The internal API's bodies as both services see them: answers read tolerantly (a field an older
 * history-service leaves out takes its default, with Jackson 3's refusal of nulls for primitives
 * on), requests carry the history-service's validation.
 */
class HistoryApiTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static ValidatorFactory factory;
  private static Validator validator;

  @BeforeAll
  static void validator() {
    factory = Validation.buildDefaultValidatorFactory();
    validator = factory.getValidator();
  }

  @AfterAll
  static void close() {
    factory.close();
  }

  @Test
  void answersWithoutTheNewerFieldsTakeTheirDefaults() {
    HistoryApi.MembersChanged change =
        JSON.readValue(
            "{\"conversationId\":\"g1\",\"type\":\"group\",\"members\":[\"a\"],\"changeId\":\"c\"}",
            HistoryApi.MembersChanged.class);
    assertThat(change.seq()).isZero();
    assertThat(change.lastSeq()).isZero();
    assertThat(change.memberCount()).isZero();
    assertThat(change.large()).isFalse();
    assertThat(change.wasLarge()).isFalse();
    assertThat(change.added()).isEmpty();

    HistoryApi.MessageSent sent =
        JSON.readValue("{\"recipients\":null}", HistoryApi.MessageSent.class);
    assertThat(sent.largeGroup()).isFalse();
    assertThat(sent.recipients()).isEmpty();

    HistoryApi.Conversation created =
        JSON.readValue("{\"conversationId\":\"g1\"}", HistoryApi.Conversation.class);
    assertThat(created.large()).isFalse();

    HistoryApi.RelaySweptShards swept =
        JSON.readValue("{\"sweeps\":[{\"shard\":3}]}", HistoryApi.RelaySweptShards.class);
    assertThat(swept.sweeps().get(0).next()).isEmpty();
    assertThat(swept.sweeps().get(0).deliveries()).isEmpty();
  }

  @Test
  void requestsLeaveOutWhatIsNotSet() {
    String text =
        JSON.writeValueAsString(
            new HistoryApi.ApplyOperation(
                UserId.of("alice"), "op-1", OperationType.READ, null, 7L, null));
    assertThat(text)
        .isEqualTo(
            "{\"actorId\":\"alice\",\"clientOpId\":\"op-1\",\"type\":\"read\",\"upToSeq\":7}");
    assertThat(JSON.readValue(text, HistoryApi.ApplyOperation.class).type())
        .isEqualTo(OperationType.READ);
  }

  @Test
  void aMemberChangeWithoutListsChangesNoOne() {
    HistoryApi.ChangeMembers change =
        JSON.readValue("{\"actorId\":\"alice\"}", HistoryApi.ChangeMembers.class);
    assertThat(change.add()).isEmpty();
    assertThat(change.remove()).isEmpty();
    assertThat(validator.validate(change)).isEmpty();
  }

  @Test
  void validRequestsPass() {
    assertThat(
            validator.validate(
                new HistoryApi.CreateConversation(
                    ConversationType.GROUP,
                    List.of(UserId.of("a"), UserId.of("b")),
                    "t",
                    UserId.of("a"),
                    "req-1")))
        .isEmpty();
    assertThat(validator.validate(new HistoryApi.SendMessage(UserId.of("a"), "m:1.x_y-z", "hello")))
        .isEmpty();
    assertThat(
            validator.validate(
                new HistoryApi.RelaySweeps(
                    List.of(new HistoryApi.RelayShard(HistoryApi.RELAY_SHARDS - 1, "")), 0)))
        .isEmpty();
  }

  @Test
  void badRequestsNameTheirFields() {
    assertThat(
            invalid(
                new HistoryApi.CreateConversation(
                    null, List.of(), null, UserId.of("a"), "has space")))
        .containsExactlyInAnyOrder("type", "members", "clientRequestId");
    assertThat(invalid(new HistoryApi.SendMessage(null, "", null)))
        .containsExactlyInAnyOrder("senderId", "clientMsgId", "text");
    assertThat(invalid(new HistoryApi.ApplyOperation(UserId.of("a"), "op", null, 1L, 1L, null)))
        .containsExactly("type");
    assertThat(invalid(new HistoryApi.RelaySweep(HistoryApi.RELAY_SHARDS, "", 60_001)))
        .containsExactlyInAnyOrder("shard", "settleMs");
    assertThat(invalid(new HistoryApi.RelaySweeps(List.of(), 0))).containsExactly("shards");
    assertThat(
            invalid(
                new HistoryApi.RelaySweeps(
                    List.of(new HistoryApi.RelayShard(-1, "x".repeat(65))), 0)))
        .containsExactlyInAnyOrder("shards[0].shard", "shards[0].after");
    assertThat(
            invalid(
                new HistoryApi.RelayConfirm(
                    List.of(new HistoryApi.RelayDelivered(ConversationId.of("g1"), 0)))))
        .containsExactly("delivered[0].seq");
    assertThat(invalid(new HistoryApi.RelayAdvance(Collections.singletonList(null))))
        .containsExactly("progress[0].<list element>");
    List<HistoryApi.RelayProgress> tooMany =
        new ArrayList<>(
            Collections.nCopies(
                HistoryApi.MAX_RELAY_BATCH + 1,
                new HistoryApi.RelayProgress(ConversationId.of("g1"), 1, 0, 0)));
    assertThat(invalid(new HistoryApi.RelayAdvance(tooMany))).containsExactly("progress");
    assertThat(
            invalid(
                new HistoryApi.ChangeMembers(
                    UserId.of("a"), Arrays.asList(UserId.of("b"), null), List.of())))
        .containsExactly("add[1].<list element>");
  }

  private static Set<String> invalid(Object request) {
    Set<ConstraintViolation<Object>> violations = validator.validate(request);
    return violations.stream().map(v -> v.getPropertyPath().toString()).collect(Collectors.toSet());
  }
}
