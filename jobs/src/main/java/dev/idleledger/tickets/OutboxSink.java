package dev.idleledger.tickets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.idleledger.tickets.TicketSettings.TeamRoute;
import java.io.IOException;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Tickets as JSON lines, one file per night and event: {@code <prefix>/<night>/file.jsonl},
 * {@code comment.jsonl}, {@code close.jsonl}. Filing first looks through every night's {@code file.jsonl}
 * for the recommendation, so a rerun (or a crash before the table recorded the key) files nothing twice.
 */
final class OutboxSink implements TicketSink {
  private final OutboxStore store;
  private final LocalDate night;
  private Map<String, TicketRef> filed;
  private final Map<String, StringBuilder> pending = new HashMap<>();

  OutboxSink(OutboxStore store, LocalDate night) {
    this.store = store;
    this.night = night;
  }

  @Override
  public TicketSinkKind system() {
    return TicketSinkKind.OUTBOX;
  }

  @Override
  public Optional<TicketRef> find(RecommendationTicketView r, TeamRoute route)
      throws TicketFailure {
    if (filed == null) {
      filed = new HashMap<>();
      for (String name : store.list()) {
        if (name.endsWith("/file.jsonl")) {
          for (String line : store.read(name).orElse("").split("\n")) {
            if (line.isBlank()) {
              continue;
            }
            try {
              JsonNode e = TicketText.JSON.readTree(line);
              filed.putIfAbsent(
                  e.path("recommendation_id").asText(),
                  new TicketRef(e.path("ticket_key").asText(), store.address(name)));
            } catch (IOException ex) {
              throw new TicketFailure("outbox " + store.address(name) + ": unreadable line");
            }
          }
        }
      }
    }
    return Optional.ofNullable(filed.get(r.recommendationId()));
  }

  @Override
  public TicketRef create(RecommendationTicketView r, TeamRoute route, TicketText text)
      throws TicketFailure {
    String name = night + "/file.jsonl";
    TicketRef ref = new TicketRef(r.marker(), store.address(name));
    ObjectNode e = event("file", r, route, text);
    e.put("ticket_key", ref.key());
    append(name, e);
    if (filed != null) {
      filed.put(r.recommendationId(), ref);
    }
    return ref;
  }

  @Override
  public void comment(TicketRef ticket, RecommendationTicketView r, TicketText text)
      throws TicketFailure {
    append(
        night + "/comment.jsonl", event("comment", r, null, text).put("ticket_key", ticket.key()));
  }

  @Override
  public void close(TicketRef ticket, RecommendationTicketView r, TicketText text)
      throws TicketFailure {
    append(night + "/close.jsonl", event("close", r, null, text).put("ticket_key", ticket.key()));
  }

  /** Appends by rewriting the night's file whole: files are small, and a reader never sees a torn line. */
  private void append(String name, ObjectNode event) throws TicketFailure {
    try {
      StringBuilder content =
          pending.computeIfAbsent(name, n -> new StringBuilder(store.read(n).orElse("")));
      content.append(event.toString()).append('\n');
      store.write(name, content.toString());
    } catch (RuntimeException e) {
      throw new TicketFailure("outbox " + store.address(name) + ": " + e.getMessage());
    }
  }

  /** The event both the outbox and the webhook send: the words plus the fields a receiver routes on. */
  static ObjectNode event(
      String event, RecommendationTicketView r, TeamRoute route, TicketText text) {
    ObjectNode e = TicketText.JSON.createObjectNode();
    e.put("event", event);
    e.put("recommendation_id", r.recommendationId());
    e.put("marker", r.marker());
    e.put("status", r.status());
    e.put("kind", r.kind());
    e.put("team", r.team());
    e.put("cluster", r.cluster());
    e.put("namespace", r.namespace());
    e.put("workload_name", r.workloadName());
    e.put("node", r.node());
    e.put("monthly_savings", r.monthlySavings());
    e.put("currency", r.currency());
    if (route != null) {
      e.put("project", route.project());
      e.put("repo", route.repo());
      route.labels().forEach(e.putArray("labels")::add);
    }
    e.put("title", text.title());
    e.put("body", text.markdown());
    return e;
  }
}
