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
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.get_json_object;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.when;

import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * FinOps FOCUS 1.0–1.3 charges → billing charges (COST_MODEL §1). Instance time is a {@code Usage} charge measured
 * in hours whose ResourceId names the instance (bare id or ARN/URI; the id at its end is used), and that is a
 * compute instance running:
 * <ul>
 *   <li>where the AWS extension {@code x_UsageType} is present it must be an instance usage type (BoxUsage...),
 *       which keeps EKS cluster-hours, NAT gateway-hours and public IPv4 address-hours out;</li>
 *   <li>otherwise {@code ServiceCategory}, when present, must be {@code Compute}, and {@code ResourceType}, when
 *       present, a virtual machine ({@code instance} on AWS, {@code Virtual machine} on Azure); without a
 *       ResourceType the ResourceId must be shaped like an instance (EC2 {@code i-…}, {@code …:instance/…},
 *       Azure {@code …/virtualMachines/…}, GCP {@code …/instances/…}). The FOCUS sample's NAT gateways are
 *       {@code Compute} with no ResourceType and a {@code natgateway/} id, its ENI and IPv4 rows {@code Networking}.</li>
 * </ul>
 * The instance type comes from {@code x_UsageType}, else {@code SkuPriceDetails.InstanceType} (FOCUS 1.1+), else
 * Azure's {@code x_SkuDetails.ServiceType} (the VM size), else a SkuId shaped like a type, else the provider's
 * {@code ChargeDescription} (AWS "$1.624 per On Demand Linux g5.4xlarge Instance Hour"; Azure meter names such as
 * "NC24ads A100 v4" → {@code Standard_NC24ads_A100_v4}). GCP bills a machine as separate core, memory and GPU SKUs
 * ("A2 Instance Core running in Americas") that never name the machine type, so GCP rows get no type here.
 *
 * <p>A {@code ChargeClass = Correction} row, or instance usage with a negative quantity, corrects hours already
 * billed: it is applied to the hours of its own ChargePeriodStart/End, like any charge, and flagged so run_quality
 * can say how many corrections of how much money landed on the date.
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

  /** Which charges are compute instances (see the class comment). */
  public static final String SERVICE_CATEGORY = "ServiceCategory";

  public static final String RESOURCE_TYPE = "ResourceType";

  /** {@code Correction} marks a charge that corrects an earlier one (FOCUS 1.0+). */
  public static final String CHARGE_CLASS = "ChargeClass";

  public static final String CHARGE_DESCRIPTION = "ChargeDescription";

  /** FOCUS 1.1+: JSON of the SKU's properties; AWS writes the instance type as {@code InstanceType}. */
  public static final String SKU_PRICE_DETAILS = "SkuPriceDetails";

  /** Azure extension: the usage's additional info as JSON; {@code ServiceType} is the VM size. */
  public static final String AZURE_SKU_DETAILS = "x_SkuDetails";

  public static final List<String> REQUIRED =
      List.of(START, END, CATEGORY, RESOURCE_ID, EFFECTIVE_COST, CONSUMED_QUANTITY, CONSUMED_UNIT);
  public static final List<String> OPTIONAL =
      List.of(
          BILLED_COST,
          LIST_COST,
          PRICING_CATEGORY,
          CURRENCY,
          PROVIDER,
          SUB_ACCOUNT,
          REGION,
          SKU,
          TAGS,
          USAGE_TYPE,
          COMMITMENT_TYPE,
          COMMITMENT_ID,
          SERVICE_CATEGORY,
          RESOURCE_TYPE,
          CHARGE_CLASS,
          CHARGE_DESCRIPTION,
          SKU_PRICE_DETAILS,
          AZURE_SKU_DETAILS);

  /** ResourceType values that name a virtual machine (lower case): AWS's FOCUS, Azure's, GCP's. */
  private static final String[] VM_RESOURCE_TYPES = {
    "instance",
    "virtual machine",
    "virtual machines",
    "compute instance",
    "compute engine instance",
    "vm instance"
  };

  /** One charge row per FOCUS row (columns of {@link BillingCharges#COLUMNS}); absent optional columns are null. */
  public static Dataset<Row> toCharges(Dataset<Row> charges) {
    Dataset<Row> in = BillingCharges.withUsedColumns(charges, REQUIRED, OPTIONAL, "FOCUS charges");
    Column category = text(col(CATEGORY));
    Column usageType = text(col(USAGE_TYPE));
    Column start = timestamp(col(START));
    Column end = timestamp(col(END));
    Column hourUnit = lower(text(col(CONSUMED_UNIT))).isin("hours", "hour", "hrs");
    Column instance =
        lower(category)
            .equalTo("usage")
            .and(hourUnit)
            .and(
                when(usageType.isNotNull(), isInstanceUsageType(usageType))
                    .otherwise(isComputeInstance()));
    instance = coalesce(instance, lit(false));

    Column reason =
        when(text(col(START)).isNull(), lit("missing " + START))
            .when(start.isNull(), lit("unparseable " + START))
            .when(text(col(END)).isNull(), lit("missing " + END))
            .when(end.isNull(), lit("unparseable " + END))
            .when(badNumber(col(EFFECTIVE_COST)), lit("non-numeric " + EFFECTIVE_COST))
            .when(
                instance.and(instanceIdAtEnd(col(RESOURCE_ID)).isNull()),
                lit("missing " + RESOURCE_ID + " on an instance usage row"))
            .when(
                instance.and(text(col(EFFECTIVE_COST)).isNull()),
                lit("missing " + EFFECTIVE_COST + " on an instance usage row"))
            .when(
                instance.and(text(col(CONSUMED_QUANTITY)).isNull()),
                lit("missing " + CONSUMED_QUANTITY + " on an instance usage row"))
            .when(
                instance.and(badNumber(col(CONSUMED_QUANTITY))),
                lit("non-numeric " + CONSUMED_QUANTITY))
            .when(instance.and(badNumber(col(LIST_COST))), lit("non-numeric " + LIST_COST))
            .when(instance.and(end.leq(start)), lit("usage end not after start"));

    Column commitment = coalesce(lower(text(col(COMMITMENT_TYPE))), lit(""));
    Column commitmentId = coalesce(lower(text(col(COMMITMENT_ID))), lit(""));
    Column pricing = lower(text(col(PRICING_CATEGORY)));
    // Committed usage without a commitment hint is taken as a Savings Plan, the usual commitment on
    // GPU fleets.
    Column committedTerm =
        when(
                commitment.contains("reserv").or(commitmentId.contains("reserved-instances")),
                lit("Reserved"))
            .otherwise(lit("SavingsPlan"));
    Column pricingTerm =
        when(coalesce(usageType, lit("")).contains("SpotUsage"), lit("Spot"))
            .when(pricing.equalTo("dynamic"), lit("Spot"))
            .when(pricing.equalTo("committed"), committedTerm)
            .otherwise(lit("OnDemand"));
    Column correction =
        lower(text(col(CHARGE_CLASS)))
            .equalTo("correction")
            .or(instance.and(number(col(CONSUMED_QUANTITY)).lt(0)));
    Column kind =
        when(lower(category).equalTo("usage"), lit(NotAttributedCharges.NON_COMPUTE_USAGE))
            .when(
                lower(category)
                    .equalTo("purchase")
                    .and(
                        text(col(COMMITMENT_ID))
                            .isNotNull()
                            .or(text(col(COMMITMENT_TYPE)).isNotNull())),
                lit(NotAttributedCharges.COMMITMENT_PURCHASE))
            .otherwise(coalesce(category, lit(NotAttributedCharges.UNKNOWN)));

    return in.select(
        col(BillingCharges.FILE),
        col(BillingCharges.LINE),
        col(BillingCharges.RAW),
        reason.as(BillingCharges.REJECT_REASON),
        instance.as(BillingCharges.IS_INSTANCE_HOUR),
        instanceIdAtEnd(col(RESOURCE_ID)).as(BillingCharges.INSTANCE_ID),
        instanceType(usageType).as(BillingCharges.INSTANCE_TYPE),
        text(col(REGION)).as(BillingCharges.REGION),
        text(col(SUB_ACCOUNT)).as(BillingCharges.ACCOUNT_ID),
        text(col(CURRENCY)).as(BillingCharges.CURRENCY),
        pricingTerm.as(BillingCharges.PRICING_TERM),
        start.as(BillingCharges.USAGE_START),
        end.as(BillingCharges.USAGE_END),
        number(col(EFFECTIVE_COST)).as(BillingCharges.AMORTIZED_COST),
        number(col(LIST_COST)).as(BillingCharges.LIST_COST),
        number(col(CONSUMED_QUANTITY)).as(BillingCharges.USAGE_HOURS),
        coalesce(number(col(EFFECTIVE_COST)), number(col(BILLED_COST)), lit(0.0))
            .as(BillingCharges.CHARGE_COST),
        kind.as(BillingCharges.CHARGE_KIND),
        coalesce(correction, lit(false)).as(BillingCharges.IS_CORRECTION));
  }

  /** A compute instance by ServiceCategory and ResourceType, or by the shape of its ResourceId where there is no type. */
  private static Column isComputeInstance() {
    Column serviceCategory = lower(text(col(SERVICE_CATEGORY)));
    Column resourceType = lower(text(col(RESOURCE_TYPE)));
    Column id = lower(text(col(RESOURCE_ID)));
    Column instanceShapedId =
        id.rlike("(^|[:/])i-[0-9a-z]+/?$")
            .or(id.rlike(":instance/[^/]+$"))
            .or(id.rlike("/virtualmachines/[^/]+$"))
            .or(id.rlike("/instances/[^/]+$"));
    return coalesce(serviceCategory.equalTo("compute"), lit(true))
        .and(
            when(resourceType.isNotNull(), resourceType.isin((Object[]) VM_RESOURCE_TYPES))
                .otherwise(instanceShapedId));
  }

  /** The instance type from the first column that names it (see the class comment); null when none does. */
  private static Column instanceType(Column usageType) {
    Column skuDetails = text(col(SKU_PRICE_DETAILS));
    Column fromSkuDetails =
        coalesce(
            text(get_json_object(skuDetails, "$.InstanceType")),
            text(get_json_object(skuDetails, "$.instanceType")));
    Column azureVmSize = text(get_json_object(text(col(AZURE_SKU_DETAILS)), "$.ServiceType"));
    // AWS SkuIds are opaque codes; only one shaped like an instance type (p5.48xlarge) can name the
    // type.
    Column skuAsType = when(text(col(SKU)).rlike("^" + AWS_TYPE + "$"), text(col(SKU)));
    Column description = text(col(CHARGE_DESCRIPTION));
    Column awsInDescription =
        regexp_extract(description, "(?:^|[\\s,(])(" + AWS_TYPE + ")(?:[\\s,)]|$)", 1);
    Column provider = lower(coalesce(text(col(PROVIDER)), lit("")));
    Column azureMeter =
        regexp_extract(
            description,
            "(?:^|[\\s-])(N[CDV][0-9]+[A-Za-z]*(?: [A-Z][0-9]+[A-Za-z]*)?(?: v[0-9]+)?)(?: Spot| Low Priority)?(?:\\s|$)",
            1);
    Column azureFromMeter =
        when(
            provider
                .contains("microsoft")
                .or(provider.contains("azure"))
                .and(azureMeter.notEqual("")),
            concat(lit("Standard_"), regexp_replace(azureMeter, " ", "_")));
    return coalesce(
        instanceTypeFromUsageType(usageType),
        fromSkuDetails,
        azureVmSize,
        skuAsType,
        when(awsInDescription.notEqual(""), awsInDescription),
        azureFromMeter);
  }

  /** An EC2 instance type: family (g5, p4de, u-6tb1) dot size (4xlarge, metal, metal-24xl). */
  private static final String AWS_TYPE =
      "[a-z][a-z0-9-]*[0-9][a-z0-9-]*\\.(?:nano|micro|small|medium|[0-9]*x?large|metal(?:-[0-9a-z]+)?)";
}
