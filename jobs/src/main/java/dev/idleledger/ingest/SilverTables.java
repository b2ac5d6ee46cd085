package dev.idleledger.ingest;

import static dev.idleledger.spark.TableSpec.col;

import dev.idleledger.spark.TableSpec;
import java.util.List;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The silver tables ingestion writes and attribution reads: cleaned, typed, one date per partition.
 * These column lists are the one place the names live.
 */
public final class SilverTables {
  private SilverTables() {}

  /** A pod named on a telemetry sample (dcgm-exporter's Kubernetes mapping). */
  public static final StructType HOLDER = new StructType()
      .add("namespace", DataTypes.StringType)
      .add("pod", DataTypes.StringType)
      .add("container", DataTypes.StringType)
      .add("pod_uid", DataTypes.StringType);

  public static final TableSpec GPU_SAMPLES = new TableSpec("gpu_samples",
      "Telemetry: one row per GPU unit (whole GPU or MIG instance) per scrape timestamp, metrics as columns, with the pods on the sample and how long it holds.",
      List.of(
          col("date", DataTypes.DateType, "UTC day of ts"),
          col("ts", DataTypes.TimestampType, "sample time (UTC)"),
          col("cluster", DataTypes.StringType, "cluster label added by the archiver"),
          col("node", DataTypes.StringType, "node name (Hostname / hostname label)"),
          col("gpu_uuid", DataTypes.StringType, "UUID of the physical GPU"),
          col("gpu_index", DataTypes.StringType, "the gpu label (device index on the node)"),
          col("gpu_model", DataTypes.StringType, "modelName label, e.g. NVIDIA H100 80GB HBM3"),
          col("mig_profile", DataTypes.StringType, "GPU_I_PROFILE, e.g. 3g.40gb; null for a whole GPU"),
          col("mig_instance_id", DataTypes.StringType, "GPU_I_ID; null for a whole GPU"),
          col("unit_id", DataTypes.StringType, "GPU unit key: gpu_uuid for a whole GPU, gpu_uuid/mig_instance_id for a MIG instance"),
          col("gr_engine_active", DataTypes.DoubleType, "DCGM_FI_PROF_GR_ENGINE_ACTIVE, ratio 0-1 (null when not reported)"),
          col("gpu_util", DataTypes.DoubleType, "DCGM_FI_DEV_GPU_UTIL, percent 0-100 (null when not reported)"),
          col("fb_used_mib", DataTypes.DoubleType, "DCGM_FI_DEV_FB_USED, MiB"),
          col("fb_free_mib", DataTypes.DoubleType, "DCGM_FI_DEV_FB_FREE, MiB"),
          col("power_w", DataTypes.DoubleType, "DCGM_FI_DEV_POWER_USAGE, watts"),
          col("sm_active", DataTypes.DoubleType, "DCGM_FI_PROF_SM_ACTIVE, ratio"),
          col("sm_occupancy", DataTypes.DoubleType, "DCGM_FI_PROF_SM_OCCUPANCY, ratio"),
          col("tensor_active", DataTypes.DoubleType, "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE, ratio"),
          col("dram_active", DataTypes.DoubleType, "DCGM_FI_PROF_DRAM_ACTIVE, ratio"),
          col("holders", new ArrayType(HOLDER, false), "pods named on the sample (several on a time-sliced GPU), sorted by namespace, pod; empty = nobody"),
          col("hold_seconds", DataTypes.DoubleType, "seconds this sample covers from ts: to the unit's next sample if within telemetry.max_sample_gap_seconds, else the series' median spacing that day; cut at 24:00 of date"),
          col("hold_seconds_next_hour", DataTypes.DoubleType, "of hold_seconds, the seconds past the end of ts's hour (0 when the hold ends within it): a hold counts in each hour it covers, hold_seconds - hold_seconds_next_hour in ts's hour"),
          col("raw_rows", DataTypes.LongType, "raw telemetry rows merged into this row (one per metric and series; several series on a time-sliced GPU)"),
          col("duplicate_rows", DataTypes.LongType, "of raw_rows, repeats of a (series, metric, ts) already counted (the exporter or archiver wrote the sample twice)")),
      "date");

