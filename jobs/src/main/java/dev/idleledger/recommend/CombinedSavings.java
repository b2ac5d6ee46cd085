package dev.idleledger.recommend;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.idleledger.spark.LakeTables;
import dev.idleledger.tables.RecommendationKind;
import dev.idleledger.tables.RecommendationStatus;
import dev.idleledger.tables.RecommendationTables;
import dev.idleledger.tables.RecommendationTables.Recommendations;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Savings that add up: several open recommendations on one subject overlap (culling an idle notebook removes
 * most of what moving it to a MIG slice would save), so a total must count the subject once. Each subject's
 * recommendations are applied in order of their own savings, largest first, each on what the ones before it
 * left; every recommendation keeps its own {@code monthly_savings}, and gains its rank, what it still saves after
 * the ones ranked before it ({@code remaining_monthly_savings}) and which kinds those are ({@code overlaps_with}).
 *
 * <p><b>What remains.</b> Every kind saves a part of the subject's monthly cost C (RECOMMENDATIONS.md):
 * <ul>
 *   <li>RIGHTSIZE_GPU saves C x (1 - k / slices) and RIGHTSIZE_INFERENCE_REPLICAS saves C x (R - R') / R: a fixed
 *       share of the whole cost, so after others they save that share of what is left;</li>
 *   <li>CULL_IDLE_NOTEBOOK and RELEASE_IDLE_TRAINING_GPUS save the cost of some idle seconds. Once a share kind has
 *       cut every second of the workload to (1 - its share) of its price, those idle seconds cost that much less
 *       too; and once they are gone, a share kind saves its share of the cost without them.</li>
 * </ul>
 * So each recommendation i saves the share s_i = S_i / C of whatever the subject still costs, and after
 * recommendations j ranked before it, it saves S_i x prod_j (1 - s_j). The subject's combined savings are
 * C x (1 - prod_i (1 - s_i)) whatever the order; the order decides only which one is listed as the overlap.
 * C comes from a share kind on the subject: C = S / its share (k, slices, R and R' are exact integers in its
 * evidence). A subject without a share kind has one recommendation in practice (CULL only triggers for notebooks,
 * RELEASE only for training; a node and an instance type/region carry one kind each), so nothing overlaps; were
 * it to have two, C is unknown and each keeps its own figure.
 *
 * <p>Published as the view {@link #VIEW} over {@code recommendations} (the live ones), with the same SQL that
 * {@link #of} runs on any frame of recommendations rows, so the demo, the report and the notebooks add up the same way.
 */
public final class CombinedSavings {
  /** The view analysts read: live recommendations with their combined figures. */
  public static final String VIEW = "recommendation_savings";

  /** Per team (null team = the platform's: nodes and commitments), what the open recommendations save together. */
  public record TeamSavings(String team, double combinedMonthlySavings, double ownMonthlySavings) {}

  /** The total of the open recommendations, overlaps counted once, and the same per team. */
  public record Totals(
      double combinedMonthlySavings,
      double ownMonthlySavings,
      int recommendations,
      int overlapping,
      String currency,
      List<TeamSavings> teams) {}

  // The view's own columns; the others are the recommendations table's
  // (RecommendationTables.Recommendations).
  public static final String SUBJECT = "subject";
  public static final String COMBINED_SAVINGS_RANK = "combined_savings_rank";
  public static final String REMAINING_MONTHLY_SAVINGS = "remaining_monthly_savings";
  public static final String OVERLAPS_WITH = "overlaps_with";
  public static final String SUBJECT_COMBINED_MONTHLY_SAVINGS = "subject_combined_monthly_savings";

  /** Column name, SQL comment. */
  private static final String[][] COLUMNS = {
    {Recommendations.RECOMMENDATION_ID, "recommendation id (recommendations.recommendation_id)"},
    {Recommendations.KIND, "kind of the recommendation"},
    {Recommendations.STATUS, "OPEN | UPDATED | REOPENED (only live recommendations are listed)"},
    {Recommendations.TEAM, "team that should act (null for nodes and commitments: the platform's)"},
    {Recommendations.CLUSTER, "cluster of the subject"},
    {Recommendations.NAMESPACE, "namespace of the workload"},
    {Recommendations.WORKLOAD_KIND, "top controller kind of the workload"},
    {Recommendations.WORKLOAD_NAME, "top controller name of the workload"},
    {Recommendations.WORKLOAD_TYPE, "training | inference | notebook | other"},
    {Recommendations.NODE, "node (CONSOLIDATE_UNALLOCATED)"},
    {Recommendations.INSTANCE_TYPE, "instance type (CONSOLIDATE_UNALLOCATED, COMMITMENT_COVERAGE)"},
    {
      SUBJECT,
      "what the overlapping recommendations share: cluster/namespace/workload_kind/workload_name, or kind|recommendation_id for a node or commitment"
    },
    {
      Recommendations.MONTHLY_SAVINGS,
      "the recommendation's own monthly savings, as if it were the only one (recommendations.monthly_savings)"
    },
    {
      COMBINED_SAVINGS_RANK,
      "1 = largest own savings on its subject; recommendations are applied in this order"
    },
    {
      REMAINING_MONTHLY_SAVINGS,
      "what it still saves per month after the ones ranked before it on the same subject: monthly_savings x prod(1 - their share of the subject's cost). Sum this, not monthly_savings"
    },
    {
      OVERLAPS_WITH,
      "kinds ranked before it on the same subject, comma-separated; null when it is first (nothing overlaps)"
    },
    {
      SUBJECT_COMBINED_MONTHLY_SAVINGS,
      "what all live recommendations of the subject save together per month (sum of remaining_monthly_savings over the subject)"
    },
    {Recommendations.CONFIDENCE, "high | medium | low"},
    {Recommendations.ACTION, "what to change, in words"},
    {Recommendations.TICKET_URL, "ticket link, once filed"},
    {
      Recommendations.TICKET_ERROR,
      "why the last ticket sync failed (recommendations.ticket_error); null when it worked"
    },
    {Recommendations.CURRENCY, "billing currency"}
  };

  private CombinedSavings() {}

  /**
   * The combined figures of the live rows of {@code recommendations} (columns of the table, at least those the
   * SQL reads), one row per live recommendation, columns {@link #columnNames()}.
   */
  public static Dataset<Row> of(SparkSession spark, Dataset<Row> recommendations) {
    String view = "combined_savings_" + Long.toHexString(System.nanoTime());
    recommendations.createOrReplaceTempView(view);
    try {
      // Collected into a local frame so the temp view can go: the result is one row per live
      // recommendation.
      Dataset<Row> out = spark.sql(select(view));
      return spark.createDataFrame(out.collectAsList(), out.schema());
    } finally {
      spark.catalog().dropTempView(view);
    }
  }

  /** (Re)creates the view {@link #VIEW} over the lake's {@code recommendations}, with a comment per column. */
  public static void publish(LakeTables tables) {
    tables.ensure(RecommendationTables.RECOMMENDATIONS);
    List<String> cols = new ArrayList<>();
    for (String[] c : COLUMNS) {
      cols.add(c[0] + " COMMENT '" + c[1].replace("'", "\\'") + "'");
    }
    tables
        .spark()
        .sql(
            "CREATE OR REPLACE VIEW "
                + tables.qualified(VIEW)
                + " ("
                + String.join(", ", cols)
                + ") COMMENT '"
                + "Live recommendations with savings that add up: per subject, applied largest first, each on what the ones before it left. "
                + "Sum remaining_monthly_savings for totals.' AS "
                + select(tables.qualified(RecommendationTables.RECOMMENDATIONS)));
  }

  /**
   * Who should act on a recommendation, in one string: {@code team: namespace/workload} for a workload, {@code cluster/node}
   * for a node, the instance type for a commitment. The demo's list and the report show the same words.
   */
  public static Column who() {
    Column workload = col(Recommendations.WORKLOAD_NAME);
    Column node = col(Recommendations.NODE);
    return when(
            workload.isNotNull(),
            concat_ws(
                "",
                coalesce(col(Recommendations.TEAM), lit("")),
                lit(": "),
                col(Recommendations.NAMESPACE),
                lit("/"),
                workload))
        .when(node.isNotNull(), concat_ws("/", col(Recommendations.CLUSTER), node))
        .otherwise(col(Recommendations.INSTANCE_TYPE));
  }

  public static String[] columnNames() {
    String[] names = new String[COLUMNS.length];
    for (int i = 0; i < COLUMNS.length; i++) {
      names[i] = COLUMNS[i][0];
    }
    return names;
  }

  /** Totals of a frame from {@link #of} (or the view): overlaps counted once, overall and per team. */
  public static Totals totals(Dataset<Row> combined) {
    Row all =
        combined
            .agg(
                sum(REMAINING_MONTHLY_SAVINGS),
                sum(Recommendations.MONTHLY_SAVINGS),
                count("*"),
                count(OVERLAPS_WITH),
                max(Recommendations.CURRENCY))
            .first();
    List<TeamSavings> teams = new ArrayList<>();
    for (Row r :
        combined
            .groupBy(Recommendations.TEAM)
            .agg(
                sum(REMAINING_MONTHLY_SAVINGS).as("combined"),
                sum(Recommendations.MONTHLY_SAVINGS).as("own"))
            .orderBy(desc("combined"), coalesce(col(Recommendations.TEAM), lit("")))
            .collectAsList()) {
      teams.add(new TeamSavings(r.getString(0), r.getDouble(1), r.getDouble(2)));
    }
    return new Totals(
        all.isNullAt(0) ? 0 : all.getDouble(0),
        all.isNullAt(1) ? 0 : all.getDouble(1),
        (int) all.getLong(2),
        (int) all.getLong(3),
        all.isNullAt(4) ? "USD" : all.getString(4),
        teams);
  }

  /**
   * The one definition, over a table or view named {@code source}. share = the part of the subject's cost a
   * share kind saves, from its evidence; cost = the subject's monthly cost, S / share; left = 1 - S / cost, what
   * a recommendation leaves of the subject's cost (unknown, so skipped by collect_list, when cost is).
   */
  // The SQL names the recommendations columns as written (one query reads best as SQL); a renamed
  // column fails it at analysis, in CombinedSavingsTest and every test that publishes the view.
  static String select(String source) {
    String order = "PARTITION BY subject ORDER BY monthly_savings DESC, recommendation_id";
    return "WITH live AS ("
        + " SELECT recommendation_id, kind, status, team, cluster, namespace, workload_kind, workload_name, workload_type, node, instance_type,"
        + " monthly_savings, confidence, action, ticket_url, ticket_error, currency,"
        + " CASE WHEN workload_name IS NOT NULL THEN concat_ws('/', cluster, namespace, workload_kind, workload_name)"
        + " ELSE concat(kind, '|', recommendation_id) END AS subject,"
        + " CASE kind"
        + " WHEN '"
        + RecommendationKind.RIGHTSIZE_GPU
        + "' THEN 1D - CAST(get_json_object(evidence, '$.compute_slices') AS DOUBLE)"
        + " / CAST(get_json_object(evidence, '$.slices_per_gpu') AS DOUBLE)"
        + " WHEN '"
        + RecommendationKind.RIGHTSIZE_INFERENCE_REPLICAS
        + "' THEN 1D - CAST(get_json_object(evidence, '$.recommended_replicas') AS DOUBLE)"
        + " / CAST(get_json_object(evidence, '$.replicas_median') AS DOUBLE)"
        + " END AS share"
        + " FROM "
        + source
        + " WHERE status IN ('"
        + RecommendationStatus.OPEN
        + "', '"
        + RecommendationStatus.UPDATED
        + "', '"
        + RecommendationStatus.REOPENED
        + "')),"
        + " costed AS (SELECT *, max(CASE WHEN share > 0 THEN monthly_savings / share END) OVER (PARTITION BY subject) AS subject_cost FROM live),"
        + " ranked AS (SELECT *,"
        + " row_number() OVER ("
        + order
        + ") AS combined_savings_rank,"
        + " collect_list(CASE WHEN subject_cost > 0 THEN greatest(0D, 1D - monthly_savings / subject_cost) END)"
        + " OVER ("
        + order
        + " ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS left_by_earlier,"
        + " collect_list(kind) OVER ("
        + order
        + " ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS earlier_kinds"
        + " FROM costed),"
        + " remaining AS (SELECT *, monthly_savings * aggregate(left_by_earlier, 1D, (acc, x) -> acc * x) AS remaining_monthly_savings FROM ranked)"
        + " SELECT recommendation_id, kind, status, team, cluster, namespace, workload_kind, workload_name, workload_type, node, instance_type,"
        + " subject, monthly_savings, CAST(combined_savings_rank AS INT) AS combined_savings_rank, remaining_monthly_savings,"
        + " CASE WHEN size(earlier_kinds) > 0 THEN array_join(earlier_kinds, ', ') END AS overlaps_with,"
        + " sum(remaining_monthly_savings) OVER (PARTITION BY subject) AS subject_combined_monthly_savings,"
        + " confidence, action, ticket_url, ticket_error, currency"
        + " FROM remaining";
  }
}
