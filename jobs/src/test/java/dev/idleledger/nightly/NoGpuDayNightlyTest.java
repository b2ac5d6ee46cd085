package dev.idleledger.nightly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.config.LedgerConfig;
import dev.idleledger.testing.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A night whose FOCUS bill has no GPU instance-hours (a CPU instance, a public IPv4 address-hour, a NAT gateway-hour)
 * and no GPU telemetry: it used to stop in the reconciliation ("Value at index 2 is null") with no run_quality.
 */
class NoGpuDayNightlyTest {
  private static final String DB = "no_gpu_day";
  private static final LocalDate DAY = LocalDate.of(2026, 11, 1);

  @TempDir Path tmp;

  @Test
  void aDayWithoutGpuInstanceHoursReconcilesToZeroAndWritesRunQuality() throws Exception {
    Path focus = Files.createDirectories(tmp.resolve("focus/BILLING_PERIOD=2026-11"));
    Files.writeString(
        focus.resolve("focus.csv"),
        String.join(
            "\n",
            "ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ChargeDescription,ResourceId,ResourceType,ServiceCategory,EffectiveCost,"
                + "ConsumedQuantity,ConsumedUnit,BillingCurrency,Tags",
            "2026-11-01 10:00:00,2026-11-01 11:00:00,Usage,$0.0416 per On Demand Linux t3.medium Instance Hour,i-03c9d6405aa920f7a,instance,"
                + "Compute,0.0416,1,Hours,USD,\"{\"\"team\"\": \"\"web\"\"}\"",
            "2026-11-01 10:00:00,2026-11-01 11:00:00,Usage,$0.005 per In-use public IPv4 address per hour,"
                + "arn:aws:ec2:us-west-2:365499461711:network-interface/eni-07b8ef2be2871c0a1,NULL,Networking,0.005,1,Hours,USD,{}",
            "2026-11-01 10:00:00,2026-11-01 11:00:00,Usage,$0.045 per NAT Gateway Hour,"
                + "arn:aws:ec2:us-west-2:365499461711:natgateway/nat-0f228a69e7be3b979,NULL,Compute,0.045,1,Hours,USD,{}",
            ""));
    LedgerConfig config =
        TestSpark.config(
            "catalog.database=" + DB,
            "input.telemetry=" + Files.createDirectories(tmp.resolve("telemetry")),
            "input.kube=" + Files.createDirectories(tmp.resolve("kube")),
            "input.billing.cur=",
            "input.billing.focus=" + tmp.resolve("focus"));
    SparkSession spark = TestSpark.session();

    new NightlyRun(spark, config).runDate(DAY, NightlyRun.newRunId());

    List<Row> checks =
        spark
            .sql(
                "SELECT check, value, passed, detail FROM "
                    + DB
                    + ".run_quality WHERE date = DATE'"
                    + DAY
                    + "'"
                    + " AND check IN ('reconciliation', 'cluster_reconciliation', 'non_gpu_cost') ORDER BY check")
            .collectAsList();
    assertEquals(
        List.of("cluster_reconciliation", "non_gpu_cost", "reconciliation"),
        checks.stream().map(r -> r.getString(0)).toList());
    assertEquals(0.0, checks.get(0).getDouble(1), 0);
    assertEquals(0.0, checks.get(2).getDouble(1), 0);
    assertTrue(checks.stream().allMatch(r -> r.getBoolean(2)), checks.toString());
    // The address-hour and the gateway-hour: 0.005 + 0.045. The t3 is an instance-hour, just not a
    // GPU one.
    assertEquals(0.05, checks.get(1).getDouble(1), 1e-12);
    assertEquals(
        0L,
        spark
            .sql("SELECT COUNT(*) FROM " + DB + ".gpu_hourly WHERE date = DATE'" + DAY + "'")
            .first()
            .getLong(0));
  }
}
