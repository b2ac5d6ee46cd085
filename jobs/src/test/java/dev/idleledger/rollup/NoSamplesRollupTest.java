package dev.idleledger.rollup;

import static dev.idleledger.testing.SilverRows.bill;
import static org.apache.spark.sql.functions.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.attribute.CostAttribution;
import dev.idleledger.attribute.GpuHourlyTable;
import dev.idleledger.testing.SilverRows;
import dev.idleledger.testing.TestSpark;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * A day whose GPU instance is on the bill and nowhere else (no samples, no pods): its workloads' rollup is empty,
 * whatever the session's adaptive execution. Off, Spark could not resolve the per-second statistics' join of two
 * frames of the same held samples when those were a plan over empty local relations ({@code [INTERNAL_ERROR] Failure
 * when resolving conflicting references in Join}), so an operator who turned it off through {@code spark.settings}
 * had such a night stop in the rollup.
 */
class NoSamplesRollupTest {
  private static final LocalDate DATE = LocalDate.of(2026, 11, 3);
  private static final Instant HOUR = Instant.parse("2026-11-03T05:00:00Z");
  private static final String ADAPTIVE = "spark.sql.adaptive.enabled";

  @Test
  void aDayWithABilledGpuInstanceAndNoSamplesRollsUpToNoWorkloadsWithAdaptiveExecutionOff() {
    SparkSession spark = TestSpark.session();
    String before = spark.conf().get(ADAPTIVE);
    spark.conf().set(ADAPTIVE, "false");
    try {
      CostAttribution.Result day =
          SilverRows.on(DATE)
              .add(bill("i-0b111011y000000a1").type("p5.48xlarge").hour(HOUR).cost(55.04))
              .attribute(spark, TestSpark.config());

      List<Row> workloads =
          DailyRollup.workloadDaily(day.gpuHourly(), day.heldSamples()).collectAsList();

      assertTrue(workloads.isEmpty(), workloads.toString());
      // The bill's hour is still there, unobserved: the day is not empty, only its samples are.
      assertEquals(
          55.04,
          day.gpuHourly().agg(sum(GpuHourlyTable.UNOBSERVED_COST)).first().getDouble(0),
          1e-9);
    } finally {
      spark.conf().set(ADAPTIVE, before);
    }
  }
}
