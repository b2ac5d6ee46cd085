package dev.idleledger.recommend;

import static dev.idleledger.testing.SilverRows.bill;
import static dev.idleledger.testing.SilverRows.node;
import static dev.idleledger.testing.SilverRows.pod;
import static dev.idleledger.testing.SilverRows.samples;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.idleledger.attribute.GpuHourlyTable;
import dev.idleledger.testing.SilverRows;
import dev.idleledger.testing.TestSpark;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rate recommendations price a unit's seconds with, on the hour of COST_MODEL.md's worked example: r = node_cost /
 * 8 GPUs / 3600 s for every GPU of the p4d (GPU 0 is unobserved for 10 minutes, which does not change r: its rate is
 * over max(billed, observed) seconds). Read from {@code gpu_hourly.rate_per_second} as attribution kept it, and, for rows
 * a release before that column wrote (null after the upgrade), recovered from the hour's observed money and seconds.
 */
class UnitHourRatesTest {
  private static final double NODE_COST = 22.9408;
  private static final double R = NODE_COST / 8 / 3600;
  private static final Instant HOUR = Instant.parse("2026-11-01T10:00:00Z");
  private static Dataset<Row> gpuHourly;
  private static Dataset<Row> billing;

  @BeforeAll
  static void attributeTheExampleHour() {
    SparkSession spark = TestSpark.session();
    SilverRows f =
        SilverRows.on(LocalDate.of(2026, 11, 1))
            .add(node("node-a").instance("i-0a").type("p4d.24xlarge").gpus(8))
            .add(bill("i-0a").type("p4d.24xlarge").hour(HOUR).cost(NODE_COST))
            .add(
                pod("ml-train/train-7f9c")
                    .workload("CronJob", "nightly-train")
                    .type("training")
                    .team("ml"))
            .add(
                a100("GPU-0")
                    .from(HOUR)
                    .forSeconds(1200)
                    .activity(0.92)
                    .fbUsed(30000)
                    .heldBy("ml-train/train-7f9c"))
            .add(
                a100("GPU-0")
                    .from(HOUR.plusSeconds(1200))
                    .forSeconds(1200)
                    .activity(0.0)
                    .fbUsed(30000)
                    .heldBy("ml-train/train-7f9c"))
            .add(
                a100("GPU-0")
                    .from(HOUR.plusSeconds(2400))
                    .forSeconds(600)
                    .activity(0.0)
                    .fbUsed(500));
    for (int g = 1; g < 8; g++) {
      f.add(a100("GPU-" + g).from(HOUR).forSeconds(3600));
    }
    gpuHourly = f.gpuHourly(spark, TestSpark.config()).cache();
    billing = f.billingHourly(spark);
  }

  private static SilverRows.Samples a100(String uuid) {
    return samples("node-a", uuid).model(SilverRows.A100_40GB).fbTotal(40960);
  }

  @Test
  void everyUnitHourIsPricedAtTheRateAttributionKept() {
    Map<String, Double> rates = rates(gpuHourly);
    assertEquals(8, rates.size(), rates.toString());
    rates.forEach((unit, rate) -> assertEquals(R, rate, 1e-12, unit));
  }

  @Test
  void aRowWrittenBeforeTheRateColumnExistedGetsTheSameRateFromItsObservedMoneyAndSeconds() {
    Dataset<Row> upgraded =
        gpuHourly.withColumn(GpuHourlyTable.RATE_PER_SECOND, lit(null).cast(DataTypes.DoubleType));
    Map<String, Double> rates = rates(upgraded);
    assertEquals(8, rates.size(), rates.toString());
    rates.forEach((unit, rate) -> assertEquals(R, rate, 1e-12, unit));
  }

  private static Map<String, Double> rates(Dataset<Row> hourly) {
    return UnitHourRates.of(hourly, billing).collectAsList().stream()
        .collect(Collectors.toMap(r -> r.<String>getAs("unit_id"), r -> r.<Double>getAs("rate")));
  }
}
