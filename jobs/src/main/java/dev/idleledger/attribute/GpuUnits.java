package dev.idleledger.attribute;

import static dev.idleledger.attribute.GpuHourlyTable.CLUSTER;
import static dev.idleledger.attribute.GpuHourlyTable.DATE;
import static dev.idleledger.attribute.GpuHourlyTable.GPU_MODEL;
import static dev.idleledger.attribute.GpuHourlyTable.GPU_UUID;
import static dev.idleledger.attribute.GpuHourlyTable.HOUR;
import static dev.idleledger.attribute.GpuHourlyTable.INSTANCE_ID;
import static dev.idleledger.attribute.GpuHourlyTable.MIG_INSTANCE_ID;
import static dev.idleledger.attribute.GpuHourlyTable.MIG_PROFILE;
import static dev.idleledger.attribute.GpuHourlyTable.NODE;
import static dev.idleledger.attribute.GpuHourlyTable.SLICE_SHARE;
import static dev.idleledger.attribute.GpuHourlyTable.UNIT_ID;
import static java.util.Map.entry;
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
import dev.idleledger.ingest.SilverTables.GpuSamples;
import dev.idleledger.ingest.telemetry.HeldHours;
import dev.idleledger.spark.OrderedColumns;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * GPU units and their slice shares (COST_MODEL.md §2 "MIG"): a whole GPU is one unit with share 1; a MIG
 * instance {@code kg.*} is a unit with share k / slices(model); the slices no instance uses form one more unit,
 * 'unconfigured', with the remaining share, unallocated whenever any instance of that GPU is observed.
 */
final class GpuUnits {
  /** Share of a MIG GPU no configured instance uses: what its unconfigured slices hold. */
  private static final String FREE_SHARE = "free_share";

  /** Slice share of one MIG instance of a GPU. */
  private static final String INSTANCE_SHARE = "instance_share";

  /** Σ slice share of the configured MIG instances of a GPU. */
  private static final String USED_SHARE = "used_share";

  /** Compute slices of the GPU model (CatalogFrames#modelSlices). */
  private static final String MODEL_SLICES = "model_slices";

  /** Seconds of a unit-hour that telemetry covers. */
  private static final String OBSERVED_SECONDS = "observed_seconds";

  /** GPUs of an instance (InstanceHourCost#instances). */
  private static final String GPUS = "gpus";

  /** GPUs of an instance that telemetry saw. */
  private static final String GPUS_SEEN = "gpus_seen";

  /** Number of an unseen GPU on its instance, 1..gpus - gpus_seen. */
  private static final String K = "k";

  static final String UNCONFIGURED = "unconfigured";

  /** A MIG-capable model missing from the catalog: A100 and H100 class GPUs have 7 slices. */
  private static final int DEFAULT_MODEL_SLICES = 7;

  private GpuUnits() {}

  /** Adds slice_share to samples: 1 for a whole GPU, k / slices(model) for a MIG instance. */
  static Dataset<Row> withSliceShare(Dataset<Row> samples, Dataset<Row> modelSlices) {
    Column k = regexp_extract(col(MIG_PROFILE), "^(\\d+)g", 1).cast("double");
    Column slices = coalesce(col(MODEL_SLICES), lit(DEFAULT_MODEL_SLICES)).cast("double");
    return samples
        .join(
            broadcast(modelSlices),
            samples.col(GPU_MODEL).equalTo(modelSlices.col(GPU_MODEL)),
            "left")
        .drop(modelSlices.col(GPU_MODEL))
        .withColumns(
            OrderedColumns.of(
                entry(
                    SLICE_SHARE,
                    when(col(MIG_PROFILE).isNull(), lit(1.0)).otherwise(k.divide(slices))),
                entry(MODEL_SLICES, slices)));
  }

  /**
   * One synthetic sample of the 'unconfigured' unit per timestamp at which any instance of a MIG GPU was
   * observed, holding as long as the longest-holding instance sample: the union of the siblings' observation. (The
   * longest hold from one instant also reaches furthest past the hour, so the two maxima describe one hold.)
   * Only for GPUs whose instances leave slices free. Columns as {@link #withSliceShare} output.
   */
  static Dataset<Row> unconfiguredSamples(Dataset<Row> samplesWithShare) {
    Dataset<Row> mig = samplesWithShare.where(col(MIG_PROFILE).isNotNull());
    Dataset<Row> freeShare =
        mig.groupBy(CLUSTER, GPU_UUID, MIG_INSTANCE_ID)
            .agg(max(SLICE_SHARE).as(INSTANCE_SHARE))
            .groupBy(CLUSTER, GPU_UUID)
            .agg(sum(INSTANCE_SHARE).as(USED_SHARE))
            .withColumn(FREE_SHARE, lit(1.0).minus(col(USED_SHARE)))
            .where(col(FREE_SHARE).gt(1e-9))
            .select(CLUSTER, GPU_UUID, FREE_SHARE);
    Dataset<Row> perTimestamp =
        mig.groupBy(
                DATE,
                CLUSTER,
                NODE,
                GPU_UUID,
                GpuSamples.GPU_INDEX,
                GPU_MODEL,
                MODEL_SLICES,
                GpuSamples.TS)
            .agg(
                max(GpuSamples.HOLD_SECONDS).as(GpuSamples.HOLD_SECONDS),
                max(HeldHours.NEXT_HOUR).as(HeldHours.NEXT_HOUR));
    return perTimestamp
        .join(broadcast(freeShare), new String[] {CLUSTER, GPU_UUID})
        .withColumns(
            OrderedColumns.of(
                entry(MIG_PROFILE, lit(UNCONFIGURED)),
                entry(MIG_INSTANCE_ID, lit(UNCONFIGURED)),
                entry(UNIT_ID, concat(col(GPU_UUID), lit("/" + UNCONFIGURED))),
                entry(SLICE_SHARE, col(FREE_SHARE)),
                entry(
                    GpuSamples.HOLDERS,
                    array().cast(DataTypes.createArrayType(SilverTables.HOLDER))),
                entry(GpuSamples.GR_ENGINE_ACTIVE, lit(null).cast("double")),
                entry(GpuSamples.GPU_UTIL, lit(null).cast("double")),
                entry(GpuSamples.FB_USED_MIB, lit(null).cast("double")),
                entry(GpuSamples.FB_FREE_MIB, lit(null).cast("double"))))
        .drop(FREE_SHARE);
  }

