package dev.idleledger.recommend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.idleledger.attribute.GpuHourlyTable;
import dev.idleledger.config.InstanceCatalog;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.ingest.SilverTables;
import dev.idleledger.quality.QualityRecorder;
import dev.idleledger.spark.LakeTables;
import dev.idleledger.testing.TestSpark;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The stage against real lake tables: one day of data (an idle notebook, a mostly unallocated node), a 2-day
 * window. Night D opens both; re-running D changes nothing; three nights later, with no more data, both resolve
 * and the notebook's realized savings are its whole daily cost x 30 (it cost nothing since).
 */
class RecommendStageTest {
  private static final LocalDate D = LocalDate.of(2026, 11, 5);
  private static List<String> firstRecommendations;
  private static List<String> firstHistory;
  private static List<String> rerunRecommendations;
  private static List<String> rerunHistory;
  private static List<RecommendStage.TopRecommendation> top;
  private static List<Row> resolved;

  @BeforeAll
  static void runNights() {
    SparkSession spark = TestSpark.session();
    LedgerConfig config = TestSpark.config("catalog.database=recommend_stage_test", "recommend.window_days=2");
    InstanceCatalog catalog = InstanceCatalog.load(config);
    LakeTables tables = new LakeTables(spark, config);
    Fleet f = new Fleet(D);
    f.node("nb", "p5.4xlarge", 1, 36, 3, "Reserved").pod("research/nb-0", "Notebook", "nb", "notebook", "research")
        .run("nb", "GPU-NB", 0, 10, 10, 0.95, 30000, "research/nb-0")
        .run("nb", "GPU-NB", 10, 140, 10, 0.0, 30000, "research/nb-0");
    f.node("big", "p5.48xlarge", 8, 288, 1, "Reserved").pod("prod/solo-0", "Deployment", "solo", "inference", "prod")
        .run("big", "GPU-B0", 0, 60, 10, 0.95, 60000, "prod/solo-0");
    for (int g = 1; g < 8; g++) {
      f.run("big", "GPU-B" + g, 0, 60, 10, 0.0, 0);
    }
    List<LocalDate> day = List.of(D);
    tables.replaceDates(SilverTables.GPU_SAMPLES, f.samples(spark), day);
    tables.replaceDates(SilverTables.POD_INFO, f.pods(spark), day);
    tables.replaceDates(SilverTables.NODE_INFO, f.nodes(spark), day);
    tables.replaceDates(SilverTables.BILLING_HOURLY, f.bills(spark), day);
    tables.replaceDates(GpuHourlyTable.SPEC, f.gpuHourly(spark, config, catalog), day);

    RecommendStage stage = new RecommendStage(spark, config, catalog);
    stage.run(D, new QualityRecorder(tables, "run-1", D));
    firstRecommendations = snapshot(tables, RecommendationTables.RECOMMENDATIONS);
    firstHistory = snapshot(tables, RecommendationTables.HISTORY);
    top = stage.top(5);
    stage.run(D, new QualityRecorder(tables, "run-2", D));
    rerunRecommendations = snapshot(tables, RecommendationTables.RECOMMENDATIONS);
    rerunHistory = snapshot(tables, RecommendationTables.HISTORY);
    stage.run(D.plusDays(3), new QualityRecorder(tables, "run-3", D.plusDays(3)));
    resolved = tables.read(RecommendationTables.RECOMMENDATIONS).orderBy("kind").collectAsList();
  }

  private static List<String> snapshot(LakeTables tables, dev.idleledger.spark.TableSpec spec) {
    return tables.read(spec).collectAsList().stream().map(Row::toString).sorted().toList();
  }

  @Test
  void nightOpensOneRowPerRecommendationAndTopOrdersByMonthlySavings() {
    assertEquals(2, firstRecommendations.size());
    assertEquals(2, firstHistory.size());
    assertEquals(List.of("CONSOLIDATE_UNALLOCATED", "CULL_IDLE_NOTEBOOK"), top.stream().map(RecommendStage.TopRecommendation::kind).toList());
    assertEquals(7 * 36 * 30.0, top.get(0).monthlySavings(), 1e-6);
    assertEquals("c1/big", top.get(0).who());
    assertEquals("research: research/nb", top.get(1).who());
    assertEquals((150 - 10 - 60) * 60 * 0.01 * 30, top.get(1).monthlySavings(), 1e-6);
  }

  @Test
  void rerunningANightChangesNothing() {
    assertEquals(firstRecommendations, rerunRecommendations);
    assertEquals(firstHistory, rerunHistory);
  }

  @Test
  void quietNightsResolveAndRealizedSavingsAreMeasured() {
    assertEquals(2, resolved.size(), "rows are never deleted");
    for (Row r : resolved) {
      assertEquals("RESOLVED", r.getAs("status"), r.toString());
      assertEquals(Date.valueOf(D.plusDays(3)), r.getAs("resolved_on"));
      assertEquals(Date.valueOf(D), r.getAs("first_seen"));
      assertEquals(Date.valueOf(D), r.getAs("last_seen"));
      assertNull(r.getAs("ticket_key"));
    }
    Row nb = resolved.get(1);
    assertEquals("CULL_IDLE_NOTEBOOK", nb.getAs("kind"));
    // Before: the window up to first_seen had one day of data, the notebook's 150 minutes; after: nothing.
    assertEquals(150 * 60 * 0.01 * 30, nb.<Double>getAs("realized_monthly_savings"), 1e-6);
    Row big = resolved.get(0);
    assertEquals(7 * 36 * 30.0, big.<Double>getAs("realized_monthly_savings"), 1e-6, "its unallocated cost per day, gone");
  }
}
