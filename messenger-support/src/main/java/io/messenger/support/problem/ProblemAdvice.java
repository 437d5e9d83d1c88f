package io.messenger.support.problem;

import io.messenger.support.web.BodyTooLargeException;
import jakarta.validation.ConstraintViolationException;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Turns every failure of a request into an RFC 9457 problem detail with a stable {@code type}: our
 * own {@link ApiException}s, Spring MVC's own 4xx (bad JSON, wrong types, missing parameters,
 * unknown paths), bean-validation failures and the model's constructor checks (400). Anything else
 * is logged and answered 500 without internals.
 */
@RestControllerAdvice
public class ProblemAdvice extends ResponseEntityExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(ProblemAdvice.class);

  @ExceptionHandler(ApiException.class)
  public ResponseEntity<Object> api(ApiException e) {
    ResponseEntity.BodyBuilder response = ResponseEntity.status(e.status());
    if (e.retryAfter() != null) {
      response.header(
          HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, e.retryAfter().toSeconds())));
    }
    if (e.status().is5xxServerError()) {
      log.warn("{}: {}", e.type().name(), e.getMessage(), e.getCause());
    }
    return response.body(ProblemWriter.problem(e.status(), e.type(), e.getMessage()));
  }

  /** The model's compact constructors refuse bad values with IllegalArgumentException. */
  @ExceptionHandler({IllegalArgumentException.class, ConstraintViolationException.class})
  ResponseEntity<Object> invalid(RuntimeException e) {
    return ResponseEntity.badRequest()
        .body(
            ProblemWriter.problem(HttpStatus.BAD_REQUEST, ProblemType.VALIDATION, e.getMessage()));
  }

  /** A parameter name or value the security firewall refuses, met while the handler reads it. */
  @ExceptionHandler(RequestRejectedException.class)
  ResponseEntity<Object> rejected(RequestRejectedException e) {
    return ResponseEntity.badRequest()
        .body(
            ProblemWriter.problem(
                HttpStatus.BAD_REQUEST,
                ProblemType.VALIDATION,
                "the request was rejected: a parameter is not allowed"));
  }

  /**
   * A form-encoded body with broken percent-encoding fails inside Tomcat's parameter parsing before
   * any converter runs: it is a malformed request, not a server error.
   */
  @ExceptionHandler(org.apache.tomcat.util.http.InvalidParameterException.class)
  ResponseEntity<Object> undecodableParameters(RuntimeException e) {
    return ResponseEntity.badRequest()
        .body(
            ProblemWriter.problem(
                HttpStatus.BAD_REQUEST,
                ProblemType.MALFORMED_BODY,
                "the request parameters or form body cannot be decoded"));
  }

  @ExceptionHandler(MethodArgumentTypeMismatchException.class)
  ResponseEntity<Object> typeMismatch(MethodArgumentTypeMismatchException e) {
    return ResponseEntity.badRequest()
        .body(
            ProblemWriter.problem(
                HttpStatus.BAD_REQUEST,
                ProblemType.VALIDATION,
                "parameter '" + e.getName() + "' has an invalid value"));
  }

  /** Anything else: logged, and answered 500 without internals. */
  @ExceptionHandler(Exception.class)
  public ResponseEntity<Object> unexpected(Exception e) {
    BodyTooLargeException tooLarge = BodyTooLargeException.in(e);
    if (tooLarge != null) {
      return tooLarge(tooLarge);
    }
    log.error("unexpected failure", e);
    return ResponseEntity.internalServerError()
        .body(
            ProblemWriter.problem(
                HttpStatus.INTERNAL_SERVER_ERROR, ProblemType.INTERNAL, "unexpected error"));
  }

  /** A body that passed {@code messenger.http.max-body-bytes} while it was read (chunked). */
  private static ResponseEntity<Object> tooLarge(BodyTooLargeException e) {
    return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE)
        .body(
            ProblemWriter.problem(
                HttpStatus.CONTENT_TOO_LARGE, ProblemType.PAYLOAD_TOO_LARGE, e.getMessage()));
  }

  @Override
  protected ResponseEntity<Object> handleMethodArgumentNotValid(
      MethodArgumentNotValidException ex,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    List<Map<String, String>> errors =
        ex.getBindingResult().getFieldErrors().stream()
            .map(
                f ->
                    Map.of("field", f.getField(), "message", String.valueOf(f.getDefaultMessage())))
            .toList();
    ProblemDetail problem =
        ProblemWriter.problem(
            HttpStatus.BAD_REQUEST,
            ProblemType.VALIDATION,
            errors.isEmpty()
                ? "invalid request"
                : errors.get(0).get("field") + ": " + errors.get(0).get("message"));
    problem.setProperty("errors", errors);
    return ResponseEntity.badRequest().body(problem);
  }

  @Override
  protected ResponseEntity<Object> handleHandlerMethodValidationException(
      HandlerMethodValidationException ex,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    String detail =
        ex.getAllErrors().stream()
            .findFirst()
            .map(e -> e.getDefaultMessage())
            .orElse("invalid request");
    return ResponseEntity.badRequest()
        .body(ProblemWriter.problem(HttpStatus.BAD_REQUEST, ProblemType.VALIDATION, detail));
  }

  @Override
  protected ResponseEntity<Object> handleHttpMessageNotReadable(
      HttpMessageNotReadableException ex,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    BodyTooLargeException tooLarge = BodyTooLargeException.in(ex);
    if (tooLarge != null) {
      return tooLarge(tooLarge);
    }
    // A value the model refuses (e.g. an empty text) is a validation problem, not broken JSON.
    for (Throwable t = ex.getCause(); t != null; t = t.getCause()) {
      if (t instanceof IllegalArgumentException) {
        return ResponseEntity.badRequest()
            .body(
                ProblemWriter.problem(
                    HttpStatus.BAD_REQUEST, ProblemType.VALIDATION, t.getMessage()));
      }
    }
    return ResponseEntity.badRequest()
        .body(
            ProblemWriter.problem(
                HttpStatus.BAD_REQUEST,
                ProblemType.MALFORMED_BODY,
                "the request body is not valid JSON of the expected shape"));
  }

  @Override
  protected ResponseEntity<Object> handleExceptionInternal(
      Exception ex,
      Object body,
      HttpHeaders headers,
      HttpStatusCode statusCode,
      WebRequest request) {
    HttpStatus status = HttpStatus.resolve(statusCode.value());
    if (status == null) {
      status = HttpStatus.BAD_REQUEST;
    }
    ProblemType type =
        switch (status) {
          case NOT_FOUND -> ProblemType.NOT_FOUND;
          case METHOD_NOT_ALLOWED -> ProblemType.METHOD_NOT_ALLOWED;
          case UNSUPPORTED_MEDIA_TYPE -> ProblemType.UNSUPPORTED_MEDIA_TYPE;
          case NOT_ACCEPTABLE -> ProblemType.NOT_ACCEPTABLE;
          case CONTENT_TOO_LARGE -> ProblemType.PAYLOAD_TOO_LARGE;
          case SERVICE_UNAVAILABLE -> ProblemType.STORE_UNAVAILABLE;
          default -> status.is5xxServerError() ? ProblemType.INTERNAL : ProblemType.VALIDATION;
        };
    String detail =
        body instanceof ProblemDetail p && p.getDetail() != null ? p.getDetail() : ex.getMessage();
    ProblemDetail problem = ProblemWriter.problem(status, type, detail);
    return super.handleExceptionInternal(ex, problem, headers, statusCode, request);
  }
}
