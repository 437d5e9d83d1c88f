package io.messenger.support.web;

import io.messenger.support.problem.ProblemType;
import io.messenger.support.problem.ProblemWriter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses request bodies larger than {@code messenger.http.max-body-bytes} with 413 {@code
 * payload-too-large}. A declared {@code Content-Length} above the limit is refused before anything
 * is read. Every other body (chunked without a length, or a length that understates it) is read
 * through a counting stream that fails with {@link BodyTooLargeException} at the first byte past
 * the limit, so no more than the limit is ever buffered; the failure becomes the same 413 here or
 * in the problem advice, whichever sees it first.
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
      tooLarge(response);
      return;
    }
    try {
      chain.doFilter(new LimitedRequest(request, maxBytes), response);
    } catch (IOException | ServletException | RuntimeException e) {
      if (BodyTooLargeException.in(e) == null) {
        throw e;
      }
      tooLarge(response);
    }
  }

  private void tooLarge(HttpServletResponse response) throws IOException {
    problems.write(
        response,
        HttpStatus.CONTENT_TOO_LARGE,
        ProblemType.PAYLOAD_TOO_LARGE,
        "request bodies are limited to " + maxBytes + " bytes");
  }

  /** The request with its body stream (and reader) counted against the limit. */
  private static final class LimitedRequest extends HttpServletRequestWrapper {
    private final long maxBytes;
    private ServletInputStream stream;
    private BufferedReader reader;

    LimitedRequest(HttpServletRequest request, long maxBytes) {
      super(request);
      this.maxBytes = maxBytes;
    }

    @Override
    public ServletInputStream getInputStream() throws IOException {
      if (stream == null) {
        stream = new LimitedStream(super.getInputStream(), maxBytes);
      }
      return stream;
    }

    @Override
    public BufferedReader getReader() throws IOException {
      if (reader == null) {
        String encoding = getCharacterEncoding();
        Charset charset = encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
        reader = new BufferedReader(new InputStreamReader(getInputStream(), charset));
      }
      return reader;
    }
  }

  /** Counts the bytes read and fails once more than {@code maxBytes} came. */
  private static final class LimitedStream extends ServletInputStream {
    private final ServletInputStream in;
    private final long maxBytes;
    private long count;

    LimitedStream(ServletInputStream in, long maxBytes) {
      this.in = in;
      this.maxBytes = maxBytes;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        add(1);
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = in.read(buffer, offset, length);
      if (n > 0) {
        add(n);
      }
      return n;
    }

    private void add(int n) throws BodyTooLargeException {
      count += n;
      if (count > maxBytes) {
        throw new BodyTooLargeException(maxBytes);
      }
    }

    @Override
    public boolean isFinished() {
      return in.isFinished();
    }

    @Override
    public boolean isReady() {
      return in.isReady();
    }

    @Override
    public void setReadListener(ReadListener listener) {
      in.setReadListener(listener);
    }
  }
}
