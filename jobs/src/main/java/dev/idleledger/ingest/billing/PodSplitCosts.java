package dev.idleledger.ingest.billing;

import static dev.idleledger.ingest.SilverTables.BillingPodSplit.CURRENCY;
import static dev.idleledger.ingest.SilverTables.BillingPodSplit.DATE;
import static dev.idleledger.ingest.SilverTables.BillingPodSplit.EKS_CLUSTER;
import static dev.idleledger.ingest.SilverTables.BillingPodSplit.INSTANCE_ID;
import static dev.idleledger.ingest.SilverTables.BillingPodSplit.NAMESPACE;
import static dev.idleledger.ingest.SilverTables.BillingPodSplit.POD;
import static dev.idleledger.ingest.SilverTables.BillingPodSplit.POD_UID;
import static dev.idleledger.ingest.SilverTables.BillingPodSplit.RESOURCE;
import static dev.idleledger.ingest.SilverTables.BillingPodSplit.SOURCE_FILE;
import static dev.idleledger.ingest.SilverTables.BillingPodSplit.SPLIT_COST;
import static dev.idleledger.ingest.SilverTables.BillingPodSplit.UNUSED_COST;
import static dev.idleledger.ingest.billing.BillingCharges.number;
import static dev.idleledger.ingest.billing.BillingCharges.text;
import static dev.idleledger.ingest.billing.BillingCharges.timestamp;
import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.sql.Date;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * CUR 2.0 split cost allocation rows of EKS pods → silver {@code billing_pod_split} for one date. With split cost
 * allocation data enabled, AWS adds per pod and hour one usage row per resource (vCPU, memory and, on accelerated
 * instances, GPU), whose {@code line_item_resource_id} is the pod's ARN
 * ({@code arn:aws:eks:<region>:<account>:pod/<cluster>/<namespace>/<pod>/<uid>}) and whose
 * {@code split_line_item_parent_resource_id} is the instance; the money is in {@code split_line_item_split_cost} and
 * {@code split_line_item_unused_cost}. The instance's own row still carries the whole bill, so these rows are a
 * cross-check for {@code workload_daily.aws_split_cost}, never instance time. ECS task rows are left out.
 */
public final class PodSplitCosts {
  /** Share of a split row that falls on the date. */
  private static final String SHARE = "share";

  private PodSplitCosts() {}

  /** The pod ARN's path: pod/cluster/namespace/name[/uid]. */
  private static final String POD_ARN =
      "^arn:aws[a-z-]*:eks:[^:]*:[^:]*:pod/([^/]+)/([^/]+)/([^/]+)(?:/([^/]+))?$";

  /** {@code lineItems}: raw CUR rows (strings) as the reader gives them; absent optional columns are added as null. */
  public static Dataset<Row> of(Dataset<Row> lineItems, LocalDate date) {
    Dataset<Row> in =
        BillingCharges.withUsedColumns(
            lineItems, CurLineItems.REQUIRED, CurLineItems.OPTIONAL, "CUR line items");
    Column arn = text(col(CurLineItems.RESOURCE_ID));
    Column start = timestamp(col(CurLineItems.START));
    Column end = timestamp(col(CurLineItems.END));
    Column splitCost = number(col(CurLineItems.SPLIT_COST));
    Column unusedCost = number(col(CurLineItems.SPLIT_UNUSED_COST));
    // Rows CurLineItems quarantines (bad dates, non-numeric split money) are left out here too.
    Column usable =
        CurLineItems.isSplitRow()
            .and(coalesce(arn.rlike(POD_ARN), lit(false)))
            .and(start.isNotNull())
            .and(end.isNotNull())
            .and(end.gt(start))
            .and(BillingCharges.badNumber(col(CurLineItems.SPLIT_COST)).unary_$bang())
            .and(BillingCharges.badNumber(col(CurLineItems.SPLIT_UNUSED_COST)).unary_$bang())
            .and(BillingCharges.badNumber(col(CurLineItems.UNBLENDED)).unary_$bang())
            .and(splitCost.isNotNull().or(unusedCost.isNotNull()));

    // A row spanning several hours (daily granularity) is spread by time, like instance rows: the
    // date's part only.
    Column dayStart = lit(date.atStartOfDay(ZoneOffset.UTC).toInstant());
    Column dayEnd = lit(date.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant());
    Column seconds = end.cast(DataTypes.DoubleType).minus(start.cast(DataTypes.DoubleType));
    Column inDay =
        least(end, dayEnd)
            .cast(DataTypes.DoubleType)
            .minus(greatest(start, dayStart).cast(DataTypes.DoubleType));
    Column share = when(inDay.gt(0), inDay.divide(seconds)).otherwise(lit(0.0));

    Column usageType = lower(coalesce(text(col(CurLineItems.USAGE_TYPE)), lit("")));
    Column resource =
        when(usageType.contains("gpu-hours").or(usageType.contains("accelerator")), lit("gpu"))
            .when(usageType.contains("vcpu-hours"), lit("vcpu"))
            .when(usageType.contains("gb-hours"), lit("memory"))
            .otherwise(lit("other"));
    Column uid = regexp_extract(arn, POD_ARN, 4);

    return in.where(usable)
        .select(
            lit(Date.valueOf(date)).as(DATE),
            BillingCharges.instanceIdAtEnd(col(CurLineItems.SPLIT_PARENT)).as(INSTANCE_ID),
            regexp_extract(arn, POD_ARN, 1).as(EKS_CLUSTER),
            regexp_extract(arn, POD_ARN, 2).as(NAMESPACE),
            regexp_extract(arn, POD_ARN, 3).as(POD),
            when(uid.notEqual(lit("")), uid).as(POD_UID),
            resource.as(RESOURCE),
            coalesce(splitCost, lit(0.0)).multiply(share).as(SPLIT_COST),
            coalesce(unusedCost, lit(0.0)).multiply(share).as(UNUSED_COST),
            text(col(CurLineItems.CURRENCY)).as(CURRENCY),
            col(BillingCharges.FILE),
            share.as(SHARE))
        .where(col(SHARE).gt(0))
        .groupBy(DATE, INSTANCE_ID, EKS_CLUSTER, NAMESPACE, POD, POD_UID, RESOURCE)
        .agg(
            sum(SPLIT_COST).as(SPLIT_COST),
            sum(UNUSED_COST).as(UNUSED_COST),
            max(CURRENCY).as(CURRENCY),
            concat_ws(",", array_sort(collect_set(col(BillingCharges.FILE)))).as(SOURCE_FILE));
  }
}
