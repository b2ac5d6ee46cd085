package dev.idleledger.attribute;

import static dev.idleledger.attribute.GpuHourlyTable.CLUSTER;
import static dev.idleledger.attribute.GpuHourlyTable.CURRENCY;
import static dev.idleledger.attribute.GpuHourlyTable.GPU_UUID;
import static dev.idleledger.attribute.GpuHourlyTable.HOUR;
import static dev.idleledger.attribute.GpuHourlyTable.INSTANCE_ID;
import static dev.idleledger.attribute.GpuHourlyTable.INSTANCE_TYPE;
import static dev.idleledger.attribute.GpuHourlyTable.MIG_PROFILE;
import static dev.idleledger.attribute.GpuHourlyTable.NODE;
import static java.util.Map.entry;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.idleledger.ingest.SilverTables.BillingHourly;
import dev.idleledger.ingest.SilverTables.NodeInfo;
import dev.idleledger.model.Periods;
import dev.idleledger.spark.OrderedColumns;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What each GPU of an instance costs per billed hour (COST_MODEL.md §1):
 * {@code gpu_cost = node_cost × share / gpus}, where gpus comes from the catalog, else from what kube
 * state and telemetry show (capacity plus MIG-enabled GPUs, or the distinct GPUs seen, whichever is more).
 */
final class InstanceHourCost {
  /** GPUs of an instance: the catalog count, else what kube state and telemetry saw; 0 = not a GPU instance. */
  private static final String GPUS = "gpus";

  /** Distinct GPUs telemetry saw on a node. */
  private static final String GPUS_SEEN = "gpus_seen";

  /** Of them, GPUs seen partitioned by MIG (not in the node capacity). */
  private static final String MIG_GPUS_SEEN = "mig_gpus_seen";

  /** Share of the instance cost that is its GPUs (GpuSharePolicy). */
  private static final String GPU_SHARE = "gpu_share";

  /** What the GPUs of a billed instance-hour cost: node_cost × gpu_share. */
  private static final String GPU_COST_TOTAL = "gpu_cost_total";

  /** The cluster of an instance no kube state names (the published value is gpu_hourly's). */
  static final String UNATTRIBUTED_CLUSTER = GpuHourlyTable.UNATTRIBUTED_CLUSTER;

  private InstanceHourCost() {}

  /**
   * The GPU instances of the day: instance_id, cluster, node, instance_type, gpus, gpus_seen, cat_* columns.
   * An instance is a GPU instance when the catalog, kube state or telemetry says it has GPUs; one only on the
   * bill is a GPU instance when its billed type is in the catalog with GPUs.
   */
  static Dataset<Row> gpuInstances(Dataset<Row> instances) {
    return instances.where(col(GPUS).gt(0));
  }

  /**
   * Every instance of the day, from kube state and the bill: instance_id, cluster, node, instance_type, gpus
   * (0 = not a GPU instance), gpus_seen, gpu_share, cat_on_demand_hourly, cat_gpus (null = not in the catalog).
   *
   * @param nodes node_info of the day
   * @param billedInstances distinct instance_id, bill_instance_type of the day's billing rows
   * @param unitsSeen units seen in telemetry (cluster, node, gpu_uuid, mig_profile)
   */
  static Dataset<Row> instances(
      Dataset<Row> nodes,
      Dataset<Row> billedInstances,
      Dataset<Row> unitsSeen,
      Dataset<Row> catalog,
      double unknownShapeShare) {
    Dataset<Row> seenPerNode =
        unitsSeen
            .groupBy(CLUSTER, NODE)
            .agg(
                countDistinct(GPU_UUID).as(GPUS_SEEN),
                countDistinct(when(col(MIG_PROFILE).isNotNull(), col(GPU_UUID))).as(MIG_GPUS_SEEN));
    Dataset<Row> fromKube = nodes.join(seenPerNode, new String[] {CLUSTER, NODE}, "left");
    Dataset<Row> all =
        fromKube
            .join(billedInstances, new String[] {INSTANCE_ID}, "full_outer")
            .withColumns(
                OrderedColumns.of(
                    entry(CLUSTER, coalesce(col(CLUSTER), lit(UNATTRIBUTED_CLUSTER))),
                    entry(INSTANCE_TYPE, coalesce(col(INSTANCE_TYPE), col("bill_instance_type"))),
                    entry(GPUS_SEEN, coalesce(col(GPUS_SEEN), lit(0L))),
                    entry(MIG_GPUS_SEEN, coalesce(col(MIG_GPUS_SEEN), lit(0L)))));
    return CatalogFrames.withShape(all, catalog)
        .withColumns(
            OrderedColumns.of(
                entry(
                    GPUS,
                    coalesce(
                        col("cat_gpus").cast("long"),
                        greatest(
                            coalesce(col(NodeInfo.GPU_CAPACITY).cast("long"), lit(0L))
                                .plus(col(MIG_GPUS_SEEN)),
                            col(GPUS_SEEN)))),
                entry(GPU_SHARE, coalesce(col("cat_gpu_share"), lit(unknownShapeShare)))))
        .select(
            INSTANCE_ID,
            CLUSTER,
            NODE,
            INSTANCE_TYPE,
            GPUS,
            GPUS_SEEN,
            GPU_SHARE,
            "cat_on_demand_hourly",
            "cat_gpus");
  }

  /** Per billed GPU instance-hour: instance_id, hour, node_cost, gpu_cost_total, gpu_cost_per_gpu, billed_seconds, currency. */
  static Dataset<Row> billedHours(Dataset<Row> billing, Dataset<Row> gpuInstances) {
    Dataset<Row> perHour =
        billing
            .groupBy(INSTANCE_ID, HOUR)
            .agg(
                sum(BillingHourly.NODE_COST).as(BillingHourly.NODE_COST),
                sum(BillingHourly.BILLED_SECONDS).as(BillingHourly.BILLED_SECONDS),
                max(CURRENCY).as(CURRENCY));
    return perHour
        .join(broadcast(gpuInstances.select(INSTANCE_ID, CLUSTER, GPUS, GPU_SHARE)), INSTANCE_ID)
        .withColumns(
            OrderedColumns.of(
                entry(
                    BillingHourly.BILLED_SECONDS,
                    least(
                        lit((double) Periods.SECONDS_PER_HOUR), col(BillingHourly.BILLED_SECONDS))),
                entry(GPU_COST_TOTAL, col(BillingHourly.NODE_COST).multiply(col(GPU_SHARE)))))
        .withColumn("gpu_cost_per_gpu", col(GPU_COST_TOTAL).divide(col(GPUS)))
        .select(
            INSTANCE_ID,
            CLUSTER,
            HOUR,
            BillingHourly.NODE_COST,
            GPU_COST_TOTAL,
            "gpu_cost_per_gpu",
            BillingHourly.BILLED_SECONDS,
            CURRENCY);
  }
}