  public static final TableSpec POD_INFO = new TableSpec("pod_info",
      "Kube state: one row per pod seen that day, with its owner chain resolved to the top controller, workload type and team.",
      List.of(
          col("date", DataTypes.DateType, "UTC day"),
          col("cluster", DataTypes.StringType, "cluster"),
          col("namespace", DataTypes.StringType, "namespace"),
          col("pod", DataTypes.StringType, "pod name"),
          col("pod_uid", DataTypes.StringType, "pod uid"),
          col("node", DataTypes.StringType, "node the pod ran on"),
          col("first_seen", DataTypes.TimestampType, "first kube-state sample of the pod that day"),
          col("last_seen", DataTypes.TimestampType, "last kube-state sample of the pod that day"),
          col("owner_kind", DataTypes.StringType, "direct owner kind (kube_pod_owner), null when none"),
          col("owner_name", DataTypes.StringType, "direct owner name"),
          col("workload_kind", DataTypes.StringType, "top controller kind (Deployment, CronJob, PyTorchJob, Notebook, ...; Pod when unowned)"),
          col("workload_name", DataTypes.StringType, "top controller name"),
          col("workload_type", DataTypes.StringType, "training | inference | notebook | other, by the ordered rules in conf"),
          col("team", DataTypes.StringType, "pod label team, else the namespace's team in conf, else unassigned"),
          col("labels", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType), "pod labels without the label_ prefix"),
          col("gpu_resource", DataTypes.StringType, "requested GPU resource: nvidia_com_gpu or nvidia_com_mig_<g>g_<m>gb"),
          col("gpu_request", DataTypes.DoubleType, "requested count of that resource")),
      "date");

  public static final TableSpec NODE_INFO = new TableSpec("node_info",
      "Kube state: one row per node seen that day, tied to its cloud instance.",
      List.of(
          col("date", DataTypes.DateType, "UTC day"),
          col("cluster", DataTypes.StringType, "cluster"),
          col("node", DataTypes.StringType, "node name"),
          col("provider_id", DataTypes.StringType, "kube_node_info provider_id, e.g. aws:///us-east-1a/i-0123"),
          col("instance_id", DataTypes.StringType, "EC2 instance id taken from the end of provider_id"),
          col("instance_type", DataTypes.StringType, "label node.kubernetes.io/instance-type"),
          col("capacity_type", DataTypes.StringType, "label karpenter.sh/capacity-type (on-demand | spot | reserved), null when absent"),
          col("gpu_product", DataTypes.StringType, "label nvidia.com/gpu.product"),
          col("gpu_capacity", DataTypes.IntegerType, "kube_node_status_capacity nvidia_com_gpu (MIG-partitioned GPUs are not counted here under the mixed strategy)"),
          col("first_seen", DataTypes.TimestampType, "first sample of the node that day"),
          col("last_seen", DataTypes.TimestampType, "last sample of the node that day")),
      "date");

  public static final TableSpec BILLING_HOURLY = new TableSpec("billing_hourly",
      "Billing: one row per instance-hour of GPU instance time (COST_MODEL.md §1), from CUR 2.0 or FOCUS (the preferred source wins where both cover the instance-hour).",
      List.of(
          col("date", DataTypes.DateType, "UTC day of hour"),
          col("hour", DataTypes.TimestampType, "start of the UTC hour"),
          col("instance_id", DataTypes.StringType, "EC2 instance id (from line_item_resource_id / the end of ResourceId)"),
          col("instance_type", DataTypes.StringType, "product_instance_type, or parsed from the usage type"),
          col("region", DataTypes.StringType, "product_region_code / RegionId"),
          col("account_id", DataTypes.StringType, "line_item_usage_account_id / SubAccountId"),
          col("node_cost", DataTypes.DoubleType, "amortized cost of the instance-hour, billing currency: Usage unblended, DiscountedUsage reservation effective, SavingsPlanCoveredUsage SP effective, FOCUS EffectiveCost"),
          col("list_cost", DataTypes.DoubleType, "public on-demand cost of the same hour (pricing_public_on_demand_cost / ListCost)"),
          col("usage_hours", DataTypes.DoubleType, "sum of usage hours spread into this hour"),
          col("billed_seconds", DataTypes.DoubleType, "min(3600, usage_hours x 3600)"),
          col("pricing_term", DataTypes.StringType, "OnDemand | Spot | SavingsPlan | Reserved (Mixed when several)"),
          col("currency", DataTypes.StringType, "billing currency"),
          col("source", DataTypes.StringType, "cur | focus"),
          col("source_file", DataTypes.StringType, "the raw file(s) the money came from")),
      "date");

  public static final TableSpec BILLING_POD_SPLIT = new TableSpec("billing_pod_split",
      "Billing: AWS split cost allocation data (CUR 2.0 split_line_item_* rows of EKS pods), per pod, instance and resource for the day: "
          + "AWS's own request-based split of the instance, kept beside ours as a cross-check and never added to instance cost.",
      List.of(
          col("date", DataTypes.DateType, "UTC day (a row spanning days is spread over them by time)"),
          col("instance_id", DataTypes.StringType, "the EC2 instance the pod ran on (split_line_item_parent_resource_id)"),
          col("eks_cluster", DataTypes.StringType, "EKS cluster name from the pod's ARN in line_item_resource_id"),
          col("namespace", DataTypes.StringType, "pod namespace from the ARN"),
          col("pod", DataTypes.StringType, "pod name from the ARN"),
          col("pod_uid", DataTypes.StringType, "pod uid from the ARN (null when absent)"),
          col("resource", DataTypes.StringType, "what the row splits, from line_item_usage_type: gpu | vcpu | memory | other"),
          col("split_cost", DataTypes.DoubleType, "split_line_item_split_cost: what AWS charged the pod for its share of the resource"),
          col("unused_cost", DataTypes.DoubleType, "split_line_item_unused_cost: the pod's share of the instance's unused resource cost"),
          col("currency", DataTypes.StringType, "billing currency"),
          col("source_file", DataTypes.StringType, "the raw file(s) the rows came from")),
      "date");

  /** Every silver table, in the order ingestion writes them ({@code maintain} compacts these per date). */
  public static final List<TableSpec> ALL = List.of(GPU_SAMPLES, POD_INFO, NODE_INFO, BILLING_HOURLY, BILLING_POD_SPLIT);
}
