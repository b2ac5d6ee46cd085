package dev.idleledger.recommend;

import static dev.idleledger.testing.SilverRows.pod;
import static dev.idleledger.testing.SilverRows.samples;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.config.LedgerConfig;
import dev.idleledger.testing.SilverRows;
import dev.idleledger.testing.TestSpark;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The per-second grain of the recommendations: a hold that crosses hh:00 is priced at each hour's rate (COST_MODEL.md
 * §2), and pods and demand are counted per workload, for the workloads the replica rightsizing reads.
 */
class WorkloadSecondsTest {
  /** The unit-hour rates' columns (UnitHourRates), for a frame of none: the seconds unpriced. */
  static final StructType RATES =
      new StructType()
          .add("cluster", DataTypes.StringType)
          .add("unit_id", DataTypes.StringType)
          .add("hour", DataTypes.TimestampType)
          .add("rate", DataTypes.DoubleType)
          .add("list_factor", DataTypes.DoubleType);

  @Test
  void holdAcrossHourIsPricedAtEachHoursRate() {
    LocalDate day = LocalDate.of(2026, 11, 4);
    // 15 s scrapes at phase 7 s: samples at 00:59:37, 00:59:52 and 01:00:07, each holding 15 s.
    SilverRows f =
        SilverRows.on(day)
            .add(
                samples("n1", "GPU-1")
                    .from(Instant.parse("2026-11-04T00:59:37Z"))
                    .forSeconds(45)
                    .every(15)
                    .activity(0.0)
                    .fbUsed(100)
                    .heldBy("nb/nb-0"))
            .add(pod("nb/nb-0").workload("Notebook", "nb").type("notebook").team("research"));
    List<Row> seconds = pricedOverOneAm(f, WorkloadSeconds.MAX_POD_WORDS);
    assertEquals(3, seconds.size());
    Row crossing = seconds.get(1);
    assertEquals(f.midnight().getEpochSecond() + 3592, (long) crossing.getAs("second"));
    // [00:59:52, 01:00:07): 8 s x 0.002 + 7 s x 0.001 = 0.023; at list 8 x 0.002 x 2 + 7 x 0.001 x
    // 1 = 0.039.
    assertEquals(0.023, (double) crossing.getAs("money"), 1e-12);
    assertEquals(0.039, (double) crossing.getAs("money_list"), 1e-12);
    assertEquals(
        15.0,
        (double) crossing.getAs("hold_seconds"),
        1e-12,
        "the sample's own hold, for streaks and percentiles");
    assertEquals(15 * 0.002, (double) seconds.get(0).getAs("money"), 1e-12);
    assertEquals(15 * 0.001, (double) seconds.get(2).getAs("money"), 1e-12);
  }

  @Test
  void eachWorkloadIsOneRowOfWorkloadsAndItsSecondsKeyOnItsNumber() {
    LocalDate day = LocalDate.of(2026, 11, 4);
    Instant start = Instant.parse("2026-11-04T10:00:00Z");
    SilverRows f =
        SilverRows.on(day)
            .add(samples("n1", "GPU-1").from(start).forSeconds(2).heldBy("lab/ghost-0"))
            .add(samples("n1", "GPU-2").from(start).forSeconds(3).heldBy("lab/ghost-1"))
            .add(samples("n1", "GPU-3").from(start).forSeconds(4).heldBy("lab/train-0"))
            .add(samples("n1", "GPU-4").from(start).forSeconds(4).heldBy("lab/train-1"))
            .add(pod("lab/train-0").workload("Job", "train").type("training"))
            .add(pod("lab/train-1").workload("Job", "train").type("training"));
    WorkloadSeconds ws = unpricedWorkloadSeconds(f, List.of(), WorkloadSeconds.MAX_POD_WORDS);
    Map<String, Long> ids = new HashMap<>();
    for (Row w : ws.workloads().collectAsList()) {
      assertNull(ids.put(w.getAs("workload_name"), w.getAs("workload_id")), "one row a workload");
    }
    assertEquals(Set.of("ghost-0", "ghost-1", "train"), ids.keySet());
    assertTrue(ids.get("train") > 0, "a pod_info workload counts from 1");
    assertTrue(ids.get("ghost-0") < 0 && ids.get("ghost-1") < 0, "an unseen pod is below 0");
    assertNotEquals(ids.get("ghost-0"), ids.get("ghost-1"));
    assertFalse(
        Arrays.asList(ws.seconds().columns()).contains("workload_name"),
        "the seconds carry the number, not the names");
    Map<Long, Long> secondsOf = new HashMap<>();
    for (Row r : ws.seconds().groupBy("workload_id").count().collectAsList()) {
      secondsOf.put(r.getLong(0), r.getLong(1));
    }
    assertEquals(
        Map.of(ids.get("ghost-0"), 2L, ids.get("ghost-1"), 3L, ids.get("train"), 4L), secondsOf);
  }

