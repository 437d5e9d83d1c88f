package io.messenger.support.problem;

import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The servlet container's error page ({@code /error}) as a problem detail, in place of Spring
 * Boot's {@code {timestamp, status, error, path}} JSON: errors raised outside Spring MVC (a request
 * the firewall rejects, such as an encoded {@code %} or {@code /} in the path, or one the container
 * refuses) get the same {@code application/problem+json} shape as every other error.
 */
@RestController
@Hidden
public class ProblemErrorController implements ErrorController {

  @RequestMapping("/error")
  public ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
    Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
    HttpStatus status =
        code instanceof Integer i && HttpStatus.resolve(i) != null
            ? HttpStatus.valueOf(i)
            : HttpStatus.INTERNAL_SERVER_ERROR;
    ProblemType type =
        switch (status) {
          case NOT_FOUND -> ProblemType.NOT_FOUND;
          case METHOD_NOT_ALLOWED -> ProblemType.METHOD_NOT_ALLOWED;
          case UNSUPPORTED_MEDIA_TYPE -> ProblemType.UNSUPPORTED_MEDIA_TYPE;
          case NOT_ACCEPTABLE -> ProblemType.NOT_ACCEPTABLE;
          case CONTENT_TOO_LARGE -> ProblemType.PAYLOAD_TOO_LARGE;
          case UNAUTHORIZED -> ProblemType.UNAUTHORIZED;
          case FORBIDDEN -> ProblemType.FORBIDDEN;
          case SERVICE_UNAVAILABLE -> ProblemType.STORE_UNAVAILABLE;
          default -> status.is5xxServerError() ? ProblemType.INTERNAL : ProblemType.VALIDATION;
        };
    String detail =
        status == HttpStatus.BAD_REQUEST
            ? "the request was rejected: its URL, a header or a parameter is not allowed"
            : status.getReasonPhrase();
    ProblemDetail problem = ProblemWriter.problem(status, type, detail);
    return ResponseEntity.status(status)
        .contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .body(problem);
  }
}
