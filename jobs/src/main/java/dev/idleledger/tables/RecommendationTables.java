package dev.idleledger.tables;

import static dev.idleledger.spark.TableSpec.col;

import dev.idleledger.spark.TableSpec;
import java.util.List;
import org.apache.spark.sql.types.DataTypes;

/** {@code recommendations} (one row per recommendation, kept by MERGE, never deleted) and its nightly history. RECOMMENDATIONS.md. */
public final class RecommendationTables {
  private RecommendationTables() {}

  /** Column names of {@code recommendations}; RECOMMENDATIONS is built from them, so a constant always names one of its columns. */
  public static final class Recommendations {
    public static final String RECOMMENDATION_ID = "recommendation_id";
    public static final String KIND = "kind";
    public static final String STATUS = "status";
    public static final String CLUSTER = "cluster";
    public static final String NAMESPACE = "namespace";
    public static final String WORKLOAD_KIND = "workload_kind";
    public static final String WORKLOAD_NAME = "workload_name";
    public static final String WORKLOAD_TYPE = "workload_type";
    public static final String TEAM = "team";
    public static final String NODE = "node";
    public static final String INSTANCE_TYPE = "instance_type";
    public static final String FIRST_SEEN = "first_seen";
    public static final String LAST_SEEN = "last_seen";
    public static final String RESOLVED_ON = "resolved_on";
    public static final String WINDOW_DAYS = "window_days";
    public static final String MONTHLY_SAVINGS = "monthly_savings";
    public static final String MONTHLY_SAVINGS_AT_LIST = "monthly_savings_at_list";
    public static final String REALIZED_MONTHLY_SAVINGS = "realized_monthly_savings";
    public static final String CONFIDENCE = "confidence";
    public static final String EVIDENCE = "evidence";
    public static final String ACTION = "action";
    public static final String PATCH = "patch";
    public static final String TICKET_SYSTEM = "ticket_system";
    public static final String TICKET_KEY = "ticket_key";
    public static final String TICKET_URL = "ticket_url";
    public static final String TICKET_STATE = "ticket_state";
    public static final String TICKET_ERROR = "ticket_error";
    public static final String TICKET_SYNCED_AT = "ticket_synced_at";
    public static final String CURRENCY = "currency";

    private Recommendations() {}
  }

  public static final TableSpec RECOMMENDATIONS =
      new TableSpec(
          "recommendations",
          "Savings recommendations: who should act, what to change, what it saves per month and the evidence. One row per recommendation_id, "
              + "maintained by MERGE (OPEN, UPDATED, RESOLVED, REOPENED); rows are never deleted.",
          List.of(
              col(
                  Recommendations.RECOMMENDATION_ID,
                  DataTypes.StringType,
                  "first 16 hex digits of sha256(kind | subject)"),
              col(
                  Recommendations.KIND,
                  DataTypes.StringType,
                  "CULL_IDLE_NOTEBOOK | RIGHTSIZE_INFERENCE_REPLICAS | RELEASE_IDLE_TRAINING_GPUS | RIGHTSIZE_GPU | CONSOLIDATE_UNALLOCATED | COMMITMENT_COVERAGE"),
              col(
                  Recommendations.STATUS,
                  DataTypes.StringType,
                  "OPEN | UPDATED | RESOLVED | REOPENED"),
              col(
                  Recommendations.CLUSTER,
                  DataTypes.StringType,
                  "cluster of the subject (null for a commitment)"),
              col(
                  Recommendations.NAMESPACE,
                  DataTypes.StringType,
                  "namespace of the workload (workload kinds)"),
              col(
                  Recommendations.WORKLOAD_KIND,
                  DataTypes.StringType,
                  "top controller kind of the workload"),
              col(
                  Recommendations.WORKLOAD_NAME,
                  DataTypes.StringType,
                  "top controller name of the workload"),
              col(
                  Recommendations.WORKLOAD_TYPE,
                  DataTypes.StringType,
                  "training | inference | notebook | other"),
              col(Recommendations.TEAM, DataTypes.StringType, "team that should act"),
              col(Recommendations.NODE, DataTypes.StringType, "node (CONSOLIDATE_UNALLOCATED)"),
              col(
                  Recommendations.INSTANCE_TYPE,
                  DataTypes.StringType,
                  "instance type (CONSOLIDATE_UNALLOCATED, COMMITMENT_COVERAGE)"),
              col(Recommendations.FIRST_SEEN, DataTypes.DateType, "first night it triggered"),
              col(Recommendations.LAST_SEEN, DataTypes.DateType, "last night it triggered"),
              col(
                  Recommendations.RESOLVED_ON,
                  DataTypes.DateType,
                  "night it was resolved (resolve_after_days nights without triggering); null while open"),
              col(
                  Recommendations.WINDOW_DAYS,
                  DataTypes.IntegerType,
                  "days of the trailing window it was measured over"),
              col(
                  Recommendations.MONTHLY_SAVINGS,
                  DataTypes.DoubleType,
                  "savings per month at amortized cost: window figure x 30 / days with data (commitments: floor x 730 h x rate x discount)"),
              col(
                  Recommendations.MONTHLY_SAVINGS_AT_LIST,
                  DataTypes.DoubleType,
                  "the same savings at public on-demand (list) prices"),
              col(
                  Recommendations.REALIZED_MONTHLY_SAVINGS,
                  DataTypes.DoubleType,
                  "on resolve: (mean daily cost of the subject over the window up to first_seen - over the window up to resolved_on) x 30, floored at 0"),
              col(
                  Recommendations.CONFIDENCE,
                  DataTypes.StringType,
                  "high | medium | low, from coverage of the window and steadiness (the evidence says how)"),
              col(
                  Recommendations.EVIDENCE,
                  DataTypes.StringType,
                  "JSON: the numbers that triggered it, the window, the percentiles used, how confidence was judged"),
              col(Recommendations.ACTION, DataTypes.StringType, "what to change, in words"),
              col(Recommendations.PATCH, DataTypes.StringType, "YAML fragment to apply, or null"),
              col(
                  Recommendations.TICKET_SYSTEM,
                  DataTypes.StringType,
                  "jira | github | webhook | outbox, once filed"),
              col(Recommendations.TICKET_KEY, DataTypes.StringType, "ticket key or number"),
              col(
                  Recommendations.TICKET_URL,
                  DataTypes.StringType,
                  "ticket link, once filed (null until then; a failed sync writes its reason to ticket_error, never here)"),
              col(
                  Recommendations.TICKET_STATE,
                  DataTypes.StringType,
                  "OPEN | CLOSED | ERROR: state of the ticket at the last sync (ERROR: it failed, ticket_error says why)"),
              col(
                  Recommendations.TICKET_ERROR,
                  DataTypes.StringType,
                  "why the last ticket sync failed (ticket_state ERROR), e.g. HTTP 400 from POST /rest/api/3/issue: ...; null after a sync that worked"),
              col(Recommendations.TICKET_SYNCED_AT, DataTypes.TimestampType, "last ticket sync"),
              col(Recommendations.CURRENCY, DataTypes.StringType, "billing currency")),
          null);

