package dev.idleledger.recommend;

import static dev.idleledger.spark.TableSpec.col;

import dev.idleledger.spark.TableSpec;
import java.util.List;
import org.apache.spark.sql.types.DataTypes;

/** {@code recommendations} (one row per recommendation, kept by MERGE, never deleted) and its nightly history. RECOMMENDATIONS.md. */
public final class RecommendationTables {
  private RecommendationTables() {}

  public static final TableSpec RECOMMENDATIONS = new TableSpec("recommendations",
      "Savings recommendations: who should act, what to change, what it saves per month and the evidence. One row per recommendation_id, "
          + "maintained by MERGE (OPEN, UPDATED, RESOLVED, REOPENED); rows are never deleted.",
      List.of(
          col("recommendation_id", DataTypes.StringType, "first 16 hex digits of sha256(kind | subject)"),
          col("kind", DataTypes.StringType, "CULL_IDLE_NOTEBOOK | RIGHTSIZE_INFERENCE_REPLICAS | RELEASE_IDLE_TRAINING_GPUS | RIGHTSIZE_GPU | CONSOLIDATE_UNALLOCATED | COMMITMENT_COVERAGE"),
          col("status", DataTypes.StringType, "OPEN | UPDATED | RESOLVED | REOPENED"),
          col("cluster", DataTypes.StringType, "cluster of the subject (null for a commitment)"),
          col("namespace", DataTypes.StringType, "namespace of the workload (workload kinds)"),
          col("workload_kind", DataTypes.StringType, "top controller kind of the workload"),
          col("workload_name", DataTypes.StringType, "top controller name of the workload"),
          col("workload_type", DataTypes.StringType, "training | inference | notebook | other"),
          col("team", DataTypes.StringType, "team that should act"),
          col("node", DataTypes.StringType, "node (CONSOLIDATE_UNALLOCATED)"),
          col("instance_type", DataTypes.StringType, "instance type (CONSOLIDATE_UNALLOCATED, COMMITMENT_COVERAGE)"),
          col("first_seen", DataTypes.DateType, "first night it triggered"),
          col("last_seen", DataTypes.DateType, "last night it triggered"),
          col("resolved_on", DataTypes.DateType, "night it was resolved (resolve_after_days nights without triggering); null while open"),
          col("window_days", DataTypes.IntegerType, "days of the trailing window it was measured over"),
          col("monthly_savings", DataTypes.DoubleType, "savings per month at amortized cost: window figure x 30 / days with data (commitments: floor x 730 h x rate x discount)"),
          col("monthly_savings_at_list", DataTypes.DoubleType, "the same savings at public on-demand (list) prices"),
          col("realized_monthly_savings", DataTypes.DoubleType, "on resolve: (mean daily cost of the subject over the window up to first_seen - over the window up to resolved_on) x 30, floored at 0"),
          col("confidence", DataTypes.StringType, "high | medium | low, from coverage of the window and steadiness (the evidence says how)"),
          col("evidence", DataTypes.StringType, "JSON: the numbers that triggered it, the window, the percentiles used, how confidence was judged"),
          col("action", DataTypes.StringType, "what to change, in words"),
          col("patch", DataTypes.StringType, "YAML fragment to apply, or null"),
          col("ticket_system", DataTypes.StringType, "jira | github | webhook | outbox, once filed"),
          col("ticket_key", DataTypes.StringType, "ticket key or number"),
          col("ticket_url", DataTypes.StringType, "ticket link, once filed (null until then; a failed sync writes its reason to ticket_error, never here)"),
          col("ticket_state", DataTypes.StringType, "OPEN | CLOSED | ERROR: state of the ticket at the last sync (ERROR: it failed, ticket_error says why)"),
          col("ticket_error", DataTypes.StringType, "why the last ticket sync failed (ticket_state ERROR), e.g. HTTP 400 from POST /rest/api/3/issue: ...; null after a sync that worked"),
          col("ticket_synced_at", DataTypes.TimestampType, "last ticket sync"),
          col("currency", DataTypes.StringType, "billing currency")),
      null);

  public static final TableSpec HISTORY = new TableSpec("recommendation_history",
      "One row per night per live recommendation (triggered, or open and not yet resolved, or resolved that night): its status and savings. "
          + "A night's rows are replaced when it is re-run, so re-running changes nothing.",
      List.of(
          col("date", DataTypes.DateType, "run date (the last day of the window)"),
          col("recommendation_id", DataTypes.StringType, "recommendation id"),
          col("kind", DataTypes.StringType, "kind"),
          col("subject", DataTypes.StringType, "what it is about: cluster/namespace/workload_kind/workload_name, cluster/node, or instance_type/region"),
          col("status", DataTypes.StringType, "status after this night"),
          col("triggered", DataTypes.BooleanType, "whether it triggered this night"),
          col("monthly_savings", DataTypes.DoubleType, "monthly savings measured this night (the last measured figure when not triggered)"),
          col("savings_at_sync", DataTypes.DoubleType, "monthly savings at the last ticket sync (when opened, reopened or updated): the base of the 20% UPDATED rule"),
          col("first_seen", DataTypes.DateType, "first night it triggered"),
          col("last_seen", DataTypes.DateType, "last night it triggered, up to this one"),
          col("resolved_on", DataTypes.DateType, "night it was resolved, null while open"),
          col("confidence", DataTypes.StringType, "high | medium | low"),
          col("currency", DataTypes.StringType, "billing currency")),
      "date");
}
