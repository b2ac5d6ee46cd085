package dev.idleledger.recommend;

import static dev.idleledger.tables.RecommendationTables.Recommendations.ACTION;
import static dev.idleledger.tables.RecommendationTables.Recommendations.CLUSTER;
import static dev.idleledger.tables.RecommendationTables.Recommendations.CONFIDENCE;
import static dev.idleledger.tables.RecommendationTables.Recommendations.CURRENCY;
import static dev.idleledger.tables.RecommendationTables.Recommendations.EVIDENCE;
import static dev.idleledger.tables.RecommendationTables.Recommendations.INSTANCE_TYPE;
import static dev.idleledger.tables.RecommendationTables.Recommendations.KIND;
import static dev.idleledger.tables.RecommendationTables.Recommendations.MONTHLY_SAVINGS;
import static dev.idleledger.tables.RecommendationTables.Recommendations.NAMESPACE;
import static dev.idleledger.tables.RecommendationTables.Recommendations.NODE;
import static dev.idleledger.tables.RecommendationTables.Recommendations.RECOMMENDATION_ID;
import static dev.idleledger.tables.RecommendationTables.Recommendations.STATUS;
import static dev.idleledger.tables.RecommendationTables.Recommendations.TEAM;
import static dev.idleledger.tables.RecommendationTables.Recommendations.TICKET_ERROR;
import static dev.idleledger.tables.RecommendationTables.Recommendations.TICKET_URL;
import static dev.idleledger.tables.RecommendationTables.Recommendations.WORKLOAD_KIND;
import static dev.idleledger.tables.RecommendationTables.Recommendations.WORKLOAD_NAME;
import static dev.idleledger.tables.RecommendationTables.Recommendations.WORKLOAD_TYPE;
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

  // Intermediate columns of the view's SQL (select): a share kind's part of the subject's cost, the
  // subject's monthly cost, and per recommendation what the ones ranked before it leave of that
  // cost and their kinds.
  private static final String SHARE = "share";
  private static final String SUBJECT_COST = "subject_cost";
  private static final String LEFT_BY_EARLIER = "left_by_earlier";
  private static final String EARLIER_KINDS = "earlier_kinds";

  /** The recommendations columns the view lists before its own: which recommendation, on what. */
  private static final String[] IDENTITY = {
    RECOMMENDATION_ID,
    KIND,
    STATUS,
    TEAM,
    CLUSTER,
    NAMESPACE,
    WORKLOAD_KIND,
    WORKLOAD_NAME,
    WORKLOAD_TYPE,
    NODE,
    INSTANCE_TYPE
  };

  /** The recommendations columns the view lists after its own. */
  private static final String[] DETAILS = {CONFIDENCE, ACTION, TICKET_URL, TICKET_ERROR, CURRENCY};

  /** Column name, SQL comment. */
  private static final String[][] COLUMNS = {
    {RECOMMENDATION_ID, "recommendation id (recommendations.recommendation_id)"},
    {KIND, "kind of the recommendation"},
    {STATUS, "OPEN | UPDATED | REOPENED (only live recommendations are listed)"},
    {TEAM, "team that should act (null for nodes and commitments: the platform's)"},
    {CLUSTER, "cluster of the subject"},
    {NAMESPACE, "namespace of the workload"},
    {WORKLOAD_KIND, "top controller kind of the workload"},
    {WORKLOAD_NAME, "top controller name of the workload"},
    {WORKLOAD_TYPE, "training | inference | notebook | other"},
    {NODE, "node (CONSOLIDATE_UNALLOCATED)"},
    {INSTANCE_TYPE, "instance type (CONSOLIDATE_UNALLOCATED, COMMITMENT_COVERAGE)"},
    {
      SUBJECT,
      "what the overlapping recommendations share: cluster/namespace/workload_kind/workload_name, or kind|recommendation_id for a node or commitment"
    },
    {
      MONTHLY_SAVINGS,
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
    {CONFIDENCE, "high | medium | low"},
    {ACTION, "what to change, in words"},
    {TICKET_URL, "ticket link, once filed"},
    {
      TICKET_ERROR,
      "why the last ticket sync failed (recommendations.ticket_error); null when it worked"
    },
    {CURRENCY, "billing currency"}
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

  /**
   * Defines the view again in a session whose catalog was rebuilt from the lake's folders: the embedded
   * catalog ({@code LakeCatalog}) finds tables there, not views. Nothing happens before the first night has
   * written {@code recommendations}.
   */
  public static void republish(LakeTables tables) {
    if (tables
        .spark()
        .catalog()
        .tableExists(tables.qualified(RecommendationTables.RECOMMENDATIONS))) {
      publish(tables);
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
                + "Sum "
                + REMAINING_MONTHLY_SAVINGS
                + " for totals.' AS "
                + select(tables.qualified(RecommendationTables.RECOMMENDATIONS)));
  }

  /**
   * Who should act on a recommendation, in one string: {@code team: namespace/workload} for a workload, {@code cluster/node}
   * for a node, the instance type for a commitment. The demo's list and the report show the same words.
   */
  public static Column who() {
    Column workload = col(WORKLOAD_NAME);
    Column node = col(NODE);
    return when(
            workload.isNotNull(),
            concat_ws(
                "", coalesce(col(TEAM), lit("")), lit(": "), col(NAMESPACE), lit("/"), workload))
        .when(node.isNotNull(), concat_ws("/", col(CLUSTER), node))
        .otherwise(col(INSTANCE_TYPE));
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
                sum(MONTHLY_SAVINGS),
                count("*"),
                count(OVERLAPS_WITH),
                max(CURRENCY))
            .first();
    List<TeamSavings> teams = new ArrayList<>();
    for (Row r :
        combined
            .groupBy(TEAM)
            .agg(sum(REMAINING_MONTHLY_SAVINGS).as("combined"), sum(MONTHLY_SAVINGS).as("own"))
            .orderBy(desc("combined"), coalesce(col(TEAM), lit("")))
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
  // One query reads best as SQL. Its column names are the constants' (issue #18): renaming a
  // column renames it here too, instead of leaving the view to fail at analysis.
  static String select(String source) {
    String order =
        "PARTITION BY " + SUBJECT + " ORDER BY " + MONTHLY_SAVINGS + " DESC, " + RECOMMENDATION_ID;
    String earlier = " OVER (" + order + " ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)";
    return "WITH live AS ("
        + " SELECT "
        + list(IDENTITY)
        + ", "
        + MONTHLY_SAVINGS
        + ", "
        + list(DETAILS)
        + ","
        + " CASE WHEN "
        + WORKLOAD_NAME
        + " IS NOT NULL THEN concat_ws('/', "
        + list(CLUSTER, NAMESPACE, WORKLOAD_KIND, WORKLOAD_NAME)
        + ")"
        + " ELSE concat("
        + KIND
        + ", '|', "
        + RECOMMENDATION_ID
        + ") END AS "
        + SUBJECT
        + ","
        + " CASE "
        + KIND
        + " WHEN '"
        + RecommendationKind.RIGHTSIZE_GPU
        + "' THEN 1D - "
        + evidence("compute_slices")
        + " / "
        + evidence("slices_per_gpu")
        + " WHEN '"
        + RecommendationKind.RIGHTSIZE_INFERENCE_REPLICAS
        + "' THEN 1D - "
        + evidence("recommended_replicas")
        + " / "
        + evidence("replicas_median")
        + " END AS "
        + SHARE
        + " FROM "
        + source
        + " WHERE "
        + STATUS
        + " IN ('"
        + RecommendationStatus.OPEN
        + "', '"
        + RecommendationStatus.UPDATED
        + "', '"
        + RecommendationStatus.REOPENED
        + "')),"
        + " costed AS (SELECT *, max(CASE WHEN "
        + SHARE
        + " > 0 THEN "
        + MONTHLY_SAVINGS
        + " / "
        + SHARE
        + " END) OVER (PARTITION BY "
        + SUBJECT
        + ") AS "
        + SUBJECT_COST
        + " FROM live),"
        + " ranked AS (SELECT *,"
        + " row_number() OVER ("
        + order
        + ") AS "
        + COMBINED_SAVINGS_RANK
        + ","
        + " collect_list(CASE WHEN "
        + SUBJECT_COST
        + " > 0 THEN greatest(0D, 1D - "
        + MONTHLY_SAVINGS
        + " / "
        + SUBJECT_COST
        + ") END)"
        + earlier
        + " AS "
        + LEFT_BY_EARLIER
        + ","
        + " collect_list("
        + KIND
        + ")"
        + earlier
        + " AS "
        + EARLIER_KINDS
        + " FROM costed),"
        + " remaining AS (SELECT *, "
        + MONTHLY_SAVINGS
        + " * aggregate("
        + LEFT_BY_EARLIER
        + ", 1D, (acc, x) -> acc * x) AS "
        + REMAINING_MONTHLY_SAVINGS
        + " FROM ranked)"
        + " SELECT "
        + list(IDENTITY)
        + ","
        + " "
        + list(SUBJECT, MONTHLY_SAVINGS)
        + ", CAST("
        + COMBINED_SAVINGS_RANK
        + " AS INT) AS "
        + COMBINED_SAVINGS_RANK
        + ", "
        + REMAINING_MONTHLY_SAVINGS
        + ","
        + " CASE WHEN size("
        + EARLIER_KINDS
        + ") > 0 THEN array_join("
        + EARLIER_KINDS
        + ", ', ') END AS "
        + OVERLAPS_WITH
        + ","
        + " sum("
        + REMAINING_MONTHLY_SAVINGS
        + ") OVER (PARTITION BY "
        + SUBJECT
        + ") AS "
        + SUBJECT_COMBINED_MONTHLY_SAVINGS
        + ","
        + " "
        + list(DETAILS)
        + " FROM remaining";
  }

  /** A field of the recommendation's evidence JSON, as a double. */
  private static String evidence(String field) {
    return "CAST(get_json_object(" + EVIDENCE + ", '$." + field + "') AS DOUBLE)";
  }

  /** The columns as a SQL list, in order. */
  private static String list(String... columns) {
    return String.join(", ", columns);
  }
}
