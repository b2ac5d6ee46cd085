package dev.idleledger.tickets;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.idleledger.tickets.TicketSettings.TeamRoute;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A JSON POST per event, signed {@code X-Idle-Ledger-Signature: sha256=<hex HMAC-SHA256 of the raw body>}.
 * A webhook cannot be searched, so each event carries an {@code Idempotency-Key} (recommendation and event)
 * for the receiver to drop repeats; the ticket key recorded is the recommendation's marker.
 */
final class WebhookSink implements TicketSink {
  static final String SIGNATURE_HEADER = "X-Idle-Ledger-Signature";

  private final TicketSettings settings;
  private final HttpTransport http;
  private final byte[] secret;

  WebhookSink(TicketSettings settings) {
    this.settings = settings;
    if (settings.webhook().url().isBlank()) {
      throw new IllegalStateException(
          "tickets.webhook.url: must be set when tickets.sink = webhook");
    }
    String s = SecretReader.read(settings.webhook().secret(), "tickets.webhook");
    this.secret = s.getBytes(StandardCharsets.UTF_8);
    this.http = new HttpTransport(settings.http(), List.of(s));
  }

  @Override
  public TicketSinkKind system() {
    return TicketSinkKind.WEBHOOK;
  }

  @Override
  public Optional<TicketRef> find(RecommendationTicketView r, TeamRoute route) {
    return Optional.empty();
  }

  @Override
  public TicketRef create(RecommendationTicketView r, TeamRoute route, TicketText text)
      throws TicketFailure {
    post("file", r, route, text);
    return new TicketRef(r.marker(), null);
  }

  @Override
  public void comment(TicketRef ticket, RecommendationTicketView r, TicketText text)
      throws TicketFailure {
    post("comment", r, null, text);
  }

  @Override
  public void close(TicketRef ticket, RecommendationTicketView r, TicketText text)
      throws TicketFailure {
    post("close", r, null, text);
  }

  private void post(String event, RecommendationTicketView r, TeamRoute route, TicketText text)
      throws TicketFailure {
    ObjectNode body = OutboxSink.event(event, r, route, text);
    String raw = body.toString();
    http.send(
        "POST",
        URI.create(settings.webhook().url()),
        Map.of(
            "Content-Type",
            "application/json",
            SIGNATURE_HEADER,
            "sha256=" + sign(secret, raw),
            "Idempotency-Key",
            r.marker() + ":" + event + ":" + r.status()),
        raw);
  }

  static String sign(byte[] key, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
