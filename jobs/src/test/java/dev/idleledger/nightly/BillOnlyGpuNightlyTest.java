package dev.idleledger.nightly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.config.LedgerConfig;
import dev.idleledger.generate.FleetGenerator;
import dev.idleledger.generate.FleetSpec;
import dev.idleledger.generate.TelemetryFormat;
import dev.idleledger.recommend.CombinedSavings;
import dev.idleledger.report.TextReport;
import dev.idleledger.report.WasteSummary;
import dev.idleledger.spark.LakeTables;
import dev.idleledger.testing.TestSpark;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A generated one-node fleet plus two GPU instances that are only on the bill, from raw export files: a
 * p5.48xlarge on the CUR 2.0 export (one Usage hour, 55.04) and a g6e.12xlarge on the FOCUS export (one hour,
 * EffectiveCost 10.49264). The night publishes both as unobserved GPUs of cluster 'unattributed', reconciles,
 * warns in run_quality, and the report names them.
 */
class BillOnlyGpuNightlyTest {
  private static final LocalDate DAY = LocalDate.of(2026, 11, 12);
  private static final String DB = "bill_only_nightly";
  private static final String CUR_ONLY = "i-0c0e0b111000000a1";
  private static final String FOCUS_ONLY = "i-0f0c05b111000000f";
  private static SparkSession spark;
  private static LedgerConfig config;

  @BeforeAll
  static void runTheNight() throws IOException {
    Path fleet = Files.createTempDirectory("bill-only-fleet");
    FleetGenerator.generate(
        new FleetSpec(DAY, 1, 1, 5, TelemetryFormat.CSV, 30).withHoursPerDay(2), fleet);
    appendCurRow(fleet.resolve("billing/cur"));
    Path focus = Files.createDirectories(fleet.resolve("billing/focus/BILLING_PERIOD=2026-11"));
    // FOCUS 1.x as AWS's Data Exports write it: an ARN ResourceId and the x_UsageType extension
    Files.writeString(
        focus.resolve("focus-00001.csv"),
        String.join(
            "\n",
            "ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ResourceId,EffectiveCost,BilledCost,ListCost,ConsumedQuantity,ConsumedUnit,"
                + "PricingCategory,BillingCurrency,ProviderName,SubAccountId,RegionId,SkuId,x_UsageType",
            "2026-11-12T00:00:00Z,2026-11-12T01:00:00Z,Usage,arn:aws:ec2:us-east-1:123456789012:instance/"
                + FOCUS_ONLY
                + ",10.49264,10.49264,10.49264,1.0,Hrs,Standard,USD,AWS,123456789012,us-east-1,9QH2FJT4CUHTZWRF,USE1-BoxUsage:g6e.12xlarge",
            ""));
    spark = TestSpark.session();
    config =
        TestSpark.config(
            "catalog.database=" + DB,
            "input.telemetry=" + fleet.resolve("telemetry"),
            "input.kube=" + fleet.resolve("kube"),
            "input.billing.cur=" + fleet.resolve("billing/cur"),
            "input.billing.focus=" + fleet.resolve("billing/focus"));
    new NightlyRun(spark, config).run(DAY, 0);
  }

  /** One CUR 2.0 line for the bill-only instance, in the generator's own CUR file layout (its header, its folder). */
  private static void appendCurRow(Path cur) throws IOException {
    Path file;
    try (Stream<Path> files = Files.walk(cur)) {
      file = files.filter(p -> p.toString().endsWith(".csv")).findFirst().orElseThrow();
    }
    List<String> header = List.of(Files.readAllLines(file).get(0).split(",", -1));
    Map<String, String> row = new LinkedHashMap<>();
    row.put("line_item_usage_start_date", "2026-11-12T00:00:00Z");
    row.put("line_item_usage_end_date", "2026-11-12T01:00:00Z");
    row.put("line_item_usage_account_id", "123456789012");
    row.put("line_item_line_item_type", "Usage");
    row.put("line_item_product_code", "AmazonEC2");
    row.put("line_item_usage_type", "USE1-BoxUsage:p5.48xlarge");
    row.put("line_item_operation", "RunInstances");
    row.put("line_item_resource_id", CUR_ONLY);
    row.put("line_item_usage_amount", "1.0");
    row.put("line_item_unblended_cost", "55.04");
    row.put("line_item_currency_code", "USD");
    row.put("pricing_public_on_demand_cost", "55.04");
    row.put("pricing_term", "OnDemand");
    row.put("product_instance_type", "p5.48xlarge");
    row.put("product_region_code", "us-east-1");
    List<String> cells = new ArrayList<>();
    for (String column : header) {
      cells.add(row.getOrDefault(column, ""));
    }
    Files.writeString(file, String.join(",", cells) + "\n", StandardOpenOption.APPEND);
  }

