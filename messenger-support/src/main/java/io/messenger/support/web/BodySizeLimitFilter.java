package io.messenger.support.web;

import io.messenger.support.problem.ProblemType;
import io.messenger.support.problem.ProblemWriter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses request bodies larger than {@code messenger.http.max-body-bytes} with 413 before they are
 * read, by their declared {@code Content-Length}. Chunked bodies without a declared length are
 * bounded by the JSON reader's own limits and the per-field limits of the API.
 */
public class BodySizeLimitFilter extends OncePerRequestFilter {

  private final long maxBytes;
  private final ProblemWriter problems;

  public BodySizeLimitFilter(long maxBytes, ProblemWriter problems) {
    this.maxBytes = maxBytes;
    this.problems = problems;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    long length = request.getContentLengthLong();
    if (length > maxBytes) {
      problems.write(
          response,
          HttpStatus.CONTENT_TOO_LARGE,
          ProblemType.PAYLOAD_TOO_LARGE,
          "request bodies are limited to " + maxBytes + " bytes");
      return;
    }
    chain.doFilter(request, response);
  }
}
