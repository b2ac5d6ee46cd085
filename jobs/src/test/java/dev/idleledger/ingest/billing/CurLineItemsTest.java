package dev.idleledger.ingest.billing;

import static dev.idleledger.ingest.billing.BillingFixtures.INSTANCE;
import static dev.idleledger.ingest.billing.BillingFixtures.curUsage;
import static dev.idleledger.ingest.billing.BillingFixtures.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.testing.TestSpark;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

class CurLineItemsTest {
  private static final LocalDate DAY = LocalDate.of(2026, 11, 1);
  private final SparkSession spark = TestSpark.session();

  @SafeVarargs
  private List<Row> instanceHours(Map<String, String>... rows) {
    Dataset<Row> charges = CurLineItems.toCharges(frame(spark, rows));
    return InstanceHours.total(InstanceHours.spread(charges, DAY), "cur")
        .orderBy("instance_id", "hour")
        .collectAsList();
  }

  @SafeVarargs
  private List<Row> charges(Map<String, String>... rows) {
    return CurLineItems.toCharges(frame(spark, rows)).orderBy(BillingCharges.LINE).collectAsList();
  }

  private static double d(Row r, String column) {
    return r.getDouble(r.fieldIndex(column));
  }

  private static String s(Row r, String column) {
    return r.getString(r.fieldIndex(column));
  }

  @Test
  void usageIsAmortizedAtItsUnblendedCost() {
    Row h = instanceHours(curUsage(CurLineItems.UNBLENDED, "32.7726")).get(0);
    assertEquals(32.7726, d(h, "node_cost"), 1e-9);
    assertEquals(32.7726, d(h, "list_cost"), 1e-9);
    assertEquals(3600.0, d(h, "billed_seconds"), 1e-9);
    assertEquals("OnDemand", s(h, "pricing_term"));
    assertEquals("p4d.24xlarge", s(h, "instance_type"));
    assertEquals(
        Timestamp.from(Instant.parse("2026-11-01T10:00:00Z")),
        h.getTimestamp(h.fieldIndex("hour")));
  }

  @Test
  void discountedUsageIsAmortizedAtTheReservationEffectiveCost() {
    Row h =
        instanceHours(
                curUsage(
                    CurLineItems.TYPE,
                    "DiscountedUsage",
                    CurLineItems.UNBLENDED,
                    "0",
                    CurLineItems.RI_EFFECTIVE,
                    "19.6636",
                    CurLineItems.PRICING_TERM,
                    "Reserved"))
            .get(0);
    assertEquals(19.6636, d(h, "node_cost"), 1e-9);
    assertEquals(32.7726, d(h, "list_cost"), 1e-9);
    assertEquals("Reserved", s(h, "pricing_term"));
  }

  /** COST_MODEL §4: SP-covered usage costs its SP effective cost; the negation line cancels the unblended, it is not GPU time. */
  @Test
  void savingsPlanCoveredUsageIsAmortizedAtTheSpEffectiveCostAndItsNegationIsIgnored() {
    Map<String, String> covered =
        curUsage(
            CurLineItems.TYPE, "SavingsPlanCoveredUsage", CurLineItems.SP_EFFECTIVE, "22.9408");
    Map<String, String> negation =
        curUsage(
            CurLineItems.TYPE,
            "SavingsPlanNegation",
            CurLineItems.UNBLENDED,
            "-32.7726",
            CurLineItems.USAGE_AMOUNT,
            "0");
    List<Row> hours = instanceHours(covered, negation);
    assertEquals(1, hours.size());
    assertEquals(22.9408, d(hours.get(0), "node_cost"), 1e-9);
    assertEquals(3600.0, d(hours.get(0), "billed_seconds"), 1e-9);
    assertEquals("SavingsPlan", s(hours.get(0), "pricing_term"));

    Row negationCharge = charges(covered, negation).get(1);
    assertFalse(
        negationCharge.getBoolean(negationCharge.fieldIndex(BillingCharges.IS_INSTANCE_HOUR)));
    assertEquals("SavingsPlanNegation", s(negationCharge, BillingCharges.CHARGE_KIND));
    assertEquals(-32.7726, d(negationCharge, BillingCharges.CHARGE_COST), 1e-9);
  }

