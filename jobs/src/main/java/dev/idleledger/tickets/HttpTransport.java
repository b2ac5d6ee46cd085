package dev.idleledger.tickets;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * JSON over HTTP with timeouts and bounded retries: 429 and 5xx (and connection failures) are retried with
 * exponential backoff, honouring a {@code Retry-After} in seconds; any other 4xx is a permanent failure.
 * Failure reasons never contain the credentials (they are cut out of any echoed response text).
 */
final class HttpTransport {
  record Response(int status, String body) {}

  private final HttpClient client;
  private final TicketSettings.Http settings;
  private final List<String> secrets;

  HttpTransport(TicketSettings.Http settings, List<String> secrets) {
    this.settings = settings;
    this.secrets = secrets;
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(settings.connectTimeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  Response send(String method, URI uri, Map<String, String> headers, String body)
      throws TicketFailure {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri)
            .timeout(settings.requestTimeout())
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    headers.forEach(b::header);
    HttpRequest request = b.build();
    String what = method + " " + uri.getPath();
    String lastProblem = "";
    for (int attempt = 1; attempt <= settings.maxAttempts(); attempt++) {
      Duration wait;
      try {
        HttpResponse<String> response =
            client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        int status = response.statusCode();
        if (status < 300) {
          return new Response(status, response.body());
        }
        if (status != 429 && status < 500) {
          throw new TicketFailure(
              "HTTP " + status + " from " + what + ": " + snippet(response.body()));
        }
        lastProblem = "HTTP " + status + " from " + what + ": " + snippet(response.body());
        wait = backoff(attempt, response.headers().firstValue("Retry-After").orElse(null));
      } catch (IOException e) {
        lastProblem = e.getClass().getSimpleName() + " on " + what;
        wait = backoff(attempt, null);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TicketFailure("interrupted during " + what);
      }
      if (attempt < settings.maxAttempts()) {
        sleep(wait);
      }
    }
    throw new TicketFailure(lastProblem + " (after " + settings.maxAttempts() + " attempts)");
  }

  Duration backoff(int attempt, String retryAfter) {
    Duration exponential = settings.initialBackoff().multipliedBy(1L << Math.min(attempt - 1, 20));
    Duration wait = exponential;
    if (retryAfter != null) {
      try {
        // Retry-After may also be an HTTP date; the ticket systems we call send seconds.
        wait = Duration.ofSeconds(Long.parseLong(retryAfter.trim()));
      } catch (NumberFormatException e) {
        wait = exponential;
      }
    }
    return wait.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : wait;
  }

  private static void sleep(Duration d) throws TicketFailure {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TicketFailure("interrupted while backing off");
    }
  }

  /** A short, single-line, credential-free excerpt of a response body for the error reason. */
  String snippet(String body) {
    String oneLine = body == null ? "" : body.replaceAll("\\s+", " ");
    return redact(oneLine.substring(0, Math.min(oneLine.length(), 300)));
  }

  String redact(String text) {
    String out = text;
    for (String s : secrets) {
      if (s != null && !s.isEmpty()) {
        out = out.replace(s, "***");
      }
    }
    return out;
  }
}
