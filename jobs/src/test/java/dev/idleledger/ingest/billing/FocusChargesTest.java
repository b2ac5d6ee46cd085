package dev.idleledger.ingest.billing;

import static dev.idleledger.ingest.billing.BillingFixtures.INSTANCE;
import static dev.idleledger.ingest.billing.BillingFixtures.curUsage;
import static dev.idleledger.ingest.billing.BillingFixtures.focusUsage;
import static dev.idleledger.ingest.billing.BillingFixtures.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.idleledger.testing.TestSpark;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

class FocusChargesTest {
  private static final LocalDate DAY = LocalDate.of(2026, 11, 1);
  private final SparkSession spark = TestSpark.session();

  @SafeVarargs
  private List<Row> focusHours(Map<String, String>... rows) {
    return InstanceHours.total(
            InstanceHours.spread(FocusCharges.toCharges(frame(spark, rows)), DAY), "focus")
        .orderBy("instance_id", "hour")
        .collectAsList();
  }

  @SafeVarargs
  private List<Row> curHours(Map<String, String>... rows) {
    return InstanceHours.total(
            InstanceHours.spread(CurLineItems.toCharges(frame(spark, rows)), DAY), "cur")
        .orderBy("instance_id", "hour")
        .collectAsList();
  }

  @Test
  void resourceIdsAsBareIdsArnsAndProviderUrisNameTheInstanceAtTheirEnd() {
    List<Row> charges =
        FocusCharges.toCharges(
                frame(
                    spark,
                    focusUsage(
                        FocusCharges.RESOURCE_ID, "arn:aws:ec2:us-east-1:123:instance/i-0abc"),
                    focusUsage(FocusCharges.RESOURCE_ID, "i-0def"),
                    focusUsage(FocusCharges.RESOURCE_ID, "aws:///us-east-1a/i-0123/")))
            .orderBy(BillingCharges.LINE)
            .collectAsList();
    assertEquals(
        List.of("i-0abc", "i-0def", "i-0123"),
        charges.stream().map(r -> r.<String>getAs(BillingCharges.INSTANCE_ID)).toList());
  }

  @Test
  void hourUnitsAreRecognisedInAnyCaseAndOtherUnitsAndCategoriesAreNotInstanceTime() {
    List<Row> charges =
        FocusCharges.toCharges(
                frame(
                    spark,
                    focusUsage(FocusCharges.CONSUMED_UNIT, "hrs"),
                    focusUsage(FocusCharges.CONSUMED_UNIT, "HOUR"),
                    focusUsage(FocusCharges.CONSUMED_UNIT, "GB-Mo"),
                    focusUsage(FocusCharges.CATEGORY, "Purchase"),
                    focusUsage(FocusCharges.CATEGORY, "Tax"),
                    focusUsage(
                        FocusCharges.USAGE_TYPE,
                        "USE1-AmazonEKS-Hours:perCluster",
                        FocusCharges.RESOURCE_ID,
                        "arn:aws:eks:us-east-1:123:cluster/prod")))
            .orderBy(BillingCharges.LINE)
            .collectAsList();
    assertEquals(
        List.of(true, true, false, false, false, false),
        charges.stream().map(r -> r.<Boolean>getAs(BillingCharges.IS_INSTANCE_HOUR)).toList());
    assertEquals("Tax", charges.get(4).getAs(BillingCharges.CHARGE_KIND));
  }

  @Test
  void pricingCategoryGivesThePricingTerm() {
    List<Row> charges =
        FocusCharges.toCharges(
                frame(
                    spark,
                    focusUsage(FocusCharges.PRICING_CATEGORY, "Standard"),
                    focusUsage(
                        FocusCharges.PRICING_CATEGORY, "Dynamic", FocusCharges.USAGE_TYPE, null),
                    focusUsage(
                        FocusCharges.PRICING_CATEGORY,
                        "Committed",
                        FocusCharges.COMMITMENT_TYPE,
                        "Savings Plan"),
                    focusUsage(
                        FocusCharges.PRICING_CATEGORY,
                        "Committed",
                        FocusCharges.COMMITMENT_TYPE,
                        "Reservation"),
                    focusUsage(
                        FocusCharges.PRICING_CATEGORY,
                        "Standard",
                        FocusCharges.USAGE_TYPE,
                        "USE1-SpotUsage:p4d.24xlarge")))
            .orderBy(BillingCharges.LINE)
            .collectAsList();
    assertEquals(
        List.of("OnDemand", "Spot", "SavingsPlan", "Reserved", "Spot"),
        charges.stream().map(r -> r.<String>getAs(BillingCharges.PRICING_TERM)).toList());
  }

