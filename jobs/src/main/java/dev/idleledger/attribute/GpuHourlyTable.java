package dev.idleledger.attribute;

import static dev.idleledger.spark.TableSpec.col;

import dev.idleledger.spark.TableSpec;
import java.util.List;
import org.apache.spark.sql.types.DataTypes;

/** {@code gpu_hourly}: one row per (hour, GPU unit, holder). CONTRACTS.md §2. */
public final class GpuHourlyTable {
  private GpuHourlyTable() {}

  /**
   * The unit-hour's rate, kept so that later stages price seconds with the very rate attribution used rather than
   * work it out again from the money. Null on rows an earlier release wrote.
   */
  public static final String RATE_PER_SECOND = "rate_per_second";

  private static final String EQ = " (GPU-equivalent seconds: each second counts the unit's slice share divided by the pods sharing it)";

  public static final TableSpec SPEC = new TableSpec("gpu_hourly",
      "Per hour, per GPU unit (whole GPU or MIG instance), per holder (a pod, or nobody): seconds by state and their cost. "
          + "Sum of cost over an instance-hour = the GPU share of its billed amortized cost.",
      List.of(
          col("date", DataTypes.DateType, "UTC day"),
          col("hour", DataTypes.TimestampType, "start of the UTC hour"),
          col("cluster", DataTypes.StringType, "cluster; 'unattributed' for a GPU instance on the bill that no cluster knows (node null, instance_id set, all seconds unobserved)"),
          col("node", DataTypes.StringType, "node name"),
          col("instance_id", DataTypes.StringType, "cloud instance id of the node (or of the billed instance, when no node)"),
          col("instance_type", DataTypes.StringType, "instance type"),
          col("gpu_uuid", DataTypes.StringType, "physical GPU UUID (unseen-N for a billed GPU never seen in telemetry)"),
          col("gpu_model", DataTypes.StringType, "GPU model name"),
          col("mig_profile", DataTypes.StringType, "MIG profile (e.g. 3g.40gb), 'unconfigured' for slices no instance uses, null = whole GPU"),
          col("mig_instance_id", DataTypes.StringType, "MIG GPU instance id, null = whole GPU"),
          col("unit_id", DataTypes.StringType, "GPU unit key: gpu_uuid, or gpu_uuid/mig_instance_id"),
          col("slice_share", DataTypes.DoubleType, "share of the physical GPU this unit is: 1 for a whole GPU, k/slices for a MIG kg profile"),
          col("namespace", DataTypes.StringType, "holder pod's namespace, null = nobody held the unit"),
          col("pod", DataTypes.StringType, "holder pod, null = nobody held the unit"),
          col("workload_kind", DataTypes.StringType, "top controller kind of the pod (Deployment, CronJob, PyTorchJob, Notebook, Pod...)"),
          col("workload_name", DataTypes.StringType, "top controller name"),
          col("workload_type", DataTypes.StringType, "training | inference | notebook | other; null when unallocated"),
          col("team", DataTypes.StringType, "team of the pod; null when unallocated"),
          col("labels", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType), "the holder pod's labels named in "
              + "attribution.labels, keyed as configured (labels['cost-center']); a key the pod lacks has no entry; null when unallocated"),
          col("state_seconds_active", DataTypes.DoubleType, "seconds with activity >= idle.activity_threshold" + EQ),
          col("state_seconds_idle", DataTypes.DoubleType, "held seconds below the activity threshold, memory-held included" + EQ),
          col("state_seconds_idle_memory_held", DataTypes.DoubleType, "idle seconds with framebuffer use >= idle.memory_held_threshold" + EQ),
          col("state_seconds_unallocated", DataTypes.DoubleType, "observed seconds with no pod on the unit" + EQ),
          col("state_seconds_unobserved", DataTypes.DoubleType, "billed seconds without telemetry" + EQ),
          col("avg_activity", DataTypes.DoubleType, "mean activity (GR_ENGINE_ACTIVE, else GPU_UTIL/100) over observed seconds, 0-1"),
          col("max_activity", DataTypes.DoubleType, "highest activity seen, 0-1"),
          col("max_fb_used_mib", DataTypes.DoubleType, "highest framebuffer use, MiB"),
          col("cost", DataTypes.DoubleType, "all money on the row, billing currency: a holder's share, or the unit's unallocated + unobserved money"),
          col("active_cost", DataTypes.DoubleType, "cost of active seconds"),
          col("idle_cost", DataTypes.DoubleType, "cost of idle held seconds (memory-held included)"),
          col("idle_memory_held_cost", DataTypes.DoubleType, "cost of idle seconds with memory held (part of idle_cost)"),
          col("unallocated_cost", DataTypes.DoubleType, "cost of observed seconds nobody held"),
          col("unobserved_cost", DataTypes.DoubleType, "cost of billed seconds without telemetry"),
          col("unused_capacity_cost", DataTypes.DoubleType, "sum of rate x (1 - activity) over held seconds: paid-for capacity the holder did not use"),
          col(RATE_PER_SECOND, DataTypes.DoubleType, "money per second of the GPU unit in this hour, the same on each of the unit-hour's rows "
              + "(COST_MODEL.md r = gpu_cost x slice_share / max(billed seconds, observed seconds), or the catalog's on-demand price per "
              + "second): a holder pays it per second divided by the pods sharing the unit; null on rows written before the column"),
          col("price_source", DataTypes.StringType, "bill (CUR/FOCUS), catalog (on-demand price from conf, no bill covered it) or none (cost 0)"),
          col("currency", DataTypes.StringType, "billing currency")),
      "date");
}
