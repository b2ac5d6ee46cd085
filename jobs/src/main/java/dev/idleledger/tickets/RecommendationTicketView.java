package dev.idleledger.tickets;

import dev.idleledger.tables.RecommendationTables.Recommendations;
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
  public static final List<String> COLUMNS =
      List.of(
          Recommendations.RECOMMENDATION_ID,
          Recommendations.KIND,
          Recommendations.STATUS,
          Recommendations.CLUSTER,
          Recommendations.NAMESPACE,
          Recommendations.WORKLOAD_KIND,
          Recommendations.WORKLOAD_NAME,
          Recommendations.TEAM,
          Recommendations.NODE,
          Recommendations.INSTANCE_TYPE,
          Recommendations.FIRST_SEEN,
          Recommendations.LAST_SEEN,
          Recommendations.RESOLVED_ON,
          Recommendations.WINDOW_DAYS,
          Recommendations.MONTHLY_SAVINGS,
          Recommendations.REALIZED_MONTHLY_SAVINGS,
          Recommendations.CONFIDENCE,
          Recommendations.EVIDENCE,
          Recommendations.ACTION,
          Recommendations.PATCH,
          Recommendations.CURRENCY,
          Recommendations.TICKET_SYSTEM,
          Recommendations.TICKET_KEY,
          Recommendations.TICKET_URL,
          Recommendations.TICKET_STATE,
          Recommendations.TICKET_SYNCED_AT);

  public static RecommendationTicketView from(Row r) {
    Double monthlySavings = num(r, Recommendations.MONTHLY_SAVINGS);
    return new RecommendationTicketView(
        str(r, Recommendations.RECOMMENDATION_ID),
        str(r, Recommendations.KIND),
        str(r, Recommendations.STATUS),
        str(r, Recommendations.CLUSTER),
        str(r, Recommendations.NAMESPACE),
        str(r, Recommendations.WORKLOAD_KIND),
        str(r, Recommendations.WORKLOAD_NAME),
        str(r, Recommendations.TEAM),
        str(r, Recommendations.NODE),
        str(r, Recommendations.INSTANCE_TYPE),
        date(r, Recommendations.FIRST_SEEN),
        date(r, Recommendations.LAST_SEEN),
        date(r, Recommendations.RESOLVED_ON),
        r.isNullAt(r.fieldIndex(Recommendations.WINDOW_DAYS))
            ? null
            : ((Number) r.getAs(Recommendations.WINDOW_DAYS)).intValue(),
        monthlySavings == null ? 0 : monthlySavings,
        num(r, Recommendations.REALIZED_MONTHLY_SAVINGS),
        str(r, Recommendations.CONFIDENCE),
        str(r, Recommendations.EVIDENCE),
        str(r, Recommendations.ACTION),
        str(r, Recommendations.PATCH),
        str(r, Recommendations.CURRENCY),
        str(r, Recommendations.TICKET_SYSTEM),
        str(r, Recommendations.TICKET_KEY),
        str(r, Recommendations.TICKET_URL),
        TicketState.of(
            str(r, Recommendations.TICKET_STATE), str(r, Recommendations.RECOMMENDATION_ID)),
        r.isNullAt(r.fieldIndex(Recommendations.TICKET_SYNCED_AT))
            ? null
            : ((Timestamp) r.getAs(Recommendations.TICKET_SYNCED_AT)).toInstant());
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
