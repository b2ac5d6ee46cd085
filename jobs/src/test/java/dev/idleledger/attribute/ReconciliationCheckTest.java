package dev.idleledger.attribute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.config.LedgerConfig;
import dev.idleledger.quality.QualityRecorder;
import dev.idleledger.spark.LakeTables;
import dev.idleledger.testing.TestSpark;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The per-instance-hour reconciliation check on its edges: a day with no GPU instance-hours, and an instance-hour whose money is null. */
class ReconciliationCheckTest {
  private static final String DB = "reconciliation_check_test";
  private static final LocalDate DAY = LocalDate.of(2026, 11, 1);
  private static final StructType INSTANCE_HOURS =
      new StructType()
          .add("cluster", DataTypes.StringType)
          .add("instance_id", DataTypes.StringType)
          .add("hour", DataTypes.TimestampType)
          .add("gpu_cost", DataTypes.DoubleType)
          .add("attributed", DataTypes.DoubleType)
          .add("price_source", DataTypes.StringType)
          .add("currency", DataTypes.StringType);
  private final SparkSession spark = TestSpark.session();

  private record Checked(List<String> failures, List<Row> checks) {
    Row check(String name) {
      return checks.stream()
          .filter(c -> name.equals(c.getAs("check")))
          .findFirst()
          .orElseThrow(() -> new AssertionError(name + " in " + checks));
    }
  }

  private Checked reconcile(Row... instanceHours) {
    LedgerConfig config = TestSpark.config("catalog.database=" + DB);
    String runId = UUID.randomUUID().toString();
    QualityRecorder quality = new QualityRecorder(new LakeTables(spark, config), runId, DAY);
    AttributeStage.recordReconciliation(
        spark.createDataFrame(new ArrayList<>(Arrays.asList(instanceHours)), INSTANCE_HOURS),
        quality,
        config.maxReconciliationDelta);
    List<String> failures = quality.failures();
    quality.flush();
    return new Checked(
        failures,
        spark
            .sql("SELECT * FROM " + DB + ".run_quality WHERE run_id = '" + runId + "'")
            .collectAsList());
  }

  private static Row hour(String instance, Double gpuCost, Double attributed) {
    return RowFactory.create(
        "c1",
        instance,
        Timestamp.from(Instant.parse("2026-11-01T10:00:00Z")),
        gpuCost,
        attributed,
        "bill",
        "USD");
  }

  @Test
  void aDayWithoutGpuInstanceHoursReconcilesToZeroAndIsRecorded() {
    Checked c = reconcile();

    assertEquals(List.of(), c.failures());
    Row r = c.check("reconciliation");
    assertEquals(0.0, r.<Double>getAs("value"), 0);
    assertTrue(r.<Boolean>getAs("passed"));
    assertEquals(0.0, c.check("catalog_priced_instance_hours").<Double>getAs("value"), 0);
    assertEquals(0.0, c.check("unpriced_instance_hours").<Double>getAs("value"), 0);
  }

  @Test
  void anInstanceHourWithNullMoneyFailsInsteadOfPassingAsZero() {
    Checked c = reconcile(hour("i-0ok", 4.0965, 4.0965), hour("i-0null", null, 4.0965));

    Row r = c.check("reconciliation");
    assertFalse(r.<Boolean>getAs("passed"));
    assertTrue(
        r.<String>getAs("detail")
            .startsWith(
                "1 GPU instance-hours have no money figure (null GPU cost or attributed cost), e.g. "
                    + "i-0null 2026-11-01 10:00:00"),
        r.<String>getAs("detail"));
    assertEquals(1, c.failures().size());
  }

  @Test
  void aConservedHourPasses() {
    // 32.7726 billed for 8 GPUs, all of it attributed: delta 0.
    Checked c = reconcile(hour("i-0p4d", 32.7726, 32.7726));
    assertTrue(c.check("reconciliation").<Boolean>getAs("passed"));
    assertEquals(0.0, c.check("reconciliation").<Double>getAs("value"), 1e-12);
  }
}
