package dev.idleledger.ingest.billing;

import static dev.idleledger.ingest.billing.BillingCharges.badNumber;
import static dev.idleledger.ingest.billing.BillingCharges.instanceIdAtEnd;
import static dev.idleledger.ingest.billing.BillingCharges.instanceTypeFromUsageType;
import static dev.idleledger.ingest.billing.BillingCharges.isInstanceUsageType;
import static dev.idleledger.ingest.billing.BillingCharges.number;
import static dev.idleledger.ingest.billing.BillingCharges.text;
import static dev.idleledger.ingest.billing.BillingCharges.timestamp;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.when;

import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * FinOps FOCUS 1.0–1.3 charges → billing charges (COST_MODEL §1). Instance time is a {@code Usage} charge measured
 * in hours whose ResourceId names the instance (bare id or ARN/URI; the id at its end is used). Where the AWS
 * extension {@code x_UsageType} is present it must be an instance usage type, which keeps EKS cluster-hours, NAT
 * gateway-hours and the like out; without it every hourly usage charge is kept and the join to nodes decides.
 */
public final class FocusCharges {
  private FocusCharges() {}

  public static final String SOURCE = "billing.focus";

  public static final String START = "ChargePeriodStart";
  public static final String END = "ChargePeriodEnd";
  public static final String CATEGORY = "ChargeCategory";
  public static final String RESOURCE_ID = "ResourceId";
  public static final String EFFECTIVE_COST = "EffectiveCost";
  public static final String BILLED_COST = "BilledCost";
  public static final String LIST_COST = "ListCost";
  public static final String CONSUMED_QUANTITY = "ConsumedQuantity";
  public static final String CONSUMED_UNIT = "ConsumedUnit";
  public static final String PRICING_CATEGORY = "PricingCategory";
  public static final String CURRENCY = "BillingCurrency";
  public static final String PROVIDER = "ProviderName";
  public static final String SUB_ACCOUNT = "SubAccountId";
  public static final String REGION = "RegionId";
  public static final String SKU = "SkuId";
  public static final String TAGS = "Tags";
  public static final String USAGE_TYPE = "x_UsageType";
  /** FOCUS commitment columns: tell a Savings Plan from a reservation on Committed usage. */
  public static final String COMMITMENT_TYPE = "CommitmentDiscountType";
  public static final String COMMITMENT_ID = "CommitmentDiscountId";

  public static final List<String> REQUIRED = List.of(START, END, CATEGORY, RESOURCE_ID, EFFECTIVE_COST, CONSUMED_QUANTITY, CONSUMED_UNIT);
  public static final List<String> OPTIONAL = List.of(BILLED_COST, LIST_COST, PRICING_CATEGORY, CURRENCY, PROVIDER, SUB_ACCOUNT,
      REGION, SKU, TAGS, USAGE_TYPE, COMMITMENT_TYPE, COMMITMENT_ID);

  /** One charge row per FOCUS row (columns of {@link BillingCharges#COLUMNS}); absent optional columns are null. */
  public static Dataset<Row> toCharges(Dataset<Row> charges) {
    Dataset<Row> in = BillingCharges.withUsedColumns(charges, REQUIRED, OPTIONAL, "FOCUS charges");
    Column category = text(col(CATEGORY));
    Column usageType = text(col(USAGE_TYPE));
    Column start = timestamp(col(START));
    Column end = timestamp(col(END));
    Column hourUnit = lower(text(col(CONSUMED_UNIT))).isin("hours", "hour", "hrs");
    Column instance = lower(category).equalTo("usage")
        .and(hourUnit)
        .and(usageType.isNull().or(isInstanceUsageType(usageType)));
    instance = coalesce(instance, lit(false));

    Column reason = when(text(col(START)).isNull(), lit("missing " + START))
        .when(start.isNull(), lit("unparseable " + START))
        .when(text(col(END)).isNull(), lit("missing " + END))
        .when(end.isNull(), lit("unparseable " + END))
        .when(badNumber(col(EFFECTIVE_COST)), lit("non-numeric " + EFFECTIVE_COST))
        .when(instance.and(instanceIdAtEnd(col(RESOURCE_ID)).isNull()), lit("missing " + RESOURCE_ID + " on an instance usage row"))
        .when(instance.and(text(col(EFFECTIVE_COST)).isNull()), lit("missing " + EFFECTIVE_COST + " on an instance usage row"))
        .when(instance.and(text(col(CONSUMED_QUANTITY)).isNull()), lit("missing " + CONSUMED_QUANTITY + " on an instance usage row"))
        .when(instance.and(badNumber(col(CONSUMED_QUANTITY))), lit("non-numeric " + CONSUMED_QUANTITY))
        .when(instance.and(badNumber(col(LIST_COST))), lit("non-numeric " + LIST_COST))
        .when(instance.and(end.leq(start)), lit("usage end not after start"));

    Column commitment = coalesce(lower(text(col(COMMITMENT_TYPE))), lit(""));
    Column commitmentId = coalesce(lower(text(col(COMMITMENT_ID))), lit(""));
    Column pricing = lower(text(col(PRICING_CATEGORY)));
    // Committed usage without a commitment hint is taken as a Savings Plan, the usual commitment on GPU fleets.
    Column committedTerm = when(commitment.contains("reserv").or(commitmentId.contains("reserved-instances")), lit("Reserved"))
        .otherwise(lit("SavingsPlan"));
    Column pricingTerm = when(coalesce(usageType, lit("")).contains("SpotUsage"), lit("Spot"))
        .when(pricing.equalTo("dynamic"), lit("Spot"))
        .when(pricing.equalTo("committed"), committedTerm)
        .otherwise(lit("OnDemand"));
    // AWS SkuIds are opaque codes; only one shaped like an instance type (p5.48xlarge) can name the type.
    Column skuAsType = when(text(col(SKU)).rlike("^[a-z][a-z0-9-]*\\.[a-z0-9-]+$"), text(col(SKU)));
    Column kind = when(lower(category).equalTo("usage"), lit("non-instance usage")).otherwise(coalesce(category, lit("unknown charge category")));

    return in.select(
        col(BillingCharges.FILE), col(BillingCharges.LINE), col(BillingCharges.RAW),
        reason.as(BillingCharges.REJECT_REASON),
        instance.as(BillingCharges.IS_INSTANCE_HOUR),
        instanceIdAtEnd(col(RESOURCE_ID)).as(BillingCharges.INSTANCE_ID),
        coalesce(instanceTypeFromUsageType(usageType), skuAsType).as(BillingCharges.INSTANCE_TYPE),
        text(col(REGION)).as(BillingCharges.REGION),
        text(col(SUB_ACCOUNT)).as(BillingCharges.ACCOUNT_ID),
        text(col(CURRENCY)).as(BillingCharges.CURRENCY),
        pricingTerm.as(BillingCharges.PRICING_TERM),
        start.as(BillingCharges.USAGE_START),
        end.as(BillingCharges.USAGE_END),
        number(col(EFFECTIVE_COST)).as(BillingCharges.AMORTIZED_COST),
        number(col(LIST_COST)).as(BillingCharges.LIST_COST),
        number(col(CONSUMED_QUANTITY)).as(BillingCharges.USAGE_HOURS),
        coalesce(number(col(EFFECTIVE_COST)), number(col(BILLED_COST)), lit(0.0)).as(BillingCharges.CHARGE_COST),
        kind.as(BillingCharges.CHARGE_KIND));
  }
}
