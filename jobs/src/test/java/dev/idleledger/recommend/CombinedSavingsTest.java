package dev.idleledger.recommend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.spark.LakeTables;
import dev.idleledger.tables.RecommendationTables;
import dev.idleledger.testing.TestSpark;
import java.sql.Date;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Savings that add up, on hand-built recommendations rows whose figures are worked out below:
 * <ul>
 *   <li>research/nb-bob (the demo's case): RIGHTSIZE_GPU 3,134 (MIG 3g of 7 slices: share 4/7, so the notebook costs
 *       3,134 x 7/4 = 5,484.50 a month) and CULL_IDLE_NOTEBOOK 2,843. The MIG move ranks first; the cull then saves
 *       its idle seconds at 3/7 of their price: 2,843 x 3/7 = 1,218.428571. Together 4,352.428571 (the other order
 *       gives the same: 2,843 + 4/7 x (5,484.50 - 2,843) = 2,843 + 1,509.428571).</li>
 *   <li>serving/api, three kinds (no workload type triggers three today; the rule does not depend on it): the
 *       workload costs 2,800. RIGHTSIZE_GPU 2g of 7 saves 5/7 = 2,000; RIGHTSIZE_INFERENCE_REPLICAS 4 to 2 saves 1/2 =
 *       1,400; RELEASE_IDLE_TRAINING_GPUS 700 (share 1/4). Remaining: 2,000; 1,400 x 2/7 = 400; 700 x 2/7 x 1/2 = 100.
 *       Together 2,500 = 2,800 x (1 - 2/7 x 1/2 x 3/4).</li>
 *   <li>a node (CONSOLIDATE_UNALLOCATED 500) and a lone notebook cull (80): nothing overlaps, each keeps its figure.</li>
 *   <li>a RESOLVED cull (900) is not live and counts nowhere.</li>
 * </ul>
 */
class CombinedSavingsTest {
  private static final double EPS = 1e-6;
  private static Map<String, Row> byId;
  private static CombinedSavings.Totals totals;
  private static Map<String, Row> viewById;

  @BeforeAll
  static void combine() {
    SparkSession spark = TestSpark.session();
    List<Row> rows = new ArrayList<>();
    rows.add(
        rec(
            "bob-gpu",
            "RIGHTSIZE_GPU",
            "OPEN",
            "research",
            "Notebook",
            "nb-bob",
            null,
            3134.0,
            "{\"compute_slices\":3,\"slices_per_gpu\":7}"));
    rows.add(
        rec(
            "bob-cull",
            "CULL_IDLE_NOTEBOOK",
            "UPDATED",
            "research",
            "Notebook",
            "nb-bob",
            null,
            2843.0,
            "{\"idle_streaks_over_threshold\":4}"));
    rows.add(
        rec(
            "api-gpu",
            "RIGHTSIZE_GPU",
            "OPEN",
            "serving",
            "Deployment",
            "api",
            null,
            2000.0,
            "{\"compute_slices\":2,\"slices_per_gpu\":7}"));
    rows.add(
        rec(
            "api-rep",
            "RIGHTSIZE_INFERENCE_REPLICAS",
            "REOPENED",
            "serving",
            "Deployment",
            "api",
            null,
            1400.0,
            "{\"replicas_median\":4,\"recommended_replicas\":2}"));
    rows.add(
        rec(
            "api-rel",
            "RELEASE_IDLE_TRAINING_GPUS",
            "OPEN",
            "serving",
            "Deployment",
            "api",
            null,
            700.0,
            "{}"));
    rows.add(
        rec(
            "node",
            "CONSOLIDATE_UNALLOCATED",
            "OPEN",
            null,
            null,
            null,
            "gpu-node-7",
            500.0,
            "{}"));
    rows.add(
        rec(
            "eve-cull",
            "CULL_IDLE_NOTEBOOK",
            "OPEN",
            "research",
            "Notebook",
            "nb-eve",
            null,
            80.0,
            "{}"));
    rows.add(
        rec(
            "old-cull",
            "CULL_IDLE_NOTEBOOK",
            "RESOLVED",
            "research",
            "Notebook",
            "nb-old",
            null,
            900.0,
            "{}"));
    Dataset<Row> recommendations =
        spark.createDataFrame(rows, RecommendationTables.RECOMMENDATIONS.schema());

    Dataset<Row> combined = CombinedSavings.of(spark, recommendations);
    byId = index(combined.collectAsList());
    totals = CombinedSavings.totals(combined);

    // The published view: the same SQL over a Delta recommendations table.
    LakeTables tables =
        new LakeTables(spark, TestSpark.config("catalog.database=combined_savings_test"));
    tables.append(RecommendationTables.RECOMMENDATIONS, recommendations);
    CombinedSavings.publish(tables);
    viewById = index(spark.table(tables.qualified(CombinedSavings.VIEW)).collectAsList());
  }

  @Test
  void aNotebookThatCanBeCulledAndMovedToMigCountsTheCullOnlyOnWhatTheSliceLeaves() {
    assertSavings("bob-gpu", 1, 3134.0, 3134.0, null);
    assertSavings("bob-cull", 2, 2843.0, 2843.0 * 3 / 7, "RIGHTSIZE_GPU");
    assertEquals(
        3134.0 + 2843.0 * 3 / 7,
        byId.get("bob-cull").<Double>getAs("subject_combined_monthly_savings"),
        EPS);
    assertEquals(
        4352.428571, byId.get("bob-gpu").<Double>getAs("subject_combined_monthly_savings"), 1e-6);
  }