  @Test
  void spotUsageIsSpotAtItsUnblendedCost() {
    Row h =
        instanceHours(
                curUsage(
                    CurLineItems.USAGE_TYPE,
                    "USE1-SpotUsage:p4d.24xlarge",
                    CurLineItems.UNBLENDED,
                    "11.57",
                    CurLineItems.PRICING_TERM,
                    "",
                    CurLineItems.INSTANCE_TYPE,
                    ""))
            .get(0);
    assertEquals(11.57, d(h, "node_cost"), 1e-9);
    assertEquals("Spot", s(h, "pricing_term"));
    assertEquals(
        "p4d.24xlarge",
        s(h, "instance_type"),
        "instance type taken from the usage type when the column is empty");
  }

  @Test
  void feesTaxesCreditsStorageAndOtherServicesAreNotInstanceTime() {
    List<Row> rows =
        charges(
            curUsage(CurLineItems.TYPE, "RIFee", CurLineItems.RESOURCE_ID, ""),
            curUsage(CurLineItems.TYPE, "SavingsPlanRecurringFee", CurLineItems.RESOURCE_ID, ""),
            curUsage(
                CurLineItems.TYPE,
                "Tax",
                CurLineItems.UNBLENDED,
                "3.10",
                CurLineItems.RESOURCE_ID,
                ""),
            curUsage(CurLineItems.TYPE, "Credit", CurLineItems.UNBLENDED, "-5"),
            curUsage(
                CurLineItems.USAGE_TYPE,
                "USE1-EBS:VolumeUsage.gp3",
                CurLineItems.RESOURCE_ID,
                "vol-1"),
            curUsage(CurLineItems.USAGE_TYPE, "USE1-DataTransfer-Out-Bytes"),
            curUsage(
                CurLineItems.PRODUCT,
                "AmazonSageMaker",
                CurLineItems.USAGE_TYPE,
                "USE1-Notebk:ml.p4d.24xlarge"));
    for (Row r : rows) {
      assertFalse(r.getBoolean(r.fieldIndex(BillingCharges.IS_INSTANCE_HOUR)), r.toString());
      assertNull(
          r.get(r.fieldIndex(BillingCharges.REJECT_REASON)),
          "a fee without a resource id is fine: " + r);
    }
    assertTrue(
        instanceHours(
                curUsage(CurLineItems.TYPE, "Tax"),
                curUsage(CurLineItems.USAGE_TYPE, "USE1-EBS:VolumeUsage.gp3"))
            .isEmpty());
  }

  @Test
  void aRowSpanningThreeHoursIsSpreadEvenlyOverThem() {
    List<Row> hours =
        instanceHours(
            curUsage(
                CurLineItems.START,
                "2026-11-01T10:00:00Z",
                CurLineItems.END,
                "2026-11-01T13:00:00Z",
                CurLineItems.USAGE_AMOUNT,
                "3.0",
                CurLineItems.UNBLENDED,
                "30.0",
                CurLineItems.PUBLIC_ON_DEMAND,
                "36.0"));
    assertEquals(3, hours.size());
    for (int i = 0; i < 3; i++) {
      Row h = hours.get(i);
      assertEquals(
          Timestamp.from(Instant.parse("2026-11-01T1" + i + ":00:00Z")),
          h.getTimestamp(h.fieldIndex("hour")));
      assertEquals(10.0, d(h, "node_cost"), 1e-9);
      assertEquals(12.0, d(h, "list_cost"), 1e-9);
      assertEquals(1.0, d(h, "usage_hours"), 1e-9);
      assertEquals(3600.0, d(h, "billed_seconds"), 1e-9);
    }
  }

  @Test
  void aRowCrossingMidnightKeepsOnlyTheHoursOfTheDateAtItsShareOfTheMoney() {
    List<Row> hours =
        instanceHours(
            curUsage(
                CurLineItems.START,
                "2026-11-01T23:00:00Z",
                CurLineItems.END,
                "2026-11-02T01:00:00Z",
                CurLineItems.USAGE_AMOUNT,
                "2.0",
                CurLineItems.UNBLENDED,
                "20.0"));
    assertEquals(1, hours.size());
    assertEquals(10.0, d(hours.get(0), "node_cost"), 1e-9);
  }

