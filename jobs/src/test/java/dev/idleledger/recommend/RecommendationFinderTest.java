package dev.idleledger.recommend;

import static dev.idleledger.testing.SilverRows.bill;
import static dev.idleledger.testing.SilverRows.node;
import static dev.idleledger.testing.SilverRows.pod;
import static dev.idleledger.testing.SilverRows.samples;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idleledger.config.InstanceCatalog;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.tables.RecommendationKind;
import dev.idleledger.testing.SilverRows;
import dev.idleledger.testing.TestSpark;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each kind on a tiny hand-built day (one Spark run serves the assertions). Every GPU costs 0.01 per second
 * (36 per hour for a 1-GPU p5.4xlarge, 288 for an 8-GPU p5.48xlarge), samples every 10 s; one day of data in a
 * 7-day window, so a monthly figure is the day's figure x 30.
 */
class RecommendationFinderTest {
  private static final LocalDate DAY = LocalDate.of(2026, 11, 3);
  private static final double PER_SECOND = 0.01;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String P5_4X = "p5.4xlarge";
  private static final String P5_48X = "p5.48xlarge";
  private static final String G6 = "g6.xlarge";
  private static Map<String, Row> found;
  private static Map<String, Row> foundWithoutThreshold;

  @BeforeAll
  static void find() {
    SparkSession spark = TestSpark.session();
    LedgerConfig config = TestSpark.config();
    InstanceCatalog catalog = InstanceCatalog.load(config);
    SilverRows f = SilverRows.on(DAY);
    // A notebook: 10 active minutes, 90 idle, a minute without telemetry, 50 idle.
    f.add(node("nb").type(P5_4X).billed(bill().forHours(3).cost(36).term("Reserved")))
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
                .forMinutes(90)
                .every(10)
                .activity(0.0)
                .fbUsed(30000)
                .heldBy("research/nb-0"))
        .add(
            samples("nb", "GPU-NB")
                .fromMinute(101)
                .forMinutes(50)
                .every(10)
                .activity(0.0)
                .fbUsed(30000)
                .heldBy("research/nb-0"));
    // A notebook idle for 62 minutes: 2 minutes beyond the cull time are worth 36 a month, under
    // the threshold.
    f.add(node("nb2").type(P5_4X).billed(bill().forHours(2).cost(36).term("Reserved")))
        .add(
            pod("research/nb-small-0")
                .workload("Notebook", "nb-small")
                .type("notebook")
                .team("research"))
        .add(
            samples("nb2", "GPU-NB2")
                .forMinutes(62)
                .every(10)
                .activity(0.0)
                .fbUsed(30000)
                .heldBy("research/nb-small-0"));
    // Training on two GPUs: both idle only from minute 60 to 120; worker 1 alone is idle from
    // minute 30.
    f.add(node("t1").type(P5_4X).billed(bill().forHours(3).cost(36).term("Reserved")))
        .add(node("t2").type(P5_4X).billed(bill().forHours(3).cost(36).term("Reserved")))
        .add(pod("ml/ft-worker-0").workload("PyTorchJob", "ft").type("training").team("ml"))
        .add(pod("ml/ft-worker-1").workload("PyTorchJob", "ft").type("training").team("ml"))
        .add(
            samples("t1", "GPU-T1")
                .fromMinute(0)
                .forMinutes(60)
                .every(10)
                .activity(0.95)
                .fbUsed(60000)
                .heldBy("ml/ft-worker-0"))
        .add(
            samples("t1", "GPU-T1")
                .fromMinute(60)
                .forMinutes(60)
                .every(10)
                .activity(0.0)
                .fbUsed(60000)
                .heldBy("ml/ft-worker-0"))
        .add(
            samples("t1", "GPU-T1")
                .fromMinute(120)
                .forMinutes(10)
                .every(10)
                .activity(0.95)
                .fbUsed(60000)
                .heldBy("ml/ft-worker-0"))
        .add(
            samples("t1", "GPU-T1")
                .fromMinute(130)
                .forMinutes(10)
                .every(10)
                .activity(0.0)
                .fbUsed(60000)
                .heldBy("ml/ft-worker-0"))
        .add(
            samples("t2", "GPU-T2")
                .fromMinute(0)
                .forMinutes(30)
                .every(10)
                .activity(0.95)
                .fbUsed(60000)
                .heldBy("ml/ft-worker-1"))
        .add(
            samples("t2", "GPU-T2")
                .fromMinute(30)
                .forMinutes(90)
                .every(10)
                .activity(0.0)
                .fbUsed(60000)
                .heldBy("ml/ft-worker-1"))
        .add(
            samples("t2", "GPU-T2")
                .fromMinute(120)
                .forMinutes(10)
                .every(10)
                .activity(0.95)
                .fbUsed(60000)
                .heldBy("ml/ft-worker-1"))
        .add(
            samples("t2", "GPU-T2")
                .fromMinute(130)
                .forMinutes(10)
                .every(10)
                .activity(0.0)
                .fbUsed(60000)
                .heldBy("ml/ft-worker-1"));
    // Inference, 4 replicas for an hour: demand 0.8 (2 replicas at 0.6) for 58 minutes, 2.0 (4
    // replicas) for the last 2.
    f.add(node("api").type(P5_48X).gpus(8).billed(bill().cost(288).term("Reserved")));
    for (int i = 0; i < 4; i++) {
      f.add(pod("serving/api-" + i).workload("Deployment", "api").type("inference").team("serving"))
          .add(
              samples("api", "GPU-A" + i)
                  .fromMinute(0)
                  .forMinutes(58)
                  .every(10)
                  .activity(0.2)
                  .fbUsed(60000)
                  .heldBy("serving/api-" + i))
          .add(
              samples("api", "GPU-A" + i)
                  .fromMinute(58)
                  .forMinutes(2)
                  .every(10)
                  .activity(0.5)
                  .fbUsed(60000)
                  .heldBy("serving/api-" + i));
    }
    // MIG fit at the margins: FB exactly 0.9 x 2g.20gb fits it; one MiB more needs 3g.40gb;
    // activity over 0.9 x 2/7 needs 3g too.
    double margin2g = 20096 * 0.9;
    f.add(node("ea").type(P5_4X).billed(bill().cost(36).term("Reserved")))
        .add(
            pod("search/embed-a-0")
                .workload("Deployment", "embed-a")
                .type("inference")
                .team("search"))
        .add(
            samples("ea", "GPU-EA")
                .forMinutes(60)
                .every(10)
                .activity(0.25)
                .fbUsed(margin2g)
                .heldBy("search/embed-a-0"));
    f.add(node("eb").type(P5_4X).billed(bill().cost(36).term("Reserved")))
        .add(
            pod("search/embed-b-0")
                .workload("Deployment", "embed-b")
                .type("inference")
                .team("search"))
        .add(
            samples("eb", "GPU-EB")
                .forMinutes(60)
                .every(10)
                .activity(0.25)
                .fbUsed(margin2g + 1)
                .heldBy("search/embed-b-0"));
    f.add(node("ec").type(P5_4X).billed(bill().cost(36).term("Reserved")))
        .add(
            pod("search/embed-c-0")
                .workload("Deployment", "embed-c")
                .type("inference")
                .team("search"))
        .add(
            samples("ec", "GPU-EC")
                .forMinutes(60)
                .every(10)
                .activity(0.26)
                .fbUsed(8000)
                .heldBy("search/embed-c-0"));
    // A node with one of its 8 GPUs held for the hour.
    f.add(node("big").type(P5_48X).gpus(8).billed(bill().cost(288).term("Reserved")))
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
    Dataset<Row> gpuHourly = f.gpuHourly(spark, config).cache();
    // Bills of instances kube state never showed, for the on-demand floor only: g6.xlarge lists at
    // 0.8 an hour.
    SilverRows bills =
        SilverRows.on(DAY)
            .add(bill("i-od1").type(G6).forHours(10).cost(0.8).term("OnDemand"))
            .add(bill("i-od2").type(G6).forHours(10).cost(0.8).term("OnDemand"))
            .add(bill("i-od3").type(G6).forHours(5).cost(0.8).term("OnDemand"))
            .add(bill("i-spot").type(G6).forHours(10).cost(0.3).listCost(0.8).term("Spot"))
            .add(bill("i-sp").type(G6).forHours(10).cost(0.56).listCost(0.8).term("SavingsPlan"))
            .add(bill("i-ri").type(G6).forHours(10).cost(0.5).listCost(0.8).term("Reserved"))
            .add(bill("i-g5").type("g5.xlarge").forHours(10).cost(1.006).term("OnDemand"));
    Dataset<Row> billing = f.billingHourly(spark).unionByName(bills.billingHourly(spark));
    RecommendSettings settings = RecommendSettings.from(config);
    WorkloadSeconds seconds =
        WorkloadSeconds.of(
            f.gpuSamples(spark),
            f.podInfo(spark),
            UnitHourRates.of(gpuHourly, billing),
            config.classifier,
            settings.activityThreshold(),
            RecommendationFinder.migModels(catalog));
    RecommendationFinder.Window window = new RecommendationFinder.Window(DAY, 7, 1);
    RecommendationFinder finder = new RecommendationFinder(spark, settings, catalog);
    Dataset<Row> all = finder.findAll(window, seconds, gpuHourly, billing).cache();
    foundWithoutThreshold = byKindAndSubject(all);
    found = byKindAndSubject(finder.worthwhile(all));
  }

  private static Map<String, Row> byKindAndSubject(Dataset<Row> rows) {
    return rows.collectAsList().stream()
        .collect(
            Collectors.toMap(
                r -> r.getAs("kind") + " " + r.getAs("subject"),
                r -> r,
                (a, b) -> {
                  throw new AssertionError("two rows for " + a);
                },
                TreeMap::new));
  }

  @Test
  void exactlyTheExpectedRecommendationsAreFound() {
    assertEquals(
        Set.of(
            "CULL_IDLE_NOTEBOOK c1/research/Notebook/nb",
            "RIGHTSIZE_GPU c1/research/Notebook/nb-small",
            "RELEASE_IDLE_TRAINING_GPUS c1/ml/PyTorchJob/ft",
            "RIGHTSIZE_INFERENCE_REPLICAS c1/serving/Deployment/api",
            "RIGHTSIZE_GPU c1/search/Deployment/embed-a",
            "RIGHTSIZE_GPU c1/search/Deployment/embed-b",
            "RIGHTSIZE_GPU c1/search/Deployment/embed-c",
            "CONSOLIDATE_UNALLOCATED c1/big",
            "COMMITMENT_COVERAGE g6.xlarge/us-east-1",
            "COMMITMENT_COVERAGE g5.xlarge/us-east-1"),
        found.keySet());
  }

  @Test
  void notebookSavingsAreTheIdleTimeBeyondAnHourAndAMissingMinuteBreaksTheStreak()
      throws Exception {
    Row nb = found.get("CULL_IDLE_NOTEBOOK c1/research/Notebook/nb");
    // 90 idle minutes -> 30 beyond; the 50 minutes after the gap are a streak of their own, under
    // an hour.
    assertEquals(30 * 60 * PER_SECOND * 30, nb.<Double>getAs("monthly_savings"), 1e-6);
    JsonNode evidence = JSON.readTree(nb.<String>getAs("evidence"));
    assertEquals(1, evidence.get("idle_streaks_over_threshold").asInt());
    assertEquals(1.5, evidence.get("longest_idle_streak_hours").asDouble(), 1e-9);
    assertEquals("research", nb.getAs("team"));
    assertTrue(nb.<String>getAs("patch").contains("CULL_IDLE_TIME"));
  }

  @Test
  void trainingIsIdleOnlyWhenAllItsGpusAreIdle() {
    Row ft = found.get("RELEASE_IDLE_TRAINING_GPUS c1/ml/PyTorchJob/ft");
    // Minutes 60-120 on both GPUs; worker 1's lone idle half hour and the 10-minute stretch at the
    // end do not count.
    assertEquals(2 * 3600 * PER_SECOND * 30, ft.<Double>getAs("monthly_savings"), 1e-6);
  }

  @Test
  void replicasFollowTheP95OfCeilDemandOverTarget() throws Exception {
    Row api = found.get("RIGHTSIZE_INFERENCE_REPLICAS c1/serving/Deployment/api");
    JsonNode evidence = JSON.readTree(api.<String>getAs("evidence"));
    assertEquals(4, evidence.get("replicas_median").asInt());
    assertEquals(
        2,
        evidence.get("recommended_replicas").asInt(),
        "97% of seconds need ceil(0.8/0.6) = 2; the top 3% need 4");
    assertEquals(4, evidence.get("max_replicas").asInt());
    double cost = 4 * 3600 * PER_SECOND;
    assertEquals((4 - 2) / 4.0 * cost * 30, api.<Double>getAs("monthly_savings"), 1e-6);
    assertTrue(api.<String>getAs("patch").contains("replicas: 2"));
  }

  @Test
  void migProfileFitsAtTheNinetyPercentMargins() throws Exception {
    double cost = 3600 * PER_SECOND;
    Row a = found.get("RIGHTSIZE_GPU c1/search/Deployment/embed-a");
    assertEquals("2g.20gb", JSON.readTree(a.<String>getAs("evidence")).get("mig_profile").asText());
    assertEquals(cost * (1 - 2.0 / 7) * 30, a.<Double>getAs("monthly_savings"), 1e-6);
    Row b = found.get("RIGHTSIZE_GPU c1/search/Deployment/embed-b");
    assertEquals(
        "3g.40gb",
        JSON.readTree(b.<String>getAs("evidence")).get("mig_profile").asText(),
        "one MiB over 0.9 x 20096");
    assertEquals(cost * (1 - 3.0 / 7) * 30, b.<Double>getAs("monthly_savings"), 1e-6);
    Row c = found.get("RIGHTSIZE_GPU c1/search/Deployment/embed-c");
    assertEquals(
        "3g.40gb",
        JSON.readTree(c.<String>getAs("evidence")).get("mig_profile").asText(),
        "activity 0.26 > 0.9 x 2/7");
    assertTrue(a.<String>getAs("patch").contains("nvidia.com/mig-2g.20gb: 1"));
    Row idleNotebook = found.get("RIGHTSIZE_GPU c1/research/Notebook/nb-small");
    assertEquals(
        62 * 60 * PER_SECOND * (1 - 3.0 / 7) * 30,
        idleNotebook.<Double>getAs("monthly_savings"),
        1e-6);
  }

  @Test
  void mostlyUnallocatedNodeSavesItsUnallocatedCost() throws Exception {
    Row big = found.get("CONSOLIDATE_UNALLOCATED c1/big");
    assertEquals(7 * 3600 * PER_SECOND * 30, big.<Double>getAs("monthly_savings"), 1e-6);
    JsonNode evidence = JSON.readTree(big.<String>getAs("evidence"));
    assertEquals(0.875, evidence.get("unallocated_share").asDouble(), 1e-9);
    assertEquals(1, evidence.get("p95_allocated_gpus").asInt());
    assertEquals("p5.48xlarge", big.getAs("instance_type"));
  }

  @Test
  void onDemandFloorExcludesSpotSavingsPlanAndReservedHours() throws Exception {
    Row g6 = found.get("COMMITMENT_COVERAGE g6.xlarge/us-east-1");
    JsonNode evidence = JSON.readTree(g6.<String>getAs("evidence"));
    assertEquals(
        2,
        evidence.get("on_demand_floor").asInt(),
        "3 on-demand instances for 5 hours, 2 for 5; spot, SP and RI not counted");
    // The bill shows the Savings Plan rate for the type: 0.56 of 0.8 list, a 30% discount.
    assertEquals(2 * 730 * 0.8 * (1 - 0.56 / 0.8), g6.<Double>getAs("monthly_savings"), 1e-6);
    Row g5 = found.get("COMMITMENT_COVERAGE g5.xlarge/us-east-1");
    assertEquals(
        730 * 1.006 * 0.28,
        g5.<Double>getAs("monthly_savings"),
        1e-6,
        "no Savings Plan seen: commitment.discount");
  }

  @Test
  void nothingBelowTheMonthlySavingsThresholdIsKept() {
    Row small = foundWithoutThreshold.get("CULL_IDLE_NOTEBOOK c1/research/Notebook/nb-small");
    assertEquals(2 * 60 * PER_SECOND * 30, small.<Double>getAs("monthly_savings"), 1e-6);
    assertTrue(found.values().stream().allMatch(r -> r.<Double>getAs("monthly_savings") >= 50));
    assertTrue(!found.containsKey("CULL_IDLE_NOTEBOOK c1/research/Notebook/nb-small"));
  }

  @Test
  void confidenceIsLowWithOneDayOfSevenAndSaysWhy() throws Exception {
    for (Row r : found.values()) {
      assertEquals("low", r.getAs("confidence"), r.<String>getAs("subject"));
      JsonNode confidence = JSON.readTree(r.<String>getAs("evidence")).get("confidence");
      assertEquals(1 / 7.0, confidence.get("coverage").asDouble(), 1e-3);
      assertTrue(confidence.get("rule").asText().startsWith("high when"));
    }
  }

  @Test
  void recommendationIdIsTheShaOfKindAndSubject() {
    Row big = found.get("CONSOLIDATE_UNALLOCATED c1/big");
    assertEquals(
        RecommendationKind.recommendationId("CONSOLIDATE_UNALLOCATED", "c1/big"),
        big.getAs("recommendation_id"));
    assertEquals("USD", big.getAs("currency"));
  }

  @Test
  void migRightsizingNeedsAllOfTheWorkloadsGpusToBeOneMigCapableModel() {
    SparkSession spark = TestSpark.session();
    LedgerConfig config = TestSpark.config();
    InstanceCatalog catalog = InstanceCatalog.load(config);
    String h100 = "NVIDIA H100 80GB HBM3";
    String a100 = "NVIDIA A100-SXM4-80GB";
    // Both workloads use 4,000 MiB at 5 % activity on two GPUs: a 1g slice would do. "one" runs on
    // two H100s; "mixed" on an H100 and an A100, both MIG-capable, but no one profile fits both.
    SilverRows f = SilverRows.on(DAY);
    String[][] gpus = {
      {"GPU-O1", h100, "lab/one-0"},
      {"GPU-O2", h100, "lab/one-0"},
      {"GPU-X1", h100, "lab/mixed-0"},
      {"GPU-X2", a100, "lab/mixed-0"}
    };
    for (String[] g : gpus) {
      f.add(
          samples("m1", g[0])
              .model(g[1])
              .fbTotal(81920)
              .forMinutes(30)
              .every(10)
              .activity(0.05)
              .fbUsed(4000)
              .heldBy(g[2]));
    }
    f.add(pod("lab/one-0").workload("Job", "one").type("training").team("lab"))
        .add(pod("lab/mixed-0").workload("Job", "mixed").type("training").team("lab"));
    RecommendSettings settings = RecommendSettings.from(config);
    WorkloadSeconds seconds =
        WorkloadSeconds.of(
            f.gpuSamples(spark),
            f.podInfo(spark),
            spark.createDataFrame(List.of(), WorkloadSecondsTest.RATES),
            config.classifier,
            settings.activityThreshold(),
            RecommendationFinder.migModels(catalog));
    Set<String> rightsized =
        new RecommendationFinder(spark, settings, catalog)
                .rightsizeGpu(seconds, 1.0)
                .select("workload_name", "gpu_model")
                .collectAsList()
                .stream()
                .map(r -> r.getString(0) + " " + r.getString(1))
                .collect(Collectors.toSet());
    assertEquals(Set.of("one " + h100), rightsized);
  }
}