  /**
   * Per unit and hour observed: cluster, node, gpu_uuid, unit_id, hour, the unit's gpu_model, mig_profile,
   * mig_instance_id and slice_share, and observed_seconds (Σ of the holds' seconds in the hour). The one pass over the per-second
   * samples that both the units seen ({@link #seen}) and their observed seconds ({@link #observedSeconds}) are
   * read from: a few rows per unit, where each used to be its own aggregation over every sample.
   */
  static Dataset<Row> observedHours(Dataset<Row> classifiedSamples) {
    return classifiedSamples
        .groupBy(CLUSTER, NODE, GPU_UUID, UNIT_ID, HOUR)
        .agg(
            max(GPU_MODEL).as(GPU_MODEL),
            max(MIG_PROFILE).as(MIG_PROFILE),
            max(MIG_INSTANCE_ID).as(MIG_INSTANCE_ID),
            max(SLICE_SHARE).as(SLICE_SHARE),
            sum(HeldHours.HOUR_SECONDS).as(OBSERVED_SECONDS));
  }

  /** The distinct units seen: cluster, node, gpu_uuid, gpu_model, unit_id, mig_profile, mig_instance_id, slice_share. */
  static Dataset<Row> seen(Dataset<Row> observedHours) {
    return observedHours
        .groupBy(CLUSTER, NODE, GPU_UUID, UNIT_ID)
        .agg(
            max(GPU_MODEL).as(GPU_MODEL),
            max(MIG_PROFILE).as(MIG_PROFILE),
            max(MIG_INSTANCE_ID).as(MIG_INSTANCE_ID),
            max(SLICE_SHARE).as(SLICE_SHARE));
  }

  /** cluster, unit_id, hour, observed_seconds: the seconds of each unit-hour that telemetry covered. */
  static Dataset<Row> observedSeconds(Dataset<Row> observedHours) {
    return observedHours
        .groupBy(CLUSTER, UNIT_ID, HOUR)
        .agg(sum(OBSERVED_SECONDS).as(OBSERVED_SECONDS));
  }

  /**
   * Placeholder units for GPUs an instance is billed for but telemetry never showed that day (a dead exporter,
   * a node with no telemetry, or an instance only on the bill, with no node at all): their time is unobserved,
   * and without them that money would vanish. {@code gpuInstances}: instance_id, cluster, node, gpus, gpus_seen.
   */
  static Dataset<Row> unseen(Dataset<Row> gpuInstances) {
    return gpuInstances
        .where(col(GPUS).gt(col(GPUS_SEEN)))
        .withColumn(K, expr("explode(sequence(1, " + GPUS + " - " + GPUS_SEEN + "))"))
        .select(
            col(INSTANCE_ID),
            col(CLUSTER),
            col(NODE),
            concat(lit("unseen-"), col(K).cast("string")).as(GPU_UUID),
            concat(col(INSTANCE_ID), lit("/unseen-"), col(K).cast("string")).as(UNIT_ID),
            lit(null).cast("string").as(GPU_MODEL),
            lit(null).cast("string").as(MIG_PROFILE),
            lit(null).cast("string").as(MIG_INSTANCE_ID),
            lit(1.0).as(SLICE_SHARE));
  }

  /**
   * The units with the facts of their instance ({@code instanceFacts}: cluster, node, instance_id and the instance's
   * columns). A unit seen in telemetry finds its instance by node; a placeholder by the instance it was made for,
   * since an instance only on the bill has no node to match on.
   */
  static Dataset<Row> withInstance(
      Dataset<Row> unitsSeen, Dataset<Row> unseen, Dataset<Row> instanceFacts) {
    Dataset<Row> seen =
        unitsSeen.join(broadcast(instanceFacts), new String[] {CLUSTER, NODE}, "left");
    Dataset<Row> placeholders =
        unseen.join(broadcast(instanceFacts.drop(CLUSTER, NODE)), new String[] {INSTANCE_ID});
    return seen.unionByName(placeholders);
  }
}