  @Test
  void severalLinesOfOneInstanceHourAreSummedAndTheirTermsMixed() {
    // Half the hour on-demand, half covered by a Savings Plan: billed seconds are capped at the
    // hour.
    Row h =
        instanceHours(
                curUsage(CurLineItems.USAGE_AMOUNT, "0.5", CurLineItems.UNBLENDED, "16.3863"),
                curUsage(
                    CurLineItems.TYPE,
                    "SavingsPlanCoveredUsage",
                    CurLineItems.USAGE_AMOUNT,
                    "0.75",
                    CurLineItems.SP_EFFECTIVE,
                    "11.4704"))
            .get(0);
    assertEquals(16.3863 + 11.4704, d(h, "node_cost"), 1e-9);
    assertEquals(1.25, d(h, "usage_hours"), 1e-9);
    assertEquals(3600.0, d(h, "billed_seconds"), 1e-9);
    assertEquals("Mixed", s(h, "pricing_term"));
  }

  @Test
  void aPartHourIsBilledForItsUsageSeconds() {
    Row h =
        instanceHours(
                curUsage(CurLineItems.USAGE_AMOUNT, "0.25", CurLineItems.UNBLENDED, "8.19315"))
            .get(0);
    assertEquals(900.0, d(h, "billed_seconds"), 1e-9);
  }

  @Test
  void badRowsAreQuarantinedWithAReasonNamingTheColumn() {
    List<Row> rows =
        charges(
            curUsage(CurLineItems.START, "28/11/2026 02:00"),
            curUsage(CurLineItems.END, "soon"),
            curUsage(CurLineItems.UNBLENDED, "12,50"),
            curUsage(CurLineItems.USAGE_AMOUNT, "NaN"),
            curUsage(CurLineItems.RESOURCE_ID, ""),
            curUsage(CurLineItems.TYPE, "DiscountedUsage", CurLineItems.RI_EFFECTIVE, ""),
            curUsage(
                CurLineItems.TYPE, "SavingsPlanCoveredUsage", CurLineItems.SP_EFFECTIVE, "abc"),
            curUsage(
                CurLineItems.START,
                "2026-11-01T11:00:00Z",
                CurLineItems.END,
                "2026-11-01T10:00:00Z"),
            curUsage(
                CurLineItems.TYPE,
                "Tax",
                CurLineItems.UNBLENDED,
                "n/a",
                CurLineItems.RESOURCE_ID,
                ""),
            curUsage());
    List<String> reasons =
        rows.stream().map(r -> r.<String>getAs(BillingCharges.REJECT_REASON)).toList();
    assertEquals(
        Arrays.asList(
            "unparseable line_item_usage_start_date",
            "unparseable line_item_usage_end_date",
            "non-numeric line_item_unblended_cost",
            "non-numeric line_item_usage_amount",
            "missing line_item_resource_id on an instance usage row",
            "missing reservation_effective_cost on a DiscountedUsage row",
            "non-numeric savings_plan_savings_plan_effective_cost",
            "usage end not after start",
            "non-numeric line_item_unblended_cost",
            null),
        reasons);
  }

  @Test
  void aFrameWithoutOptionalColumnsStillGivesInstanceHours() {
    Map<String, String> bare =
        curUsage(
            CurLineItems.ACCOUNT,
            null,
            CurLineItems.OPERATION,
            null,
            CurLineItems.CURRENCY,
            null,
            CurLineItems.PUBLIC_ON_DEMAND,
            null,
            CurLineItems.PRICING_TERM,
            null,
            CurLineItems.INSTANCE_TYPE,
            null,
            CurLineItems.REGION,
            null,
            CurLineItems.RI_EFFECTIVE,
            null,
            CurLineItems.SP_EFFECTIVE,
            null);
    Row h = instanceHours(bare).get(0);
    assertEquals(INSTANCE, s(h, "instance_id"));
    assertEquals(32.7726, d(h, "node_cost"), 1e-9);
    assertNull(h.get(h.fieldIndex("list_cost")));
    assertEquals("p4d.24xlarge", s(h, "instance_type"));
  }
}