  @Test
  void bothBillOnlyInstancesAreUnobservedGpusOfTheUnattributedCluster() {
    // CUR: 55.04 × 1.0 / 8 GPUs = 6.88 each; FOCUS: 10.49264 × 1.0 / 4 GPUs = 2.62316 each
    for (Object[] e : new Object[][] {{CUR_ONLY, 8L, 6.88}, {FOCUS_ONLY, 4L, 2.62316}}) {
      Row r =
          spark
              .sql(
                  "SELECT count(*), min(cost), max(cost), sum(state_seconds_unobserved), max(cluster), count(node) FROM "
                      + DB
                      + ".gpu_hourly WHERE date = DATE'"
                      + DAY
                      + "' AND instance_id = '"
                      + e[0]
                      + "'")
              .first();
      assertEquals(e[1], r.getLong(0), e[0] + " placeholder GPUs");
      assertEquals((double) e[2], r.getDouble(1), 1e-9, e[0] + " cost per GPU");
      assertEquals((double) e[2], r.getDouble(2), 1e-9, e[0] + " cost per GPU");
      assertEquals(
          3600.0 * (long) e[1], r.getDouble(3), 1e-6, e[0] + " every billed second unobserved");
      assertEquals("unattributed", r.getString(4));
      assertEquals(0L, r.getLong(5), "no node");
    }
  }

  @Test
  void theUnattributedClusterDayReconcilesAndTheFleetCostIncludesIt() {
    Row c =
        spark
            .sql(
                "SELECT gpu_cost, unobserved_cost, reconciliation_delta, gpus FROM "
                    + DB
                    + ".cluster_daily WHERE date = DATE'"
                    + DAY
                    + "' AND cluster = 'unattributed'")
            .first();
    assertEquals(55.04 + 10.49264, c.getDouble(0), 1e-9);
    assertEquals(55.04 + 10.49264, c.getDouble(1), 1e-9);
    assertEquals(0.0, c.getDouble(2), 1e-9);
    assertEquals(12L, c.getLong(3));
    Row q =
        spark
            .sql(
                "SELECT value, passed, detail FROM "
                    + DB
                    + ".run_quality WHERE date = DATE'"
                    + DAY
                    + "' AND `check` = 'bill_only_gpu_instances'")
            .first();
    assertEquals(2.0, q.getDouble(0), 1e-12);
    assertTrue(q.getBoolean(1), "a warning, not a failure");
    assertTrue(
        q.getString(2).contains(CUR_ONLY + ", p5.48xlarge, 8 GPUs, 55.04 USD"), q.getString(2));
  }

  @Test
  void theReportNamesTheGpusNoClusterKnows() {
    WasteSummary s = WasteSummary.read(new LakeTables(spark, config), DAY, DAY, 10);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    TextReport.print(
        s,
        List.of(),
        new CombinedSavings.Totals(0, 0, 0, 0, "USD", List.of()),
        "",
        new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(out.contains("GPUs on the bill that no cluster knows: 65.53 USD"), out);
    assertTrue(out.contains(CUR_ONLY + ", p5.48xlarge, 8 GPUs, 55.04 USD"), out);
    assertTrue(out.contains(FOCUS_ONLY + ", g6e.12xlarge, 4 GPUs, 10.49 USD"), out);
  }
}
