package io.messenger.support.web;

import io.messenger.support.problem.ProblemType;
import java.io.IOException;
import java.io.Writer;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;

/**
 * Tomcat's error report for requests it refuses itself, before any servlet runs (a {@code %2F} or
 * {@code %00} in the path, a malformed request line): a problem detail instead of Tomcat's HTML
 * page, so that every error of the services is {@code application/problem+json}. Installed as the
 * host's error report valve by {@code MessengerSupportAutoConfiguration}.
 */
public class ProblemErrorReportValve extends ErrorReportValve {

  @Override
  protected void report(Request request, Response response, Throwable throwable) {
    int status = response.getStatus();
    if (status < 400 || response.getContentWritten() > 0) {
      return;
    }
    ProblemType type =
        switch (status) {
          case 400 -> ProblemType.VALIDATION;
          case 404 -> ProblemType.NOT_FOUND;
          case 405 -> ProblemType.METHOD_NOT_ALLOWED;
          case 413 -> ProblemType.PAYLOAD_TOO_LARGE;
          default -> status >= 500 ? ProblemType.INTERNAL : ProblemType.VALIDATION;
        };
    try {
      response.setContentType("application/problem+json");
      response.setCharacterEncoding("UTF-8");
      Writer writer = response.getReporter();
      if (writer != null) {
        writer.write(
            "{\"type\":\""
                + type.uri()
                + "\",\"title\":\""
                + type.title()
                + "\",\"status\":"
                + status
                + ",\"detail\":\"the request was refused by the web server\"}");
        response.finishResponse();
      }
    } catch (IOException | IllegalStateException e) {
      // the client is gone, or the response was already committed: nothing more to say
    }
  }
}
