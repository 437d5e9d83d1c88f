package io.messenger.support.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.messenger.support.problem.ProblemWriter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import tools.jackson.databind.json.JsonMapper;

class BodySizeLimitFilterTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private final BodySizeLimitFilter filter = new BodySizeLimitFilter(100, new ProblemWriter(JSON));

  /** A request without a declared length, as a chunked one arrives. */
  private static HttpServletRequest chunked(String body) {
    MockHttpServletRequest request = new MockHttpServletRequest("POST", "/v1/x");
    request.setContent(body.getBytes(StandardCharsets.UTF_8));
    return new HttpServletRequestWrapper(request) {
      @Override
      public long getContentLengthLong() {
        return -1;
      }

      @Override
      public int getContentLength() {
        return -1;
      }
    };
  }

  @Test
  void aDeclaredLengthAboveTheLimitIsRefusedUnread() throws Exception {
    MockHttpServletRequest request = new MockHttpServletRequest("POST", "/v1/x");
    request.setContent(new byte[101]);
    MockHttpServletResponse response = new MockHttpServletResponse();
    filter.doFilter(
        request,
        response,
        (req, res) -> {
          throw new AssertionError("must not be called");
        });
    assertThat(response.getStatus()).isEqualTo(413);
    assertThat(response.getContentType()).isEqualTo("application/problem+json");
  }

  @Test
  void aChunkedBodyPastTheLimitFailsWhileReadAndIsAnswered413() throws Exception {
    MockHttpServletResponse response = new MockHttpServletResponse();
    filter.doFilter(
        chunked("[\"" + "x".repeat(200)),
        response,
        (req, res) -> {
          Throwable failure = null;
          try {
            JSON.readTree(req.getInputStream());
          } catch (RuntimeException e) {
            failure = e;
          }
          assertThat(BodyTooLargeException.in(failure)).as(String.valueOf(failure)).isNotNull();
          throw new IllegalStateException("wrapped", failure);
        });
    assertThat(response.getStatus()).isEqualTo(413);
    assertThat(response.getContentAsString()).contains("urn:messenger:problem:payload-too-large");
  }

  @Test
  void aChunkedBodyWithinTheLimitIsReadWhole() throws Exception {
    MockHttpServletResponse response = new MockHttpServletResponse();
    filter.doFilter(
        chunked("{\"text\":\"" + "y".repeat(80) + "\"}"),
        response,
        (req, res) ->
            assertThat(JSON.readTree(req.getInputStream()).get("text").asString()).hasSize(80));
    assertThat(response.getStatus()).isEqualTo(200);
  }

  @Test
  void theCauseChainIsSearched() {
    assertThat(BodyTooLargeException.in(new RuntimeException(new BodyTooLargeException(1))))
        .isNotNull();
    assertThat(BodyTooLargeException.in(new RuntimeException("no"))).isNull();
    assertThatThrownBy(
            () -> {
              throw new BodyTooLargeException(5);
            })
        .hasMessageContaining("5 bytes");
  }
}
