package dev.idleledger.recommend;

import static dev.idleledger.testing.SilverRows.bill;
import static dev.idleledger.testing.SilverRows.node;
import static dev.idleledger.testing.SilverRows.pod;
import static dev.idleledger.testing.SilverRows.samples;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.idleledger.attribute.GpuHourlyTable;
import dev.idleledger.config.InstanceCatalog;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.ingest.SilverTables;
import dev.idleledger.quality.QualityRecorder;
import dev.idleledger.spark.LakeTables;
import dev.idleledger.spark.TableSpec;
import dev.idleledger.tables.RecommendationTables;
import dev.idleledger.testing.SilverRows;
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
  private static List<String> nightChecks;

  @BeforeAll
  static void runNights() {
    SparkSession spark = TestSpark.session();
    LedgerConfig config =
        TestSpark.config("catalog.database=recommend_stage_test", "recommend.window_days=2");
    InstanceCatalog catalog = InstanceCatalog.load(config);
    LakeTables tables = new LakeTables(spark, config);
    // A notebook on a p5.4xlarge (36 an hour, 0.01 a GPU-second): 10 active minutes, then 140 idle.
    SilverRows f =
        SilverRows.on(D)
            .add(
                node("nb")
                    .type("p5.4xlarge")
                    .gpus(1)
                    .billed(bill().forHours(3).cost(36).term("Reserved")))
            .add(pod("research/nb-0").workload("Notebook", "nb").type("notebook").team("research"))
            .add(
                samples("nb", "GPU-NB")
                    .fromMinute(0)
                    .forMinutes(10)
                    .every(10)
                    .activity(0.95)
                    .fbUsed(30000)
                    .heldBy("research/nb-0"))
            .add(
                samples("nb", "GPU-NB")
                    .fromMinute(10)
                    .forMinutes(140)
                    .every(10)
                    .activity(0.0)
                    .fbUsed(30000)
                    .heldBy("research/nb-0"));
    // A p5.48xlarge (288 an hour) with one of its 8 GPUs held for the hour, the other 7 free.
    f.add(node("big").type("p5.48xlarge").gpus(8).billed(bill().cost(288).term("Reserved")))
        .add(pod("prod/solo-0").workload("Deployment", "solo").type("inference").team("prod"))
        .add(
            samples("big", "GPU-B0")
                .forMinutes(60)
                .every(10)
                .activity(0.95)
                .fbUsed(60000)
                .heldBy("prod/solo-0"));
    for (int g = 1; g < 8; g++) {
      f.add(samples("big", "GPU-B" + g).forMinutes(60).every(10));
    }
    List<LocalDate> day = List.of(D);
    tables.replaceDates(SilverTables.GPU_SAMPLES, f.gpuSamples(spark), day);
    tables.replaceDates(SilverTables.POD_INFO, f.podInfo(spark), day);
    tables.replaceDates(SilverTables.NODE_INFO, f.nodeInfo(spark), day);
    tables.replaceDates(SilverTables.BILLING_HOURLY, f.billingHourly(spark), day);
    tables.replaceDates(GpuHourlyTable.SPEC, f.gpuHourly(spark, config), day);

    RecommendStage stage = new RecommendStage(spark, config, catalog);
    QualityRecorder firstChecks = new QualityRecorder(tables, "run-1", D);
    stage.run(D, firstChecks);
    firstChecks.flush();
    firstRecommendations = snapshot(tables, RecommendationTables.RECOMMENDATIONS);
    firstHistory = snapshot(tables, RecommendationTables.HISTORY);
    top = stage.top(5);
    stage.run(D, new QualityRecorder(tables, "run-2", D));
    rerunRecommendations = snapshot(tables, RecommendationTables.RECOMMENDATIONS);
    rerunHistory = snapshot(tables, RecommendationTables.HISTORY);
    QualityRecorder quietChecks = new QualityRecorder(tables, "run-3", D.plusDays(3));
    stage.run(D.plusDays(3), quietChecks);
    quietChecks.flush();
    nightChecks =
        spark
            .sql(
                "SELECT concat_ws(' | ', run_id, CAST(value AS STRING), detail) FROM "
                    + "recommend_stage_test.run_quality WHERE check = 'recommendations' ORDER BY run_id")
            .collectAsList()
            .stream()
            .map(r -> r.getString(0))
            .toList();
    resolved = tables.read(RecommendationTables.RECOMMENDATIONS).orderBy("kind").collectAsList();
  }

  private static List<String> snapshot(LakeTables tables, TableSpec spec) {
    return tables.read(spec).collectAsList().stream().map(Row::toString).sorted().toList();
  }

  @Test
  void nightOpensOneRowPerRecommendationAndTopOrdersByMonthlySavings() {
    assertEquals(2, firstRecommendations.size());
    assertEquals(2, firstHistory.size());
    assertEquals(
        List.of("CONSOLIDATE_UNALLOCATED", "CULL_IDLE_NOTEBOOK"),
        top.stream().map(RecommendStage.TopRecommendation::kind).toList());
    assertEquals(7 * 36 * 30.0, top.get(0).monthlySavings(), 1e-6);
    assertEquals("c1/big", top.get(0).who());
    assertEquals("research: research/nb", top.get(1).who());
    assertEquals((150 - 10 - 60) * 60 * 0.01 * 30, top.get(1).monthlySavings(), 1e-6);
  }

  /** The night's check counts what it triggered and what it resolved: both on D, both resolved three nights on. */
  @Test
  void eachNightsCheckCountsTriggeredAndResolvedRecommendations() {
    assertEquals(
        List.of(
            "run-1 | 2.0 | 2 recommendations triggered over 2026-11-04..2026-11-05 (1 of 2 days with data),"
                + " 0 resolved tonight",
            "run-3 | 0.0 | 0 recommendations triggered over 2026-11-07..2026-11-08 (0 of 2 days with data),"
                + " 2 resolved tonight"),
        nightChecks);
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
    // Before: the window up to first_seen had one day of data, the notebook's 150 minutes; after:
    // nothing.
    assertEquals(150 * 60 * 0.01 * 30, nb.<Double>getAs("realized_monthly_savings"), 1e-6);
    Row big = resolved.get(0);
    assertEquals(
        7 * 36 * 30.0,
        big.<Double>getAs("realized_monthly_savings"),
        1e-6,
        "its unallocated cost per day, gone");
  }
}