  @Test
  void focusChargesAreQuarantinedWithTheColumnNamed() {
    List<Row> charges =
        FocusCharges.toCharges(
                frame(
                    spark,
                    focusUsage(FocusCharges.START, "yesterday"),
                    focusUsage(FocusCharges.EFFECTIVE_COST, "12.5 USD"),
                    focusUsage(FocusCharges.RESOURCE_ID, ""),
                    focusUsage(FocusCharges.CONSUMED_QUANTITY, "Infinity")))
            .orderBy(BillingCharges.LINE)
            .collectAsList();
    assertEquals(
        List.of(
            "unparseable ChargePeriodStart",
            "non-numeric EffectiveCost",
            "missing ResourceId on an instance usage row",
            "non-numeric ConsumedQuantity"),
        charges.stream().map(r -> r.<String>getAs(BillingCharges.REJECT_REASON)).toList());
  }

  /** The same bill written both ways: SP-covered hour, a reserved hour, a spot hour and a 2-hour on-demand row. */
  @Test
  void focusAndCurAgreeOnTheSameMoney() {
    List<Row> cur =
        curHours(
            curUsage(
                CurLineItems.TYPE, "SavingsPlanCoveredUsage", CurLineItems.SP_EFFECTIVE, "22.9408"),
            curUsage(
                CurLineItems.RESOURCE_ID,
                "i-0b",
                CurLineItems.TYPE,
                "DiscountedUsage",
                CurLineItems.RI_EFFECTIVE,
                "19.6636"),
            curUsage(
                CurLineItems.RESOURCE_ID,
                "i-0c",
                CurLineItems.USAGE_TYPE,
                "USE1-SpotUsage:p4d.24xlarge",
                CurLineItems.UNBLENDED,
                "11.57"),
            curUsage(
                CurLineItems.RESOURCE_ID,
                "i-0d",
                CurLineItems.END,
                "2026-11-01T12:00:00Z",
                CurLineItems.USAGE_AMOUNT,
                "2",
                CurLineItems.UNBLENDED,
                "65.5452",
                CurLineItems.PUBLIC_ON_DEMAND,
                "65.5452"),
            curUsage(CurLineItems.TYPE, "SavingsPlanNegation", CurLineItems.UNBLENDED, "-32.7726"));
    List<Row> focus =
        focusHours(
            focusUsage(
                FocusCharges.PRICING_CATEGORY,
                "Committed",
                FocusCharges.COMMITMENT_TYPE,
                "Savings Plan",
                FocusCharges.EFFECTIVE_COST,
                "22.9408",
                FocusCharges.BILLED_COST,
                "0"),
            focusUsage(
                FocusCharges.RESOURCE_ID,
                "arn:aws:ec2:us-east-1:123456789012:instance/i-0b",
                FocusCharges.PRICING_CATEGORY,
                "Committed",
                FocusCharges.COMMITMENT_TYPE,
                "Reserved Instance",
                FocusCharges.EFFECTIVE_COST,
                "19.6636"),
            focusUsage(
                FocusCharges.RESOURCE_ID,
                "arn:aws:ec2:us-east-1:123456789012:instance/i-0c",
                FocusCharges.PRICING_CATEGORY,
                "Dynamic",
                FocusCharges.USAGE_TYPE,
                "USE1-SpotUsage:p4d.24xlarge",
                FocusCharges.EFFECTIVE_COST,
                "11.57"),
            focusUsage(
                FocusCharges.RESOURCE_ID,
                "arn:aws:ec2:us-east-1:123456789012:instance/i-0d",
                FocusCharges.END,
                "2026-11-01T12:00:00Z",
                FocusCharges.CONSUMED_QUANTITY,
                "2",
                FocusCharges.EFFECTIVE_COST,
                "65.5452",
                FocusCharges.LIST_COST,
                "65.5452"));
    assertEquals(5, cur.size());
    assertEquals(cur.size(), focus.size());
    String[] same = {
      "date",
      "hour",
      "instance_id",
      "instance_type",
      "region",
      "account_id",
      "node_cost",
      "list_cost",
      "usage_hours",
      "billed_seconds",
      "pricing_term",
      "currency"
    };
    for (int i = 0; i < cur.size(); i++) {
      for (String c : same) {
        assertEquals(
            cur.get(i).<Object>getAs(c), focus.get(i).<Object>getAs(c), c + " of " + cur.get(i));
      }
    }
    assertEquals(INSTANCE, cur.get(0).getAs("instance_id"));
    assertEquals(22.9408, cur.get(0).<Double>getAs("node_cost"), 1e-9);
    assertFalse(
        cur.stream().anyMatch(r -> r.<Double>getAs("node_cost") < 0),
        "the negation line is not GPU time");
  }
}
