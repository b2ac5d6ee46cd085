package dev.idleledger.tickets;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Row;

/** The columns of a {@code recommendations} row that filing, commenting and closing need, read by name. */
public record RecommendationTicketView(
    String recommendationId,
    String kind,
    String status,
    String cluster,
    String namespace,
    String workloadKind,
    String workloadName,
    String team,
    String node,
    String instanceType,
    LocalDate firstSeen,
    LocalDate lastSeen,
    LocalDate resolvedOn,
    Integer windowDays,
    double monthlySavings,
    Double realizedMonthlySavings,
    String confidence,
    String evidence,
    String action,
    String patch,
    String currency,
    String ticketSystem,
    String ticketKey,
    String ticketUrl,
    TicketState ticketState,
    Instant ticketSyncedAt) {

  /** The columns read, for a narrow select. */
  public static final List<String> COLUMNS = List.of(
      "recommendation_id", "kind", "status", "cluster", "namespace", "workload_kind", "workload_name", "team",
      "node", "instance_type", "first_seen", "last_seen", "resolved_on", "window_days", "monthly_savings",
      "realized_monthly_savings", "confidence", "evidence", "action", "patch", "currency", "ticket_system",
      "ticket_key", "ticket_url", "ticket_state", "ticket_synced_at");

  public static RecommendationTicketView from(Row r) {
    return new RecommendationTicketView(
        str(r, "recommendation_id"), str(r, "kind"), str(r, "status"), str(r, "cluster"), str(r, "namespace"),
        str(r, "workload_kind"), str(r, "workload_name"), str(r, "team"), str(r, "node"), str(r, "instance_type"),
        date(r, "first_seen"), date(r, "last_seen"), date(r, "resolved_on"),
        r.isNullAt(r.fieldIndex("window_days")) ? null : ((Number) r.getAs("window_days")).intValue(),
        num(r, "monthly_savings") == null ? 0 : num(r, "monthly_savings"), num(r, "realized_monthly_savings"),
        str(r, "confidence"), str(r, "evidence"), str(r, "action"), str(r, "patch"), str(r, "currency"),
        str(r, "ticket_system"), str(r, "ticket_key"), str(r, "ticket_url"),
        TicketState.of(str(r, "ticket_state"), str(r, "recommendation_id")),
        r.isNullAt(r.fieldIndex("ticket_synced_at")) ? null : ((Timestamp) r.getAs("ticket_synced_at")).toInstant());
  }

  /** Node-level kinds name the node; the others name the workload. */
  public boolean nodeLevel() {
    return workloadName == null || workloadName.isBlank();
  }

  /** The subject as people say it: namespace/workload, or the node. */
  public String subject() {
    if (nodeLevel()) {
      return "node " + (node == null ? "?" : node);
    }
    return (namespace == null ? "?" : namespace) + "/" + workloadName;
  }

  /** The body marker and search key that make filing exactly-once. */
  public String marker() {
    return "idle-ledger:" + recommendationId;
  }

  private static String str(Row r, String name) {
    Object v = r.get(r.fieldIndex(name));
    return v == null ? null : v.toString();
  }

  private static Double num(Row r, String name) {
    Object v = r.get(r.fieldIndex(name));
    return v == null ? null : ((Number) v).doubleValue();
  }

  private static LocalDate date(Row r, String name) {
    Object v = r.get(r.fieldIndex(name));
    if (v == null) {
      return null;
    }
    return v instanceof LocalDate d ? d : ((Date) v).toLocalDate();
  }
}
