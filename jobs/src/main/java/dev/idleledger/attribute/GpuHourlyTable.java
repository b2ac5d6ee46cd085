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

  /**
   * The cluster of an instance no kube state names: a GPU box outside Kubernetes, or a cluster not yet onboarded.
   * Its GPUs are on the bill, so their money is published (all unobserved) under this name rather than lost.
   */
  public static final String UNATTRIBUTED_CLUSTER = "unattributed";

  private static final String EQ =
      " (GPU-equivalent seconds: each second counts the unit's slice share divided by the pods sharing it)";

  // Column names (RATE_PER_SECOND above too): SPEC is built from them, so a constant always names
  // one of its columns.
  public static final String DATE = "date";
  public static final String HOUR = "hour";
  public static final String CLUSTER = "cluster";
  public static final String NODE = "node";
  public static final String INSTANCE_ID = "instance_id";
  public static final String INSTANCE_TYPE = "instance_type";
  public static final String GPU_UUID = "gpu_uuid";
  public static final String GPU_MODEL = "gpu_model";
  public static final String MIG_PROFILE = "mig_profile";
  public static final String MIG_INSTANCE_ID = "mig_instance_id";
  public static final String UNIT_ID = "unit_id";
  public static final String SLICE_SHARE = "slice_share";
  public static final String NAMESPACE = "namespace";
  public static final String POD = "pod";
  public static final String WORKLOAD_KIND = "workload_kind";
  public static final String WORKLOAD_NAME = "workload_name";
  public static final String WORKLOAD_TYPE = "workload_type";
  public static final String TEAM = "team";
  public static final String LABELS = "labels";
  public static final String STATE_SECONDS_ACTIVE = "state_seconds_active";
  public static final String STATE_SECONDS_IDLE = "state_seconds_idle";
  public static final String STATE_SECONDS_IDLE_MEMORY_HELD = "state_seconds_idle_memory_held";
  public static final String STATE_SECONDS_UNALLOCATED = "state_seconds_unallocated";
  public static final String STATE_SECONDS_UNOBSERVED = "state_seconds_unobserved";
  public static final String AVG_ACTIVITY = "avg_activity";
  public static final String MAX_ACTIVITY = "max_activity";
  public static final String MAX_FB_USED_MIB = "max_fb_used_mib";
  public static final String COST = "cost";
  public static final String ACTIVE_COST = "active_cost";
  public static final String IDLE_COST = "idle_cost";
  public static final String IDLE_MEMORY_HELD_COST = "idle_memory_held_cost";
  public static final String UNALLOCATED_COST = "unallocated_cost";
  public static final String UNOBSERVED_COST = "unobserved_cost";
  public static final String UNUSED_CAPACITY_COST = "unused_capacity_cost";
  public static final String PRICE_SOURCE = "price_source";
  public static final String CURRENCY = "currency";

  public static final TableSpec SPEC =
      new TableSpec(
          "gpu_hourly",
          "Per hour, per GPU unit (whole GPU or MIG instance), per holder (a pod, or nobody): seconds by state and their cost. "
              + "Sum of cost over an instance-hour = the GPU share of its billed amortized cost.",
          List.of(
              col(DATE, DataTypes.DateType, "UTC day"),
              col(HOUR, DataTypes.TimestampType, "start of the UTC hour"),
              col(
                  CLUSTER,
                  DataTypes.StringType,
                  "cluster; 'unattributed' for a GPU instance on the bill that no cluster knows (node null, instance_id set, all seconds unobserved)"),
              col(NODE, DataTypes.StringType, "node name"),
              col(
                  INSTANCE_ID,
                  DataTypes.StringType,
                  "cloud instance id of the node (or of the billed instance, when no node)"),
              col(INSTANCE_TYPE, DataTypes.StringType, "instance type"),
              col(
                  GPU_UUID,
                  DataTypes.StringType,
                  "physical GPU UUID (unseen-N for a billed GPU never seen in telemetry)"),
              col(GPU_MODEL, DataTypes.StringType, "GPU model name"),
              col(
                  MIG_PROFILE,
                  DataTypes.StringType,
                  "MIG profile (e.g. 3g.40gb), 'unconfigured' for slices no instance uses, null = whole GPU"),
              col(MIG_INSTANCE_ID, DataTypes.StringType, "MIG GPU instance id, null = whole GPU"),
              col(
                  UNIT_ID,
                  DataTypes.StringType,
                  "GPU unit key: gpu_uuid, or gpu_uuid/mig_instance_id"),
              col(
                  SLICE_SHARE,
                  DataTypes.DoubleType,
                  "share of the physical GPU this unit is: 1 for a whole GPU, k/slices for a MIG kg profile"),
              col(
                  NAMESPACE,
                  DataTypes.StringType,
                  "holder pod's namespace, null = nobody held the unit"),
              col(POD, DataTypes.StringType, "holder pod, null = nobody held the unit"),
              col(
                  WORKLOAD_KIND,
                  DataTypes.StringType,
                  "top controller kind of the pod (Deployment, CronJob, PyTorchJob, Notebook, Pod...)"),
              col(WORKLOAD_NAME, DataTypes.StringType, "top controller name"),
              col(
                  WORKLOAD_TYPE,
                  DataTypes.StringType,
                  "training | inference | notebook | other; null when unallocated"),
              col(TEAM, DataTypes.StringType, "team of the pod; null when unallocated"),
              col(
                  LABELS,
                  DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType),
                  "the holder pod's labels named in "
                      + "attribution.labels, keyed as configured (labels['cost-center']); a key the pod lacks has no entry; null when unallocated"),
              col(
                  STATE_SECONDS_ACTIVE,
                  DataTypes.DoubleType,
                  "seconds with activity >= idle.activity_threshold" + EQ),
              col(
                  STATE_SECONDS_IDLE,
                  DataTypes.DoubleType,
                  "held seconds below the activity threshold, memory-held included" + EQ),
              col(
                  STATE_SECONDS_IDLE_MEMORY_HELD,
                  DataTypes.DoubleType,
                  "idle seconds with framebuffer use >= idle.memory_held_threshold" + EQ),
              col(
                  STATE_SECONDS_UNALLOCATED,
                  DataTypes.DoubleType,
                  "observed seconds with no pod on the unit" + EQ),
              col(
                  STATE_SECONDS_UNOBSERVED,
                  DataTypes.DoubleType,
                  "billed seconds without telemetry" + EQ),
              col(
                  AVG_ACTIVITY,
                  DataTypes.DoubleType,
                  "mean activity (GR_ENGINE_ACTIVE, else GPU_UTIL/100) over observed seconds, 0-1"),
              col(MAX_ACTIVITY, DataTypes.DoubleType, "highest activity seen, 0-1"),
              col(MAX_FB_USED_MIB, DataTypes.DoubleType, "highest framebuffer use, MiB"),
              col(
                  COST,
                  DataTypes.DoubleType,
                  "all money on the row, billing currency: a holder's share, or the unit's unallocated + unobserved money"),
              col(ACTIVE_COST, DataTypes.DoubleType, "cost of active seconds"),
              col(
                  IDLE_COST,
                  DataTypes.DoubleType,
                  "cost of idle held seconds (memory-held included)"),
              col(
                  IDLE_MEMORY_HELD_COST,
                  DataTypes.DoubleType,
                  "cost of idle seconds with memory held (part of idle_cost)"),
              col(UNALLOCATED_COST, DataTypes.DoubleType, "cost of observed seconds nobody held"),
              col(
                  UNOBSERVED_COST,
                  DataTypes.DoubleType,
                  "cost of billed seconds without telemetry"),
              col(
                  UNUSED_CAPACITY_COST,
                  DataTypes.DoubleType,
                  "sum of rate x (1 - activity) over held seconds: paid-for capacity the holder did not use"),
              col(
                  RATE_PER_SECOND,
                  DataTypes.DoubleType,
                  "money per second of the GPU unit in this hour, the same on each of the unit-hour's rows "
                      + "(COST_MODEL.md r = gpu_cost x slice_share / max(billed seconds, observed seconds), or the catalog's on-demand price per "
                      + "second): a holder pays it per second divided by the pods sharing the unit; null on rows written before the column"),
              col(
                  PRICE_SOURCE,
                  DataTypes.StringType,
                  "bill (CUR/FOCUS), catalog (on-demand price from conf, no bill covered it) or none (cost 0)"),
              col(CURRENCY, DataTypes.StringType, "billing currency")),
          DATE);
}
