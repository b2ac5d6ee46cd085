package dev.idleledger.ingest.billing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.testing.TestSpark;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FOCUS exports as providers write them (fixtures under {@code src/test/resources/billing/focus/}): the FinOps
 * Foundation's FOCUS 1.0 sample layout (44 columns, quoted strings, unquoted NULL, JSON Tags with doubled quotes), an
 * AWS FOCUS 1.2-style export without x_UsageType (opaque SkuIds, SkuPriceDetails JSON, a correction, IPv4 and NAT
 * gateway hours), and Azure and GCP rows (VM sizes in x_SkuDetails and meter names, GCP's per-resource SKUs).
 */
class FocusExportShapesTest {
  private static final LocalDate DAY = LocalDate.of(2026, 11, 1);
  private final SparkSession spark = TestSpark.session();

  @TempDir Path tmp;

  private String export(String fixture) throws IOException, URISyntaxException {
    Path source =
        Path.of(
            Objects.requireNonNull(getClass().getResource("/billing/focus/" + fixture)).toURI());
    Path period = Files.createDirectories(tmp.resolve(fixture).resolve("BILLING_PERIOD=2026-11"));
    Files.copy(source, period.resolve(fixture));
    return tmp.resolve(fixture).toString();
  }

  private BillingExportReader.RawRows read(String root) {
    BillingExportReader.RawRows raw =
        new BillingExportReader(
                spark, FocusCharges.SOURCE, FocusCharges.REQUIRED, FocusCharges.OPTIONAL)
            .read(root, DAY);
    assertTrue(raw.rejected().isEmpty(), raw.rejected().toString());
    return raw;
  }

  private List<Row> hours(Dataset<Row> charges) {
    return InstanceHours.total(InstanceHours.spread(charges, DAY), "focus")
        .orderBy("instance_id", "hour")
        .collectAsList();
  }

  private static String summary(Row h) {
    return h.getAs("instance_id")
        + " "
        + h.getAs("hour").toString().substring(11, 16)
        + " "
        + h.getAs("instance_type");
  }

  @Test
  void doubledQuotesInQuotedJsonKeepEveryLaterColumnInPlace() throws Exception {
    List<Row> rows =
        read(export("aws-focus-1.2-no-usage-type.csv"))
            .rows()
            .orderBy(BillingExportReader.LINE)
            .collectAsList();

    assertEquals(9, rows.size());
    Row g5 = rows.get(0);
    assertEquals(2L, (long) g5.<Long>getAs(BillingExportReader.LINE));
    assertEquals(
        "{\"InstanceType\":\"g5.4xlarge\",\"OperatingSystem\":\"Linux\",\"Tenancy\":\"Shared\"}",
        g5.getAs(FocusCharges.SKU_PRICE_DETAILS));
    // The columns after the JSON: a mis-split would shift the account and the tags by the commas
    // inside the JSON.
    assertEquals("123456789012", g5.getAs(FocusCharges.SUB_ACCOUNT));
    assertEquals(
        "{\"team\":\"ml, research\",\"eks:cluster-name\":\"prod\"}", g5.getAs(FocusCharges.TAGS));
    Row ipv4 = rows.get(3);
    assertEquals("Networking", ipv4.getAs(FocusCharges.SERVICE_CATEGORY));
    assertEquals(
        "{\"Group\":\"VPCPublicIPv4Address\"}", ipv4.getAs(FocusCharges.SKU_PRICE_DETAILS));
    assertEquals("{\"team\":\"ml, research\"}", ipv4.getAs(FocusCharges.TAGS));
    for (Row r : rows) {
      assertEquals(
          "123456789012",
          r.getAs(FocusCharges.SUB_ACCOUNT),
          "line " + r.getAs(BillingExportReader.LINE));
    }
  }

  /**
   * No x_UsageType: the type comes from SkuPriceDetails (g5) or the description (p4d); the IPv4 address-hour, the NAT
   * gateway-hour and the EBS volume are not instance time; the correction nets with the hour it corrects.
   */
  @Test
  void awsRowsWithoutUsageTypeGetTheirTypeAndOnlyComputeInstanceHoursCount() throws Exception {
    Dataset<Row> charges =
        FocusCharges.toCharges(read(export("aws-focus-1.2-no-usage-type.csv")).rows());
    List<Row> hours = hours(charges);

    assertEquals(
        List.of(
            "i-0d4a7e9b1c2f3a405 10:00 p4d.24xlarge",
            "i-0f5a1c2b3d4e5f601 10:00 g5.4xlarge",
            "i-0f5a1c2b3d4e5f601 11:00 g5.4xlarge"),
        hours.stream().map(FocusExportShapesTest::summary).toList());
    assertEquals(32.7726, hours.get(0).<Double>getAs("node_cost"), 1e-9);
    // 10:00 billed 1 h at 1.624, then corrected by -0.5 h at -0.812: 0.812 for 0.5 h = 1800 s.
    assertEquals(1.624 - 0.812, hours.get(1).<Double>getAs("node_cost"), 1e-9);
    assertEquals(1800.0, hours.get(1).<Double>getAs("billed_seconds"), 1e-9);
    assertEquals(1.624, hours.get(2).<Double>getAs("node_cost"), 1e-9);
    assertEquals(3600.0, hours.get(2).<Double>getAs("billed_seconds"), 1e-9);

    List<Row> byLine = charges.orderBy(BillingCharges.LINE).collectAsList();
    assertEquals(
        List.of(true, true, true, false, false, false, true, false, false),
        byLine.stream().map(r -> r.<Boolean>getAs(BillingCharges.IS_INSTANCE_HOUR)).toList());
    assertEquals(
        List.of(false, false, false, false, false, false, true, false, false),
        byLine.stream().map(r -> r.<Boolean>getAs(BillingCharges.IS_CORRECTION)).toList());
    assertTrue(
        byLine.stream().allMatch(r -> r.isNullAt(r.fieldIndex(BillingCharges.REJECT_REASON))));
  }

  /** The FOCUS 1.0 sample's layout: only the rows of ResourceType instance are instance time, and the GPU row without EffectiveCost is quarantined. */
  @Test
  void focusSampleLayoutKeepsOnlyInstancesAndQuarantinesAGpuRowWithoutEffectiveCost()
      throws Exception {
    Dataset<Row> charges =
        FocusCharges.toCharges(read(export("focus-1.0-sample-shape.csv")).rows());
    List<Row> byLine = charges.orderBy(BillingCharges.LINE).collectAsList();

    // g5 instance, IPv4 on an ENI, NAT gateway (Compute, no ResourceType), Fargate vCPU-hours, t3
    // instance, g5 without money, credit
    assertEquals(
        List.of(true, false, false, false, true, true, false),
        byLine.stream().map(r -> r.<Boolean>getAs(BillingCharges.IS_INSTANCE_HOUR)).toList());
    assertEquals(
        "missing EffectiveCost on an instance usage row",
        byLine.get(5).getAs(BillingCharges.REJECT_REASON));
    assertEquals(
        6,
        byLine.stream()
            .filter(r -> r.isNullAt(r.fieldIndex(BillingCharges.REJECT_REASON)))
            .count());
    assertEquals("365499461711", byLine.get(0).getAs(BillingCharges.ACCOUNT_ID));

    List<Row> hours = hours(charges);
    assertEquals(
        List.of("i-03c9d6405aa920f7a 10:00 t3.medium", "i-0a11b22c33d44e55f 10:00 g5.4xlarge"),
        hours.stream().map(FocusExportShapesTest::summary).toList());
    assertEquals(1.624, hours.get(1).<Double>getAs("node_cost"), 1e-9);
  }

  @Test
  void azureVmSizesComeFromSkuDetailsOrTheMeterNameAndGcpInstancesFromTheirUri() throws Exception {
    Dataset<Row> charges = FocusCharges.toCharges(read(export("azure-gcp-focus-1.2.csv")).rows());
    List<Row> hours = hours(charges);

    assertEquals(
        List.of(
            "gke-ml-gpu-pool-3f1c0a2b-x7k2 10:00 null",
            "gpu-a100-0 10:00 Standard_NC24ads_A100_v4",
            "gpu-h100-spot-1 10:00 Standard_NC40ads_H100_v5"),
        hours.stream().map(FocusExportShapesTest::summary).toList());
    // GCP bills the machine's cores and its GPU as separate hourly SKUs of one instance: 0.3672 +
    // 2.933908.
    assertEquals(0.3672 + 2.933908, hours.get(0).<Double>getAs("node_cost"), 1e-9);
    assertEquals(3600.0, hours.get(0).<Double>getAs("billed_seconds"), 1e-9);
    assertEquals(3.673, hours.get(1).<Double>getAs("node_cost"), 1e-9);
    assertEquals("Spot", hours.get(2).getAs("pricing_term"));
    List<Row> byLine = charges.orderBy(BillingCharges.LINE).collectAsList();
    assertEquals(
        List.of(true, true, false, true, true, false),
        byLine.stream().map(r -> r.<Boolean>getAs(BillingCharges.IS_INSTANCE_HOUR)).toList(),
        "the disk and GCP's RAM GiB-hours are not instance hours");
  }

  @Test
  void aQuotedFieldWithALineBreakIsReadAsOneRow() throws Exception {
    Path period = Files.createDirectories(tmp.resolve("multi").resolve("BILLING_PERIOD=2026-11"));
    String header =
        "ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ChargeDescription,ResourceId,EffectiveCost,ConsumedQuantity,ConsumedUnit,"
            + "ServiceCategory,Tags\n";
    Files.writeString(
        period.resolve("focus.csv"),
        header
            + "2026-11-01T10:00:00Z,2026-11-01T11:00:00Z,Usage,\"$1.624 per On Demand Linux g5.4xlarge Instance Hour\nmigrated\","
            + "i-0a1,1.624,1,Hours,Compute,\"{\"\"team\"\":\"\"ml\"\"}\"\n"
            + "2026-11-01T10:00:00Z,2026-11-01T11:00:00Z,Usage,NAT gateway,arn:aws:ec2:us-east-1:1:natgateway/nat-1,0.045,1,Hours,Compute,{}\n");

    List<Row> rows =
        read(tmp.resolve("multi").toString())
            .rows()
            .orderBy(BillingExportReader.LINE)
            .collectAsList();

    assertEquals(2, rows.size());
    assertEquals(
        "$1.624 per On Demand Linux g5.4xlarge Instance Hour\nmigrated",
        rows.get(0).getAs(FocusCharges.CHARGE_DESCRIPTION));
    assertEquals("1.624", rows.get(0).getAs(FocusCharges.EFFECTIVE_COST));
    assertEquals("{\"team\":\"ml\"}", rows.get(0).getAs(FocusCharges.TAGS));
    assertEquals(
        List.of(1L, 2L),
        rows.stream().map(r -> r.<Long>getAs(BillingExportReader.LINE)).toList(),
        "row numbers, as for Parquet");
    List<Row> hours = hours(FocusCharges.toCharges(read(tmp.resolve("multi").toString()).rows()));
    assertEquals(
        List.of("i-0a1 10:00 g5.4xlarge"),
        hours.stream().map(FocusExportShapesTest::summary).toList());
  }
}
