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
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.when;

import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * AWS CUR 2.0 line items → billing charges (COST_MODEL §1). Instance time is an {@code AmazonEC2} row whose usage
 * type says an instance ran (BoxUsage, SpotUsage, DedicatedUsage, HostUsage) and whose line item type is usage
 * ({@code Usage}, {@code DiscountedUsage}, {@code SavingsPlanCoveredUsage}); its amortized cost depends on that
 * type. Everything else on the bill (RIFee, SavingsPlanNegation, SavingsPlanRecurringFee, Tax, Credit, EBS, data
 * transfer, other services) is kept as a non-instance charge for the run_quality summary, never attributed.
 */
public final class CurLineItems {
  private CurLineItems() {}

  public static final String SOURCE = "billing.cur";

  public static final String START = "line_item_usage_start_date";
  public static final String END = "line_item_usage_end_date";
  public static final String ACCOUNT = "line_item_usage_account_id";
  public static final String TYPE = "line_item_line_item_type";
  public static final String PRODUCT = "line_item_product_code";
  public static final String USAGE_TYPE = "line_item_usage_type";
  public static final String OPERATION = "line_item_operation";
  public static final String RESOURCE_ID = "line_item_resource_id";
  public static final String USAGE_AMOUNT = "line_item_usage_amount";
  public static final String UNBLENDED = "line_item_unblended_cost";
  public static final String CURRENCY = "line_item_currency_code";
  public static final String PUBLIC_ON_DEMAND = "pricing_public_on_demand_cost";
  public static final String PRICING_TERM = "pricing_term";
  public static final String INSTANCE_TYPE = "product_instance_type";
  public static final String REGION = "product_region_code";
  public static final String RI_EFFECTIVE = "reservation_effective_cost";
  public static final String SP_EFFECTIVE = "savings_plan_savings_plan_effective_cost";

  /** EKS split cost allocation rows carry the instance here and a pod in line_item_resource_id: a cross-check, not instance time. */
  public static final String SPLIT_PARENT = "split_line_item_parent_resource_id";

  /** What AWS's split charged the pod for the resource of the row (GPU, vCPU or memory), amortized. */
  public static final String SPLIT_COST = "split_line_item_split_cost";

  /** The pod's share (by split usage) of what the instance's pods left unused of that resource. */
  public static final String SPLIT_UNUSED_COST = "split_line_item_unused_cost";

  /** Without these a file cannot say what instance ran when, for how much: the file is quarantined. */
  public static final List<String> REQUIRED =
      List.of(START, END, TYPE, PRODUCT, USAGE_TYPE, RESOURCE_ID, USAGE_AMOUNT, UNBLENDED);

  /** A missing optional column is read as null. resource_tags is not used yet. */
  public static final List<String> OPTIONAL =
      List.of(
          ACCOUNT,
          OPERATION,
          CURRENCY,
          PUBLIC_ON_DEMAND,
          PRICING_TERM,
          INSTANCE_TYPE,
          REGION,
          RI_EFFECTIVE,
          SP_EFFECTIVE,
          SPLIT_PARENT,
          SPLIT_COST,
          SPLIT_UNUSED_COST);

  public static final String USAGE = "Usage";
  public static final String DISCOUNTED_USAGE = "DiscountedUsage";
  public static final String SP_COVERED_USAGE = "SavingsPlanCoveredUsage";
  private static final Set<String> INSTANCE_LINE_TYPES =
      Set.of(USAGE, DISCOUNTED_USAGE, SP_COVERED_USAGE);

  /**
   * A split cost allocation row: a pod's (or ECS task's) share of the instance named in its parent resource id. Its
   * money is already on the instance's own row, so it is never instance time.
   */
  static Column isSplitRow() {
    return coalesce(
        text(col(SPLIT_PARENT))
            .isNotNull()
            .and(text(col(SPLIT_PARENT)).notEqual(coalesce(text(col(RESOURCE_ID)), lit("")))),
        lit(false));
  }