  @Test
  void threeKindsOnOneWorkloadEachSaveTheirShareOfWhatTheOnesBeforeLeft() {
    assertSavings("api-gpu", 1, 2000.0, 2000.0, null);
    assertSavings("api-rep", 2, 1400.0, 400.0, "RIGHTSIZE_GPU");
    assertSavings("api-rel", 3, 700.0, 100.0, "RIGHTSIZE_GPU, RIGHTSIZE_INFERENCE_REPLICAS");
    assertEquals(
        2500.0, byId.get("api-rel").<Double>getAs("subject_combined_monthly_savings"), EPS);
  }

  @Test
  void aSubjectWithOneRecommendationKeepsItsOwnFigure() {
    assertSavings("node", 1, 500.0, 500.0, null);
    assertSavings("eve-cull", 1, 80.0, 80.0, null);
    assertEquals(80.0, byId.get("eve-cull").<Double>getAs("subject_combined_monthly_savings"), EPS);
  }

  @Test
  void resolvedRecommendationsAreNotAddedUp() {
    assertTrue(!byId.containsKey("old-cull"), "a resolved recommendation is not live");
    assertEquals(7, byId.size());
  }

  @Test
  void totalsCountOverlapsOnceOverallAndPerTeam() {
    // 4,352.428571 (nb-bob) + 2,500 (api) + 500 (node) + 80 (nb-eve); their own figures add to
    // 10,657.
    assertEquals(4352.428571428571 + 2500 + 500 + 80, totals.combinedMonthlySavings(), EPS);
    assertEquals(3134 + 2843 + 2000 + 1400 + 700 + 500 + 80, totals.ownMonthlySavings(), EPS);
    assertEquals(7, totals.recommendations());
    assertEquals(3, totals.overlapping());
    assertEquals("USD", totals.currency());
    Map<String, Double> teams = new HashMap<>();
    totals.teams().forEach(t -> teams.put(String.valueOf(t.team()), t.combinedMonthlySavings()));
    assertEquals(
        Map.of("research", 4352.428571428571 + 80, "serving", 2500.0, "null", 500.0).keySet(),
        teams.keySet());
    assertEquals(4432.428571428571, teams.get("research"), EPS);
    assertEquals(2500.0, teams.get("serving"), EPS);
    assertEquals(500.0, teams.get("null"), EPS);
    assertEquals("research", totals.teams().get(0).team(), "largest combined savings first");
  }

  @Test
  void thePublishedViewGivesTheSameFiguresAsTheTransform() {
    assertEquals(byId.keySet(), viewById.keySet());
    for (Map.Entry<String, Row> e : byId.entrySet()) {
      Row v = viewById.get(e.getKey());
      assertEquals(
          e.getValue().<Double>getAs("remaining_monthly_savings"),
          v.<Double>getAs("remaining_monthly_savings"),
          EPS,
          e.getKey());
      assertEquals(
          (Object) e.getValue().getAs("overlaps_with"), v.getAs("overlaps_with"), e.getKey());
      assertEquals(
          (Object) e.getValue().getAs("combined_savings_rank"),
          v.getAs("combined_savings_rank"),
          e.getKey());
    }
    StructField remaining =
        TestSpark.session()
            .table("combined_savings_test." + CombinedSavings.VIEW)
            .schema()
            .apply("remaining_monthly_savings");
    assertTrue(
        remaining.getComment().isDefined() && remaining.getComment().get().contains("Sum this"),
        "the view's columns carry comments");
  }

  private static void assertSavings(
      String id, int rank, double own, double remaining, String overlapsWith) {
    Row r = byId.get(id);
    assertEquals(rank, r.<Integer>getAs("combined_savings_rank"), id + " rank");
    assertEquals(own, r.<Double>getAs("monthly_savings"), EPS, id + " keeps its own figure");
    assertEquals(remaining, r.<Double>getAs("remaining_monthly_savings"), EPS, id + " remaining");
    if (overlapsWith == null) {
      assertNull(r.getAs("overlaps_with"), id);
    } else {
      assertEquals(overlapsWith, r.getAs("overlaps_with"), id);
    }
  }

  private static Map<String, Row> index(List<Row> rows) {
    Map<String, Row> out = new HashMap<>();
    rows.forEach(r -> out.put(r.getAs("recommendation_id"), r));
    return out;
  }

  /** A recommendations row in the table's column order; the fields the combination does not read are plain placeholders. */
  private static Row rec(
      String id,
      String kind,
      String status,
      String team,
      String workloadKind,
      String workloadName,
      String node,
      double savings,
      String evidence) {
    Map<String, Object> v = new HashMap<>();
    v.put("recommendation_id", id);
    v.put("kind", kind);
    v.put("status", status);
    v.put("cluster", "c1");
    v.put("namespace", workloadName == null ? null : team);
    v.put("workload_kind", workloadKind);
    v.put("workload_name", workloadName);
    v.put("team", team);
    v.put("node", node);
    v.put("first_seen", Date.valueOf("2026-11-01"));
    v.put("last_seen", Date.valueOf("2026-11-03"));
    v.put("window_days", 7);
    v.put("monthly_savings", savings);
    v.put("monthly_savings_at_list", savings);
    v.put("confidence", "high");
    v.put("evidence", evidence);
    v.put("action", "do " + kind);
    v.put("currency", "USD");
    Object[] values = new Object[RecommendationTables.RECOMMENDATIONS.columnNames().length];
    String[] names = RecommendationTables.RECOMMENDATIONS.columnNames();
    for (int i = 0; i < names.length; i++) {
      values[i] = v.get(names[i]);
    }
    return RowFactory.create(values);
  }
}
