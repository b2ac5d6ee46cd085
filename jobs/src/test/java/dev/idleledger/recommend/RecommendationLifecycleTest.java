package dev.idleledger.recommend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.tables.RecommendationKind;
import dev.idleledger.tables.RecommendationTables;
import dev.idleledger.testing.TestSpark;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A recommendation across eight nights: opened at 100, refreshed at 110 (+10%), UPDATED at 130 (+30% since it was
 * opened), quiet for three nights and RESOLVED on the third, gone from the history while quiet, REOPENED when it
 * triggers again. A second one triggers only on the first night.
 */
class RecommendationLifecycleTest {
  private static final LocalDate D1 = LocalDate.of(2026, 11, 1);
  private static final String KIND = RecommendationKind.CULL_IDLE_NOTEBOOK.name();
  private static final String A =
      RecommendationKind.workloadSubject("c1", "research", "Notebook", "nb");
  private static final String B =
      RecommendationKind.workloadSubject("c1", "research", "Notebook", "other");
  private static final Double[] A_SAVINGS = {100.0, 110.0, 130.0, null, null, null, null, 90.0};
  private static final List<Row> history = new ArrayList<>();

  /** night (1-based) → subject → row of that night. */
  private static final Map<Integer, Map<String, Row>> nights = new TreeMap<>();

  private static RecommendSettings settings;

  @BeforeAll
  static void runNights() {
    settings = RecommendSettings.from(TestSpark.config());
    for (int n = 1; n <= 8; n++) {
      List<Row> triggers = new ArrayList<>();
      if (A_SAVINGS[n - 1] != null) {
        triggers.add(trigger(A, A_SAVINGS[n - 1]));
      }
      if (n == 1) {
        triggers.add(trigger(B, 500.0));
      }
      List<Row> rows = night(D1.plusDays(n - 1L), triggers, history);
      Map<String, Row> bySubject = new TreeMap<>();
      rows.forEach(r -> bySubject.put(r.getAs("subject"), r));
      nights.put(n, bySubject);
      rows.forEach(r -> history.add(historyRow(r)));
    }
  }

  static List<Row> night(LocalDate date, List<Row> triggers, List<Row> historyRows) {
    SparkSession spark = TestSpark.session();
    Dataset<Row> t = spark.createDataFrame(triggers, RecommendationFinder.outputSchema());
    Dataset<Row> h = spark.createDataFrame(historyRows, RecommendationTables.HISTORY.schema());
    return RecommendationLifecycle.night(date, t, h, settings)
        .select(WorkloadSeconds.cols(RecommendationTables.HISTORY.columnNames()))
        .collectAsList();
  }

  private static Row trigger(String subject, double savings) {
    Object[] v = new Object[RecommendationFinder.OUTPUT.length];
    v[0] = RecommendationKind.recommendationId(KIND, subject);
    v[1] = KIND;
    v[2] = subject;
    v[11] = savings;
    v[12] = savings * 1.5;
    v[13] = "high";
    v[14] = "{}";
    v[15] = "cull it";
    v[17] = "USD";
    return RowFactory.create(v);
  }

  private static Row historyRow(Row r) {
    return RowFactory.create(
        Arrays.stream(RecommendationTables.HISTORY.columnNames()).map(r::getAs).toArray());
  }

  private static Row a(int night) {
    return nights.get(night).get(A);
  }

  @Test
  void opensThenRefreshesWhileSavingsMoveLittle() {
    assertEquals("OPEN", a(1).getAs("status"));
    assertEquals(Date.valueOf(D1), a(1).getAs("first_seen"));
    assertEquals("OPEN", a(2).getAs("status"), "110 is within 20% of 100");
    assertEquals(110.0, a(2).<Double>getAs("monthly_savings"), 1e-12);
    assertEquals(100.0, a(2).<Double>getAs("savings_at_sync"), 1e-12);
  }

  @Test
  void updatesWhenSavingsMovedMoreThanTwentyPercentSinceTheLastSync() {
    assertEquals("UPDATED", a(3).getAs("status"), "130 is 30% above the 100 it was opened at");
    assertEquals(130.0, a(3).<Double>getAs("savings_at_sync"), 1e-12);
  }

  @Test
  void resolvesAfterThreeQuietNightsAndThenLeavesTheHistory() {
    assertEquals("UPDATED", a(4).getAs("status"));
    assertEquals(false, a(4).getAs("triggered"));
    assertEquals(Date.valueOf(D1.plusDays(2)), a(4).getAs("last_seen"));
    assertEquals("UPDATED", a(5).getAs("status"), "two quiet nights");
    assertEquals("RESOLVED", a(6).getAs("status"), "three quiet nights");
    assertEquals(Date.valueOf(D1.plusDays(5)), a(6).getAs("resolved_on"));
    assertNull(a(7), "a resolved recommendation that stays quiet has no history rows");
  }

  @Test
  void reopensWhenItTriggersAgainKeepingItsFirstSeen() {
    assertEquals("REOPENED", a(8).getAs("status"));
    assertEquals(Date.valueOf(D1), a(8).getAs("first_seen"));
    assertNull(a(8).getAs("resolved_on"));
    assertEquals(90.0, a(8).<Double>getAs("savings_at_sync"), 1e-12);
  }

  @Test
  void anotherRecommendationResolvesOnItsOwnSchedule() {
    assertEquals("OPEN", nights.get(3).get(B).getAs("status"));
    assertEquals("RESOLVED", nights.get(4).get(B).getAs("status"));
    assertTrue(!nights.get(5).containsKey(B));
  }

  @Test
  void rerunningANightGivesTheSameRowsWhateverItsFirstRunWrote() {
    LocalDate d3 = D1.plusDays(2);
    List<Row> rerun = night(d3, List.of(trigger(A, 130.0)), history);
    assertEquals(
        List.of(nights.get(3).get(A), nights.get(3).get(B)).stream()
            .map(Row::toString)
            .sorted()
            .toList(),
        rerun.stream().map(Row::toString).sorted().toList());
  }
}