  /**
   * One charge row per line item (columns of {@link BillingCharges#COLUMNS}). {@code lineItems} holds the CUR
   * columns as strings, plus file, line and raw; absent optional columns are added as null.
   */
  public static Dataset<Row> toCharges(Dataset<Row> lineItems) {
    Dataset<Row> in =
        BillingCharges.withUsedColumns(lineItems, REQUIRED, OPTIONAL, "CUR line items");
    Column lineType = text(col(TYPE));
    Column usageType = col(USAGE_TYPE);
    Column start = timestamp(col(START));
    Column end = timestamp(col(END));
    Column splitRow = isSplitRow();
    Column instance =
        text(col(PRODUCT))
            .equalTo("AmazonEC2")
            .and(isInstanceUsageType(usageType))
            .and(lineType.isin(INSTANCE_LINE_TYPES.toArray()))
            .and(not(splitRow));
    instance = coalesce(instance, lit(false));

    Column amortizedSource =
        when(lineType.equalTo(DISCOUNTED_USAGE), col(RI_EFFECTIVE))
            .when(lineType.equalTo(SP_COVERED_USAGE), col(SP_EFFECTIVE))
            .otherwise(col(UNBLENDED));
    Column amortizedName =
        when(lineType.equalTo(DISCOUNTED_USAGE), lit(RI_EFFECTIVE))
            .when(lineType.equalTo(SP_COVERED_USAGE), lit(SP_EFFECTIVE))
            .otherwise(lit(UNBLENDED));

    // First failing check names the row's reason. Dates and the unblended cost are checked on every
    // row (the non-GPU summary sums money by day); the rest only where the row is instance time.
    Column reason =
        when(text(col(START)).isNull(), lit("missing " + START))
            .when(start.isNull(), lit("unparseable " + START))
            .when(text(col(END)).isNull(), lit("missing " + END))
            .when(end.isNull(), lit("unparseable " + END))
            .when(badNumber(col(UNBLENDED)), lit("non-numeric " + UNBLENDED))
            .when(
                instance.and(text(col(RESOURCE_ID)).isNull()),
                lit("missing " + RESOURCE_ID + " on an instance usage row"))
            .when(
                instance.and(text(col(USAGE_AMOUNT)).isNull()),
                lit("missing " + USAGE_AMOUNT + " on an instance usage row"))
            .when(instance.and(badNumber(col(USAGE_AMOUNT))), lit("non-numeric " + USAGE_AMOUNT))
            .when(
                instance.and(badNumber(amortizedSource)),
                concat(lit("non-numeric "), amortizedName))
            .when(
                instance.and(number(amortizedSource).isNull()),
                concat(lit("missing "), amortizedName, lit(" on a "), lineType, lit(" row")))
            .when(
                instance.and(badNumber(col(PUBLIC_ON_DEMAND))),
                lit("non-numeric " + PUBLIC_ON_DEMAND))
            .when(instance.and(end.leq(start)), lit("usage end not after start"))
            .when(splitRow.and(badNumber(col(SPLIT_COST))), lit("non-numeric " + SPLIT_COST))
            .when(
                splitRow.and(badNumber(col(SPLIT_UNUSED_COST))),
                lit("non-numeric " + SPLIT_UNUSED_COST));

    Column pricingTerm =
        when(
                text(usageType).contains("SpotUsage").or(text(col(PRICING_TERM)).equalTo("Spot")),
                lit("Spot"))
            .when(lineType.equalTo(SP_COVERED_USAGE), lit("SavingsPlan"))
            .when(lineType.equalTo(DISCOUNTED_USAGE), lit("Reserved"))
            .otherwise(lit("OnDemand"));
    Column kind =
        when(splitRow, lit("split cost allocation (per-pod cross-check, not summed)"))
            .when(
                INSTANCE_LINE_TYPES.stream()
                    .map(t -> lineType.equalTo(t))
                    .reduce(Column::or)
                    .orElseThrow(),
                concat(
                    lit(NotAttributedCharges.NON_COMPUTE_USAGE + " ("),
                    coalesce(text(col(PRODUCT)), lit("?")),
                    lit(")")))
            .otherwise(coalesce(lineType, lit(NotAttributedCharges.UNKNOWN)));
    // CUR has no correction class: a negative usage amount on instance time is AWS taking hours
    // back.
    Column correction = instance.and(number(col(USAGE_AMOUNT)).lt(0));

    return in.select(
        col(BillingCharges.FILE),
        col(BillingCharges.LINE),
        col(BillingCharges.RAW),
        reason.as(BillingCharges.REJECT_REASON),
        instance.as(BillingCharges.IS_INSTANCE_HOUR),
        instanceIdAtEnd(col(RESOURCE_ID)).as(BillingCharges.INSTANCE_ID),
        coalesce(text(col(INSTANCE_TYPE)), instanceTypeFromUsageType(usageType))
            .as(BillingCharges.INSTANCE_TYPE),
        text(col(REGION)).as(BillingCharges.REGION),
        text(col(ACCOUNT)).as(BillingCharges.ACCOUNT_ID),
        text(col(CURRENCY)).as(BillingCharges.CURRENCY),
        pricingTerm.as(BillingCharges.PRICING_TERM),
        start.as(BillingCharges.USAGE_START),
        end.as(BillingCharges.USAGE_END),
        number(amortizedSource).as(BillingCharges.AMORTIZED_COST),
        number(col(PUBLIC_ON_DEMAND)).as(BillingCharges.LIST_COST),
        number(col(USAGE_AMOUNT)).as(BillingCharges.USAGE_HOURS),
        coalesce(number(col(UNBLENDED)), lit(0.0)).as(BillingCharges.CHARGE_COST),
        kind.as(BillingCharges.CHARGE_KIND),
        coalesce(correction, lit(false)).as(BillingCharges.IS_CORRECTION));
  }
}
