package dev.idleledger.attribute;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.idleledger.ingest.SilverTables;
import dev.idleledger.ingest.telemetry.HeldHours;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * GPU units and their slice shares (COST_MODEL.md §2 "MIG"): a whole GPU is one unit with share 1; a MIG
 * instance {@code kg.*} is a unit with share k / slices(model); the slices no instance uses form one more unit,
 * 'unconfigured', with the remaining share, unallocated whenever any instance of that GPU is observed.
 */
final class GpuUnits {
  static final String UNCONFIGURED = "unconfigured";

  /** A MIG-capable model missing from the catalog: A100 and H100 class GPUs have 7 slices. */
  private static final int DEFAULT_MODEL_SLICES = 7;

  private GpuUnits() {}

  /** Adds slice_share to samples: 1 for a whole GPU, k / slices(model) for a MIG instance. */
  static Dataset<Row> withSliceShare(Dataset<Row> samples, Dataset<Row> modelSlices) {
    Column k = regexp_extract(col("mig_profile"), "^(\\d+)g", 1).cast("double");
    Column slices = coalesce(col("model_slices"), lit(DEFAULT_MODEL_SLICES)).cast("double");
    return samples
        .join(
            broadcast(modelSlices),
            samples.col("gpu_model").equalTo(modelSlices.col("gpu_model")),
            "left")
        .drop(modelSlices.col("gpu_model"))
        .withColumn(
            "slice_share", when(col("mig_profile").isNull(), lit(1.0)).otherwise(k.divide(slices)))
        .withColumn("model_slices", slices);
  }

  /**
   * One synthetic sample of the 'unconfigured' unit per timestamp at which any instance of a MIG GPU was
   * observed, holding as long as the longest-holding instance sample: the union of the siblings' observation. (The
   * longest hold from one instant also reaches furthest past the hour, so the two maxima describe one hold.)
   * Only for GPUs whose instances leave slices free. Columns as {@link #withSliceShare} output.
   */
  static Dataset<Row> unconfiguredSamples(Dataset<Row> samplesWithShare) {
    Dataset<Row> mig = samplesWithShare.where(col("mig_profile").isNotNull());
    Dataset<Row> freeShare =
        mig.groupBy("cluster", "gpu_uuid", "mig_instance_id")
            .agg(max("slice_share").as("instance_share"))
            .groupBy("cluster", "gpu_uuid")
            .agg(sum("instance_share").as("used_share"))
            .withColumn("free_share", lit(1.0).minus(col("used_share")))
            .where(col("free_share").gt(1e-9))
            .select("cluster", "gpu_uuid", "free_share");
    Dataset<Row> perTimestamp =
        mig.groupBy(
                "date",
                "cluster",
                "node",
                "gpu_uuid",
                "gpu_index",
                "gpu_model",
                "model_slices",
                "ts")
            .agg(
                max("hold_seconds").as("hold_seconds"),
                max(HeldHours.NEXT_HOUR).as(HeldHours.NEXT_HOUR));
    return perTimestamp
        .join(broadcast(freeShare), new String[] {"cluster", "gpu_uuid"})
        .withColumn("mig_profile", lit(UNCONFIGURED))
        .withColumn("mig_instance_id", lit(UNCONFIGURED))
        .withColumn("unit_id", concat(col("gpu_uuid"), lit("/" + UNCONFIGURED)))
        .withColumn("slice_share", col("free_share"))
        .withColumn(
            "holders",
            array().cast(org.apache.spark.sql.types.DataTypes.createArrayType(SilverTables.HOLDER)))
        .withColumn("gr_engine_active", lit(null).cast("double"))
        .withColumn("gpu_util", lit(null).cast("double"))
        .withColumn("fb_used_mib", lit(null).cast("double"))
        .withColumn("fb_free_mib", lit(null).cast("double"))
        .drop("free_share");
  }

  /**
   * Per unit and hour observed: cluster, node, gpu_uuid, unit_id, hour, the unit's gpu_model, mig_profile,
   * mig_instance_id and slice_share, and observed_seconds (Σ of the holds' seconds in the hour). The one pass over the per-second
   * samples that both the units seen ({@link #seen}) and their observed seconds ({@link #observedSeconds}) are
   * read from: a few rows per unit, where each used to be its own aggregation over every sample.
   */
  static Dataset<Row> observedHours(Dataset<Row> classifiedSamples) {
    return classifiedSamples
        .groupBy("cluster", "node", "gpu_uuid", "unit_id", "hour")
        .agg(
            max("gpu_model").as("gpu_model"),
            max("mig_profile").as("mig_profile"),
            max("mig_instance_id").as("mig_instance_id"),
            max("slice_share").as("slice_share"),
            sum(HeldHours.HOUR_SECONDS).as("observed_seconds"));
  }

  /** The distinct units seen: cluster, node, gpu_uuid, gpu_model, unit_id, mig_profile, mig_instance_id, slice_share. */
  static Dataset<Row> seen(Dataset<Row> observedHours) {
    return observedHours
        .groupBy("cluster", "node", "gpu_uuid", "unit_id")
        .agg(
            max("gpu_model").as("gpu_model"),
            max("mig_profile").as("mig_profile"),
            max("mig_instance_id").as("mig_instance_id"),
            max("slice_share").as("slice_share"));
  }

  /** cluster, unit_id, hour, observed_seconds: the seconds of each unit-hour that telemetry covered. */
  static Dataset<Row> observedSeconds(Dataset<Row> observedHours) {
    return observedHours
        .groupBy("cluster", "unit_id", "hour")
        .agg(sum("observed_seconds").as("observed_seconds"));
  }

  /**
   * Placeholder units for GPUs an instance is billed for but telemetry never showed that day (a dead exporter,
   * a node with no telemetry, or an instance only on the bill, with no node at all): their time is unobserved,
   * and without them that money would vanish. {@code gpuInstances}: instance_id, cluster, node, gpus, gpus_seen.
   */
  static Dataset<Row> unseen(Dataset<Row> gpuInstances) {
    return gpuInstances
        .where(col("gpus").gt(col("gpus_seen")))
        .withColumn("k", expr("explode(sequence(1, gpus - gpus_seen))"))
        .select(
            col("instance_id"),
            col("cluster"),
            col("node"),
            concat(lit("unseen-"), col("k").cast("string")).as("gpu_uuid"),
            concat(col("instance_id"), lit("/unseen-"), col("k").cast("string")).as("unit_id"),
            lit(null).cast("string").as("gpu_model"),
            lit(null).cast("string").as("mig_profile"),
            lit(null).cast("string").as("mig_instance_id"),
            lit(1.0).as("slice_share"));
  }

  /**
   * The units with the facts of their instance ({@code instanceFacts}: cluster, node, instance_id and the instance's
   * columns). A unit seen in telemetry finds its instance by node; a placeholder by the instance it was made for,
   * since an instance only on the bill has no node to match on.
   */
  static Dataset<Row> withInstance(
      Dataset<Row> unitsSeen, Dataset<Row> unseen, Dataset<Row> instanceFacts) {
    Dataset<Row> seen =
        unitsSeen.join(broadcast(instanceFacts), new String[] {"cluster", "node"}, "left");
    Dataset<Row> placeholders =
        unseen.join(broadcast(instanceFacts.drop("cluster", "node")), new String[] {"instance_id"});
    return seen.unionByName(placeholders);
  }
}
