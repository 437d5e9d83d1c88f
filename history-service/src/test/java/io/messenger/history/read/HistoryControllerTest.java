package io.messenger.history.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.messenger.model.Limits;
import io.messenger.support.problem.ProblemAdvice;
import io.messenger.support.security.WebSecuritySupport;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;

/**
 * The 400s of the read API's query parameters, answered before any read: the controller runs
 * without its services (the pages themselves are in the {@code *IT}s), as alice on d1.
 */
class HistoryControllerTest {

  private static final String VALIDATION = "urn:messenger:problem:validation";

  /** No plain decimal: refused as a limit and as a seq, with the message of one out of range. */
  private static final List<String> NOT_PLAIN =
      List.of(
          "-1", "-0", "x", "1.5", "", "+5", "05", " 5", "5 ", "0x10", "1e2", "\u0663", "\uff11");

  private final MockMvc mvc = mvc();

  private static MockMvc mvc() {
    // The Caller parameter is resolved as in the services, from the authenticated token.
    List<HandlerMethodArgumentResolver> resolvers = new ArrayList<>();
    new WebSecuritySupport().addArgumentResolvers(resolvers);
    return MockMvcBuilders.standaloneSetup(new HistoryController(null, null, null))
        .setControllerAdvice(new ProblemAdvice())
        .setCustomArgumentResolvers(resolvers.toArray(HandlerMethodArgumentResolver[]::new))
        .build();
  }

  @BeforeEach
  void signedInAsAlice() {
    Jwt token =
        Jwt.withTokenValue("t").header("alg", "HS256").subject("alice").claim("did", "d1").build();
    SecurityContextHolder.getContext().setAuthentication(new JwtAuthenticationToken(token));
  }

  @AfterEach
  void signedOut() {
    SecurityContextHolder.clearContext();
  }

  private void refused(String path, String name, Stream<String> values, String detail)
      throws Exception {
    for (String value : values.toList()) {
      mvc.perform(get(path).param(name, value))
          .andExpect(status().isBadRequest())
          .andExpect(jsonPath("$.type").value(VALIDATION))
          .andExpect(jsonPath("$.detail").value(detail));
    }
  }

  @ParameterizedTest
  @CsvSource({
    "/v1/conversations, 200",
    "/v1/conversations/c1/events, 500",
    "/v1/conversations/c1/members, 1000",
    "/v1/conversations/c1/messages, 100"
  })
  void aLimitThatIsNoPlainDecimalInRangeIsRefusedNotClamped(String path, int max) throws Exception {
    refused(
        path,
        "limit",
        Stream.concat(
            NOT_PLAIN.stream(),
            Stream.of("0", String.valueOf(max + 1), "1000000", "9223372036854775808")),
        "limit must be an integer from 1 to " + max);
  }

  @ParameterizedTest
  @CsvSource({
    "/v1/conversations/c1/events, after",
    "/v1/conversations/c1/messages, before",
    "/v1/conversations/c1/messages, after",
    "/v1/conversations/c1/messages, around"
  })
  void aSeqThatIsNoPlainNonNegativeDecimalIsRefused(String path, String name) throws Exception {
    refused(
        path,
        name,
        Stream.concat(NOT_PLAIN.stream(), Stream.of("1000000000000000000", "9223372036854775807")),
        name + " must be a non-negative integer seq");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "a b",
        "a.b",
        "\u20ac",
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      })
  void aMembersAfterThatIsNoUserIdIsRefused(String after) throws Exception {
    refused(
        "/v1/conversations/c1/members",
        "after",
        Stream.of(after),
        "after must match " + Limits.ID_PATTERN);
  }

  @ParameterizedTest
  @ValueSource(strings = {"before=1&after=2", "before=1&around=2", "after=0&around=0"})
  void twoAnchorsAreRefused(String query) throws Exception {
    mvc.perform(get("/v1/conversations/c1/messages?" + query))
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.type").value(VALIDATION))
        .andExpect(
            jsonPath("$.detail").value("at most one of before, after and around may be given"));
  }

  @Test
  void aConversationIdThatIsNoIdGetsTheUsualAnswer() throws Exception {
    mvc.perform(get("/v1/conversations/a.b/events"))
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.type").value(VALIDATION))
        .andExpect(jsonPath("$.detail").value("parameter 'conversationId' has an invalid value"));
  }

  @Test
  void theMembersAfterPatternIsTheModelsIdPattern() {
    assertThat(HistoryController.USER_ID).isEqualTo(Limits.ID_PATTERN.pattern());
  }
}
