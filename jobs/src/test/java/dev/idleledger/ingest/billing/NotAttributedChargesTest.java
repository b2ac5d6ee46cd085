package dev.idleledger.ingest.billing;

import static dev.idleledger.ingest.billing.BillingFixtures.curUsage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.config.LedgerConfig;
import dev.idleledger.quality.QualityRecorder;
import dev.idleledger.quality.SourceAccounting;
import dev.idleledger.spark.LakeTables;
import dev.idleledger.testing.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** run_quality names every class of billing row the night did not attribute, with its rows, money and why, and the corrections it applied. */
class NotAttributedChargesTest {
  private static final String DB = "not_attributed_test";
  private static final LocalDate DAY = LocalDate.of(2026, 11, 1);
  private final SparkSession spark = TestSpark.session();

  @TempDir Path tmp;

  private record Night(List<SourceAccounting> accounting, List<Row> checks) {
    Row check(String check, String source) {
      return checks.stream()
          .filter(c -> check.equals(c.getAs("check")) && source.equals(c.getAs("source")))
          .findFirst()
          .orElseThrow(
              () -> new AssertionError("no check " + check + "/" + source + " in " + checks));
    }
  }

  private Night ingest(String... overrides) {
    String[] all = new String[overrides.length + 1];
    all[0] = "catalog.database=" + DB;
    System.arraycopy(overrides, 0, all, 1, overrides.length);
    LedgerConfig config = TestSpark.config(all);
    String runId = UUID.randomUUID().toString();
    QualityRecorder quality = new QualityRecorder(new LakeTables(spark, config), runId, DAY);
    List<SourceAccounting> accounting = new BillingIngest(spark, config).run(DAY, quality);
    quality.flush();
    return new Night(
        accounting,
        spark
            .sql("SELECT * FROM " + DB + ".run_quality WHERE run_id = '" + runId + "'")
            .collectAsList());
  }

  private Path focusExport(String fixture) throws Exception {
    Path source =
        Path.of(
            Objects.requireNonNull(getClass().getResource("/billing/focus/" + fixture)).toURI());
    Path period = Files.createDirectories(tmp.resolve("focus").resolve("BILLING_PERIOD=2026-11"));
    Files.copy(source, period.resolve(fixture));
    return tmp.resolve("focus");
  }

  @Test
  void focusClassesAndTheCorrectionAreNamedWithTheirMoney() throws Exception {
    Night n = ingest("input.billing.focus=" + focusExport("aws-focus-1.2-no-usage-type.csv"));

    Row nonGpu = n.check("non_gpu_cost", "billing.focus");
    // IPv4 0.005 + NAT gateway 0.045 + EBS 0.2 = 0.25; tax 2.1; the savings plan purchase is
    // amortized (EffectiveCost 0).
    assertEquals(0.25 + 2.1, nonGpu.<Double>getAs("value"), 1e-9);
    String detail = nonGpu.getAs("detail");
    assertTrue(detail.startsWith("3 classes not attributed: "), detail);
    assertTrue(
        detail.contains("non-compute usage: 3 rows, 0.250000 USD (not compute-instance time"),
        detail);
    assertTrue(detail.contains("Tax: 1 row, 2.100000 USD (tax is not GPU time)"), detail);
    assertTrue(
        detail.contains("commitment purchase: 1 row, 0.000000 USD (buys a commitment"), detail);

    Row corrections = n.check("billing_corrections", "billing.focus");
    assertEquals(-0.812, corrections.<Double>getAs("value"), 1e-9);
    assertEquals(
        "1 correction row (ChargeClass = Correction or negative usage) applied to the 1 instance-hour of the date it corrects:"
            + " -0.812000 netted with the billed cost",
        corrections.getAs("detail"));
    // read 9 = used 4 (two g5 hours, the p4d hour, the correction) + ignored 5 (3 non-compute, tax,
    // purchase)
    assertEquals(List.of(new SourceAccounting("billing.focus", 9, 4, 0, 0, 5)), n.accounting());
  }

  @Test
  void curClassesAreNamedWithWhyTheyAreNotGpuTime() throws Exception {
    Path period = Files.createDirectories(tmp.resolve("cur").resolve("BILLING_PERIOD=2026-11"));
    Files.writeString(
        period.resolve("cur.csv"),
        BillingFixtures.csv(
            curUsage(),
            curUsage(
                CurLineItems.TYPE,
                "Tax",
                CurLineItems.UNBLENDED,
                "4.5",
                CurLineItems.RESOURCE_ID,
                ""),
            curUsage(
                CurLineItems.TYPE,
                "RIFee",
                CurLineItems.UNBLENDED,
                "19.6636",
                CurLineItems.RESOURCE_ID,
                "arn:aws:ec2:us-east-1:123456789012:reserved-instances/ri-1"),
            curUsage(CurLineItems.TYPE, "SavingsPlanNegation", CurLineItems.UNBLENDED, "-32.7726"),
            curUsage(
                CurLineItems.TYPE,
                "Credit",
                CurLineItems.UNBLENDED,
                "-3.0",
                CurLineItems.RESOURCE_ID,
                ""),
            curUsage(
                CurLineItems.PRODUCT,
                "AmazonS3",
                CurLineItems.USAGE_TYPE,
                "TimedStorage-ByteHrs",
                CurLineItems.UNBLENDED,
                "0.12",
                CurLineItems.RESOURCE_ID,
                "ml-datasets")));

    Row nonGpu =
        ingest("input.billing.cur=" + tmp.resolve("cur")).check("non_gpu_cost", "billing.cur");

    assertEquals(4.5 + 19.6636 - 32.7726 - 3.0 + 0.12, nonGpu.<Double>getAs("value"), 1e-9);
    String detail = nonGpu.getAs("detail");
    assertTrue(detail.startsWith("5 classes not attributed: "), detail);
    for (String part :
        List.of(
            "Credit: 1 row, -3.000000 USD (a credit is not tied to an instance-hour)",
            "RIFee: 1 row, 19.663600 USD (reservation fee",
            "SavingsPlanNegation: 1 row, -32.772600 USD (offsets the on-demand price of covered hours",
            "Tax: 1 row, 4.500000 USD (tax is not GPU time)",
            "non-compute usage (AmazonS3): 1 row, 0.120000 USD (not compute-instance time")) {
      assertTrue(detail.contains(part), part + " in " + detail);
    }
  }
}
