package dev.idleledger.attribute;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.when;

import dev.idleledger.model.Periods;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What each GPU of an instance costs per billed hour (COST_MODEL.md §1):
 * {@code gpu_cost = node_cost × share / gpus}, where gpus comes from the catalog, else from what kube
 * state and telemetry show (capacity plus MIG-enabled GPUs, or the distinct GPUs seen, whichever is more).
 */
final class InstanceHourCost {
  /** The cluster of an instance no kube state names (the published value is gpu_hourly's). */
  static final String UNATTRIBUTED_CLUSTER = GpuHourlyTable.UNATTRIBUTED_CLUSTER;

  private InstanceHourCost() {}

  /**
   * The GPU instances of the day: instance_id, cluster, node, instance_type, gpus, gpus_seen, cat_* columns.
   * An instance is a GPU instance when the catalog, kube state or telemetry says it has GPUs; one only on the
   * bill is a GPU instance when its billed type is in the catalog with GPUs.
   */
  static Dataset<Row> gpuInstances(Dataset<Row> instances) {
    return instances.where(col("gpus").gt(0));
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
            .groupBy("cluster", "node")
            .agg(
                countDistinct("gpu_uuid").as("gpus_seen"),
                countDistinct(when(col("mig_profile").isNotNull(), col("gpu_uuid")))
                    .as("mig_gpus_seen"));
    Dataset<Row> fromKube = nodes.join(seenPerNode, new String[] {"cluster", "node"}, "left");
    Dataset<Row> all =
        fromKube
            .join(billedInstances, new String[] {"instance_id"}, "full_outer")
            .withColumn("cluster", coalesce(col("cluster"), lit(UNATTRIBUTED_CLUSTER)))
            .withColumn("instance_type", coalesce(col("instance_type"), col("bill_instance_type")))
            .withColumn("gpus_seen", coalesce(col("gpus_seen"), lit(0L)))
            .withColumn("mig_gpus_seen", coalesce(col("mig_gpus_seen"), lit(0L)));
    return CatalogFrames.withShape(all, catalog)
        .withColumn(
            "gpus",
            coalesce(
                col("cat_gpus").cast("long"),
                greatest(
                    coalesce(col("gpu_capacity").cast("long"), lit(0L)).plus(col("mig_gpus_seen")),
                    col("gpus_seen"))))
        .withColumn("gpu_share", coalesce(col("cat_gpu_share"), lit(unknownShapeShare)))
        .select(
            "instance_id",
            "cluster",
            "node",
            "instance_type",
            "gpus",
            "gpus_seen",
            "gpu_share",
            "cat_on_demand_hourly",
            "cat_gpus");
  }

  /** Per billed GPU instance-hour: instance_id, hour, node_cost, gpu_cost_total, gpu_cost_per_gpu, billed_seconds, currency. */
  static Dataset<Row> billedHours(Dataset<Row> billing, Dataset<Row> gpuInstances) {
    Dataset<Row> perHour =
        billing
            .groupBy("instance_id", "hour")
            .agg(
                org.apache.spark.sql.functions.sum("node_cost").as("node_cost"),
                org.apache.spark.sql.functions.sum("billed_seconds").as("billed_seconds"),
                max("currency").as("currency"));
    return perHour
        .join(
            broadcast(gpuInstances.select("instance_id", "cluster", "gpus", "gpu_share")),
            "instance_id")
        .withColumn(
            "billed_seconds",
            org.apache.spark.sql.functions.least(
                lit((double) Periods.SECONDS_PER_HOUR), col("billed_seconds")))
        .withColumn("gpu_cost_total", col("node_cost").multiply(col("gpu_share")))
        .withColumn("gpu_cost_per_gpu", col("gpu_cost_total").divide(col("gpus")))
        .select(
            "instance_id",
            "cluster",
            "hour",
            "node_cost",
            "gpu_cost_total",
            "gpu_cost_per_gpu",
            "billed_seconds",
            "currency");
  }
}