  /** Column names of {@code recommendation_history}; HISTORY is built from them, so a constant always names one of its columns. */
  public static final class History {
    public static final String DATE = "date";
    public static final String RECOMMENDATION_ID = "recommendation_id";
    public static final String KIND = "kind";
    public static final String SUBJECT = "subject";
    public static final String STATUS = "status";
    public static final String TRIGGERED = "triggered";
    public static final String MONTHLY_SAVINGS = "monthly_savings";
    public static final String SAVINGS_AT_SYNC = "savings_at_sync";
    public static final String FIRST_SEEN = "first_seen";
    public static final String LAST_SEEN = "last_seen";
    public static final String RESOLVED_ON = "resolved_on";
    public static final String CONFIDENCE = "confidence";
    public static final String CURRENCY = "currency";

    private History() {}
  }

  public static final TableSpec HISTORY =
      new TableSpec(
          "recommendation_history",
          "One row per night per live recommendation (triggered, or open and not yet resolved, or resolved that night): its status and savings. "
              + "A night's rows are replaced when it is re-run, so re-running changes nothing.",
          List.of(
              col(History.DATE, DataTypes.DateType, "run date (the last day of the window)"),
              col(History.RECOMMENDATION_ID, DataTypes.StringType, "recommendation id"),
              col(History.KIND, DataTypes.StringType, "kind"),
              col(
                  History.SUBJECT,
                  DataTypes.StringType,
                  "what it is about: cluster/namespace/workload_kind/workload_name, cluster/node, or instance_type/region"),
              col(History.STATUS, DataTypes.StringType, "status after this night"),
              col(History.TRIGGERED, DataTypes.BooleanType, "whether it triggered this night"),
              col(
                  History.MONTHLY_SAVINGS,
                  DataTypes.DoubleType,
                  "monthly savings measured this night (the last measured figure when not triggered)"),
              col(
                  History.SAVINGS_AT_SYNC,
                  DataTypes.DoubleType,
                  "monthly savings at the last ticket sync (when opened, reopened or updated): the base of the 20% UPDATED rule"),
              col(History.FIRST_SEEN, DataTypes.DateType, "first night it triggered"),
              col(History.LAST_SEEN, DataTypes.DateType, "last night it triggered, up to this one"),
              col(
                  History.RESOLVED_ON,
                  DataTypes.DateType,
                  "night it was resolved, null while open"),
              col(History.CONFIDENCE, DataTypes.StringType, "high | medium | low"),
              col(History.CURRENCY, DataTypes.StringType, "billing currency")),
          History.DATE);
}