  @Test
  void twoWorkloadsOfOneNumberFailNamingBoth() {
    SparkSession spark = TestSpark.session();
    StructType workloads =
        new StructType()
            .add("cluster", DataTypes.StringType)
            .add("namespace", DataTypes.StringType)
            .add("workload_kind", DataTypes.StringType)
            .add("workload_name", DataTypes.StringType)
            .add("workload_id", DataTypes.LongType);
    Dataset<Row> clashing =
        spark.createDataFrame(
            List.of(
                RowFactory.create("c1", "lab", "Pod", "ghost-0", -7L),
                RowFactory.create("c1", "lab", "Pod", "ghost-1", -7L),
                RowFactory.create("c1", "lab", "Job", "train", 1L)),
            workloads);
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> WorkloadSeconds.requireDistinctIds(clashing));
    assertTrue(e.getMessage().contains("ghost-0"), e.getMessage());
    assertTrue(e.getMessage().contains("ghost-1"), e.getMessage());
    assertFalse(e.getMessage().contains("train"), e.getMessage());
  }

  /** The pod mask's widest (the default) and none at all: every window then collects the pods as sets. */
  @ParameterizedTest(name = "at most {0} mask words")
  @ValueSource(ints = {WorkloadSeconds.MAX_POD_WORDS, 0})
  void aWorkloadWithAnInferencePodIsCountedWholeAndTheOthersCarryNoPodCounts(int maxPodWords) {
    LocalDate day = LocalDate.of(2026, 11, 4);
    Instant start = Instant.parse("2026-11-04T10:00:00Z");
    // prod/api's two pods disagree on the type (a rollout changed its labels): one of them is
    // inference, so all of its seconds are counted, once each. GPU-1 is time-sliced between both
    // pods, GPU-2 is api-1's alone.
    SilverRows f =
        SilverRows.on(day)
            .add(
                samples("n1", "GPU-1")
                    .from(start)
                    .forSeconds(10)
                    .every(1)
                    .activity(0.4)
                    .heldBy("prod/api-0", "prod/api-1"))
            .add(
                samples("n1", "GPU-2")
                    .from(start)
                    .forSeconds(10)
                    .every(1)
                    .activity(0.3)
                    .heldBy("prod/api-1"))
            .add(
                samples("n2", "GPU-3")
                    .from(start)
                    .forSeconds(10)
                    .every(1)
                    .activity(0.2)
                    .heldBy("nb/nb-0"))
            .add(pod("prod/api-0").workload("Deployment", "api").type("inference").team("prod"))
            .add(pod("prod/api-1").workload("Deployment", "api").type("batch").team("prod"))
            .add(pod("nb/nb-0").workload("Notebook", "nb").type("notebook").team("research"));
    List<Row> seconds =
        unpriced(f, List.of(), maxPodWords).orderBy("workload_name", "second").collectAsList();
    List<Row> api = seconds.stream().filter(r -> "api".equals(r.getAs("workload_name"))).toList();
    List<Row> notebook =
        seconds.stream().filter(r -> "nb".equals(r.getAs("workload_name"))).toList();
    assertEquals(10, api.size(), "one row per second of the workload, whatever its pods' types");
    assertEquals(
        "inference",
        api.get(0).getAs("workload_type"),
        "a workload with an inference pod is an inference workload");
    assertEquals("research", notebook.get(0).getAs("team"));
    assertEquals(10, notebook.size());
    for (Row r : api) {
      assertEquals(2, (int) r.getAs("pods"), "n(t): both pods, api-1's two units counted once");
      assertEquals(0.7, (double) r.getAs("demand"), 1e-12, "d(t): the shared unit counts once");
    }
    for (Row r : notebook) {
      assertNull(r.getAs("pods"), "no replica rightsizing reads a notebook's pods");
      assertNull(r.getAs("demand"));
      assertEquals(0.2, (double) r.getAs("max_activity"), 1e-12);
    }
  }

  @Test
  void theModelCodesTellOneMigCapableModelFromMixedAndOtherModels() {
    LocalDate day = LocalDate.of(2026, 11, 4);
    Instant start = Instant.parse("2026-11-04T10:00:00Z");
    String a100 = "NVIDIA A100-SXM4-80GB";
    String h100 = "NVIDIA H100 80GB HBM3";
    String l4 = "NVIDIA L4";
    // Codes are positions (from 1) in the MIG-capable list given; L4 is not in it (0).
    SilverRows f =
        SilverRows.on(day)
            .add(samples("n1", "GPU-1").model(h100).from(start).forSeconds(3).heldBy("a/one-0"))
            .add(samples("n1", "GPU-2").model(h100).from(start).forSeconds(3).heldBy("a/one-1"))
            .add(samples("n2", "GPU-3").model(a100).from(start).forSeconds(3).heldBy("a/mixed-0"))
            .add(samples("n2", "GPU-4").model(h100).from(start).forSeconds(3).heldBy("a/mixed-0"))
            .add(samples("n3", "GPU-5").model(l4).from(start).forSeconds(3).heldBy("a/other-0"))
            .add(samples("n3", "GPU-6").model(h100).from(start).forSeconds(3).heldBy("a/other-0"))
            .add(pod("a/one-0").workload("Job", "one").type("training"))
            .add(pod("a/one-1").workload("Job", "one").type("training"))
            .add(pod("a/mixed-0").workload("Job", "mixed").type("training"))
            .add(pod("a/other-0").workload("Job", "other").type("training"));
    List<Row> seconds =
        unpriced(f, List.of(a100, h100), WorkloadSeconds.MAX_POD_WORDS).collectAsList();
    assertEquals(9, seconds.size(), "three workloads, three seconds each");
    for (Row r : seconds) {
      String workload = r.getAs("workload_name");
      long highest = ((Number) r.getAs("max_mig_model")).longValue();
      long lowest = ((Number) r.getAs("min_mig_model")).longValue();
      switch (workload) {
        case "one" -> {
          assertEquals(2, highest, "H100 is the second MIG-capable model");
          assertEquals(2, lowest);
        }
        case "mixed" -> {
          assertEquals(2, highest);
          assertEquals(1, lowest, "A100 beside the H100: two models");
        }
        case "other" -> {
          assertEquals(2, highest);
          assertEquals(0, lowest, "the L4 is no MIG-capable model");
        }
        default -> throw new AssertionError("unexpected workload " + workload);
      }
    }
  }

  @Test
  void aPodKubeStateNeverShowedIsAWorkloadOfItsOwnOfTheDefaultTypeAndTeam() {
    LedgerConfig config = TestSpark.config();
    LocalDate day = LocalDate.of(2026, 11, 4);
    Instant start = Instant.parse("2026-11-04T10:00:00Z");
    SilverRows f =
        SilverRows.on(day)
            .add(samples("n1", "GPU-1").from(start).forSeconds(2).heldBy("lab/ghost-0"))
            .add(samples("n1", "GPU-2").from(start).forSeconds(2).heldBy("lab/known-0"))
            .add(pod("lab/known-0").workload("Job", "known").type("training").team("vision"));
    List<Row> seconds =
        unpriced(f, List.of(), WorkloadSeconds.MAX_POD_WORDS)
            .where("workload_name = 'ghost-0'")
            .collectAsList();
    assertEquals(2, seconds.size());
    for (Row r : seconds) {
      assertEquals("Pod", r.getAs("workload_kind"));
      assertEquals(config.classifier.defaultType(), r.getAs("workload_type"));
      assertEquals(config.classifier.defaultTeam(), r.getAs("team"));
    }
  }

  @ParameterizedTest(name = "at most {0} mask words")
  @ValueSource(ints = {WorkloadSeconds.MAX_POD_WORDS, 0})
  void anInferenceSampleSplitAtTheHourCountsItsUnitAndPodsOnceAndItsMoneyWhole(int maxPodWords) {
    LocalDate day = LocalDate.of(2026, 11, 4);
    // One GPU time-sliced between two pods of one Deployment, 15 s scrapes at phase 7 s: the
    // sample at 00:59:52 holds to 01:00:07, so it is split at 01:00 into two rows, each with both
    // holders: four rows for one (unit, second).
    SilverRows f =
        SilverRows.on(day)
            .add(
                samples("n1", "GPU-1")
                    .from(Instant.parse("2026-11-04T00:59:37Z"))
                    .forSeconds(45)
                    .every(15)
                    .activity(0.4)
                    .heldBy("serving/api-0", "serving/api-1"))
            .add(pod("serving/api-0").workload("Deployment", "api").type("inference"))
            .add(pod("serving/api-1").workload("Deployment", "api").type("inference"));
    List<Row> seconds = pricedOverOneAm(f, maxPodWords);
    assertEquals(3, seconds.size(), "one row per second of the workload");
    Row crossing = seconds.get(1);
    assertEquals(f.midnight().getEpochSecond() + 3592, (long) crossing.getAs("second"));
    assertEquals(2, (int) crossing.getAs("pods"), "n(t): both pods, each once");
    assertEquals(0.4, (double) crossing.getAs("demand"), 1e-12, "d(t): the unit once");
    // Both pods' halves of both hour parts: 8 s x 0.002 + 7 s x 0.001 = 0.023.
    assertEquals(0.023, (double) crossing.getAs("money"), 1e-12);
    assertEquals(0.039, (double) crossing.getAs("money_list"), 1e-12);
  }

  /** The workload-seconds of {@code f} with no unit-hour rates (money null), named: for what is counted, not priced. */
  private static Dataset<Row> unpriced(SilverRows f, List<String> migModels, int maxPodWords) {
    return unpricedWorkloadSeconds(f, migModels, maxPodWords).named();
  }

  /** The same as the two frames {@link WorkloadSeconds} gives: the seconds by workload number, and the workloads. */
  private static WorkloadSeconds unpricedWorkloadSeconds(
      SilverRows f, List<String> migModels, int maxPodWords) {
    return workloadSeconds(f, List.of(), migModels, maxPodWords);
  }

  /**
   * The named workload-seconds of {@code f} in time order, GPU-1's hour 00:00 priced at 0.002 per second (list 2x) and
   * hour 01:00 at 0.001 (list 1x): for a hold that crosses 01:00.
   */
  private static List<Row> pricedOverOneAm(SilverRows f, int maxPodWords) {
    Instant h0 = f.midnight();
    Instant h1 = h0.plusSeconds(3600);
    List<Row> rates =
        List.of(
            RowFactory.create(f.cluster(), "GPU-1", Timestamp.from(h0), 0.002, 2.0),
            RowFactory.create(f.cluster(), "GPU-1", Timestamp.from(h1), 0.001, 1.0));
    return workloadSeconds(f, rates, List.of(), maxPodWords)
        .named()
        .orderBy("second")
        .collectAsList();
  }

  private static WorkloadSeconds workloadSeconds(
      SilverRows f, List<Row> rates, List<String> migModels, int maxPodWords) {
    SparkSession spark = TestSpark.session();
    LedgerConfig config = TestSpark.config();
    return WorkloadSeconds.of(
        f.gpuSamples(spark),
        f.podInfo(spark),
        spark.createDataFrame(rates, RATES),
        config.classifier,
        config.idleActivityThreshold,
        migModels,
        maxPodWords);
  }
}
