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
  public static final StructType HOLDER =
      new StructType()
          .add("namespace", DataTypes.StringType)
          .add("pod", DataTypes.StringType)
          .add("container", DataTypes.StringType)
          .add("pod_uid", DataTypes.StringType);

  /** Column names of {@code gpu_samples}; GPU_SAMPLES is built from them, so a constant always names one of its columns. */
  public static final class GpuSamples {
    public static final String DATE = "date";
    public static final String TS = "ts";
    public static final String CLUSTER = "cluster";
    public static final String NODE = "node";
    public static final String GPU_UUID = "gpu_uuid";
    public static final String GPU_INDEX = "gpu_index";
    public static final String GPU_MODEL = "gpu_model";
    public static final String MIG_PROFILE = "mig_profile";
    public static final String MIG_INSTANCE_ID = "mig_instance_id";
    public static final String UNIT_ID = "unit_id";
    public static final String GR_ENGINE_ACTIVE = "gr_engine_active";
    public static final String GPU_UTIL = "gpu_util";
    public static final String FB_USED_MIB = "fb_used_mib";
    public static final String FB_FREE_MIB = "fb_free_mib";
    public static final String POWER_W = "power_w";
    public static final String SM_ACTIVE = "sm_active";
    public static final String SM_OCCUPANCY = "sm_occupancy";
    public static final String TENSOR_ACTIVE = "tensor_active";
    public static final String DRAM_ACTIVE = "dram_active";
    public static final String HOLDERS = "holders";
    public static final String HOLD_SECONDS = "hold_seconds";
    public static final String HOLD_SECONDS_NEXT_HOUR = "hold_seconds_next_hour";
    public static final String RAW_ROWS = "raw_rows";
    public static final String DUPLICATE_ROWS = "duplicate_rows";

    private GpuSamples() {}
  }

  public static final TableSpec GPU_SAMPLES =
      new TableSpec(
          "gpu_samples",
          "Telemetry: one row per GPU unit (whole GPU or MIG instance) per scrape timestamp, metrics as columns, with the pods on the sample and how long it holds.",
          List.of(
              col(GpuSamples.DATE, DataTypes.DateType, "UTC day of ts"),
              col(GpuSamples.TS, DataTypes.TimestampType, "sample time (UTC)"),
              col(GpuSamples.CLUSTER, DataTypes.StringType, "cluster label added by the archiver"),
              col(GpuSamples.NODE, DataTypes.StringType, "node name (Hostname / hostname label)"),
              col(GpuSamples.GPU_UUID, DataTypes.StringType, "UUID of the physical GPU"),
              col(
                  GpuSamples.GPU_INDEX,
                  DataTypes.StringType,
                  "the gpu label (device index on the node)"),
              col(
                  GpuSamples.GPU_MODEL,
                  DataTypes.StringType,
                  "modelName label, e.g. NVIDIA H100 80GB HBM3"),
              col(
                  GpuSamples.MIG_PROFILE,
                  DataTypes.StringType,
                  "GPU_I_PROFILE, e.g. 3g.40gb; null for a whole GPU"),
              col(
                  GpuSamples.MIG_INSTANCE_ID,
                  DataTypes.StringType,
                  "GPU_I_ID; null for a whole GPU"),
              col(
                  GpuSamples.UNIT_ID,
                  DataTypes.StringType,
                  "GPU unit key: gpu_uuid for a whole GPU, gpu_uuid/mig_instance_id for a MIG instance"),
              col(
                  GpuSamples.GR_ENGINE_ACTIVE,
                  DataTypes.DoubleType,
                  "DCGM_FI_PROF_GR_ENGINE_ACTIVE, ratio 0-1 (null when not reported)"),
              col(
                  GpuSamples.GPU_UTIL,
                  DataTypes.DoubleType,
                  "DCGM_FI_DEV_GPU_UTIL, percent 0-100 (null when not reported)"),
              col(GpuSamples.FB_USED_MIB, DataTypes.DoubleType, "DCGM_FI_DEV_FB_USED, MiB"),
              col(GpuSamples.FB_FREE_MIB, DataTypes.DoubleType, "DCGM_FI_DEV_FB_FREE, MiB"),
              col(GpuSamples.POWER_W, DataTypes.DoubleType, "DCGM_FI_DEV_POWER_USAGE, watts"),
              col(GpuSamples.SM_ACTIVE, DataTypes.DoubleType, "DCGM_FI_PROF_SM_ACTIVE, ratio"),
              col(
                  GpuSamples.SM_OCCUPANCY,
                  DataTypes.DoubleType,
                  "DCGM_FI_PROF_SM_OCCUPANCY, ratio"),
              col(
                  GpuSamples.TENSOR_ACTIVE,
                  DataTypes.DoubleType,
                  "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE, ratio"),
              col(GpuSamples.DRAM_ACTIVE, DataTypes.DoubleType, "DCGM_FI_PROF_DRAM_ACTIVE, ratio"),
              col(
                  GpuSamples.HOLDERS,
                  new ArrayType(HOLDER, false),
                  "pods named on the sample (several on a time-sliced GPU), sorted by namespace, pod; empty = nobody"),
              col(
                  GpuSamples.HOLD_SECONDS,
                  DataTypes.DoubleType,
                  "seconds this sample covers from ts: to the unit's next sample if within telemetry.max_sample_gap_seconds, else the series' median spacing that day; cut at 24:00 of date"),
              col(
                  GpuSamples.HOLD_SECONDS_NEXT_HOUR,
                  DataTypes.DoubleType,
                  "of hold_seconds, the seconds past the end of ts's hour (0 when the hold ends within it): a hold counts in each hour it covers, hold_seconds - hold_seconds_next_hour in ts's hour"),
              col(
                  GpuSamples.RAW_ROWS,
                  DataTypes.LongType,
                  "raw telemetry rows merged into this row (one per metric and series; several series on a time-sliced GPU)"),
              col(
                  GpuSamples.DUPLICATE_ROWS,
                  DataTypes.LongType,
                  "of raw_rows, repeats of a (series, metric, ts) already counted (the exporter or archiver wrote the sample twice)")),
          GpuSamples.DATE);

  /** Column names of {@code pod_info}; POD_INFO is built from them, so a constant always names one of its columns. */
  public static final class PodInfo {
    public static final String DATE = "date";
    public static final String CLUSTER = "cluster";
    public static final String NAMESPACE = "namespace";
    public static final String POD = "pod";
    public static final String POD_UID = "pod_uid";
    public static final String NODE = "node";
    public static final String FIRST_SEEN = "first_seen";
    public static final String LAST_SEEN = "last_seen";
    public static final String OWNER_KIND = "owner_kind";
    public static final String OWNER_NAME = "owner_name";
    public static final String WORKLOAD_KIND = "workload_kind";
    public static final String WORKLOAD_NAME = "workload_name";
    public static final String WORKLOAD_TYPE = "workload_type";
    public static final String TEAM = "team";
    public static final String LABELS = "labels";
    public static final String GPU_RESOURCE = "gpu_resource";
    public static final String GPU_REQUEST = "gpu_request";

    private PodInfo() {}
  }

  public static final TableSpec POD_INFO =
      new TableSpec(
          "pod_info",
          "Kube state: one row per pod seen that day, with its owner chain resolved to the top controller, workload type and team.",
          List.of(
              col(PodInfo.DATE, DataTypes.DateType, "UTC day"),
              col(PodInfo.CLUSTER, DataTypes.StringType, "cluster"),
              col(PodInfo.NAMESPACE, DataTypes.StringType, "namespace"),
              col(PodInfo.POD, DataTypes.StringType, "pod name"),
              col(PodInfo.POD_UID, DataTypes.StringType, "pod uid"),
              col(PodInfo.NODE, DataTypes.StringType, "node the pod ran on"),
              col(
                  PodInfo.FIRST_SEEN,
                  DataTypes.TimestampType,
                  "first kube-state sample of the pod that day"),
              col(
                  PodInfo.LAST_SEEN,
                  DataTypes.TimestampType,
                  "last kube-state sample of the pod that day"),
              col(
                  PodInfo.OWNER_KIND,
                  DataTypes.StringType,
                  "direct owner kind (kube_pod_owner), null when none"),
              col(PodInfo.OWNER_NAME, DataTypes.StringType, "direct owner name"),
              col(
                  PodInfo.WORKLOAD_KIND,
                  DataTypes.StringType,
                  "top controller kind (Deployment, CronJob, PyTorchJob, Notebook, ...; Pod when unowned)"),
              col(PodInfo.WORKLOAD_NAME, DataTypes.StringType, "top controller name"),
              col(
                  PodInfo.WORKLOAD_TYPE,
                  DataTypes.StringType,
                  "training | inference | notebook | other, by the ordered rules in conf"),
              col(
                  PodInfo.TEAM,
                  DataTypes.StringType,
                  "pod label team, else the namespace's team in conf, else unassigned"),
              col(
                  PodInfo.LABELS,
                  DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType),
                  "pod labels without the label_ prefix"),
              col(
                  PodInfo.GPU_RESOURCE,
                  DataTypes.StringType,
                  "requested GPU resource: nvidia_com_gpu or nvidia_com_mig_<g>g_<m>gb"),
              col(PodInfo.GPU_REQUEST, DataTypes.DoubleType, "requested count of that resource")),
          PodInfo.DATE);

  /** Column names of {@code node_info}; NODE_INFO is built from them, so a constant always names one of its columns. */
  public static final class NodeInfo {
    public static final String DATE = "date";
    public static final String CLUSTER = "cluster";
    public static final String NODE = "node";
    public static final String PROVIDER_ID = "provider_id";
    public static final String INSTANCE_ID = "instance_id";
    public static final String INSTANCE_TYPE = "instance_type";
    public static final String CAPACITY_TYPE = "capacity_type";
    public static final String GPU_PRODUCT = "gpu_product";
    public static final String GPU_CAPACITY = "gpu_capacity";
    public static final String FIRST_SEEN = "first_seen";
    public static final String LAST_SEEN = "last_seen";

    private NodeInfo() {}
  }

  public static final TableSpec NODE_INFO =
      new TableSpec(
          "node_info",
          "Kube state: one row per node seen that day, tied to its cloud instance.",
          List.of(
              col(NodeInfo.DATE, DataTypes.DateType, "UTC day"),
              col(NodeInfo.CLUSTER, DataTypes.StringType, "cluster"),
              col(NodeInfo.NODE, DataTypes.StringType, "node name"),
              col(
                  NodeInfo.PROVIDER_ID,
                  DataTypes.StringType,
                  "kube_node_info provider_id, e.g. aws:///us-east-1a/i-0123"),
              col(
                  NodeInfo.INSTANCE_ID,
                  DataTypes.StringType,
                  "EC2 instance id taken from the end of provider_id"),
              col(
                  NodeInfo.INSTANCE_TYPE,
                  DataTypes.StringType,
                  "label node.kubernetes.io/instance-type"),
              col(
                  NodeInfo.CAPACITY_TYPE,
                  DataTypes.StringType,
                  "label karpenter.sh/capacity-type (on-demand | spot | reserved), null when absent"),
              col(NodeInfo.GPU_PRODUCT, DataTypes.StringType, "label nvidia.com/gpu.product"),
              col(
                  NodeInfo.GPU_CAPACITY,
                  DataTypes.IntegerType,
                  "kube_node_status_capacity nvidia_com_gpu (MIG-partitioned GPUs are not counted here under the mixed strategy)"),
              col(
                  NodeInfo.FIRST_SEEN,
                  DataTypes.TimestampType,
                  "first sample of the node that day"),
              col(NodeInfo.LAST_SEEN, DataTypes.TimestampType, "last sample of the node that day")),
          NodeInfo.DATE);

  /** Column names of {@code billing_hourly}; BILLING_HOURLY is built from them, so a constant always names one of its columns. */
  public static final class BillingHourly {
    public static final String DATE = "date";
    public static final String HOUR = "hour";
    public static final String INSTANCE_ID = "instance_id";
    public static final String INSTANCE_TYPE = "instance_type";
    public static final String REGION = "region";
    public static final String ACCOUNT_ID = "account_id";
    public static final String NODE_COST = "node_cost";
    public static final String LIST_COST = "list_cost";
    public static final String USAGE_HOURS = "usage_hours";
    public static final String BILLED_SECONDS = "billed_seconds";
    public static final String PRICING_TERM = "pricing_term";
    public static final String CURRENCY = "currency";
    public static final String SOURCE = "source";
    public static final String SOURCE_FILE = "source_file";

    private BillingHourly() {}
  }

  public static final TableSpec BILLING_HOURLY =
      new TableSpec(
          "billing_hourly",
          "Billing: one row per instance-hour of GPU instance time (COST_MODEL.md §1), from CUR 2.0 or FOCUS (the preferred source wins where both cover the instance-hour).",
          List.of(
              col(BillingHourly.DATE, DataTypes.DateType, "UTC day of hour"),
              col(BillingHourly.HOUR, DataTypes.TimestampType, "start of the UTC hour"),
              col(
                  BillingHourly.INSTANCE_ID,
                  DataTypes.StringType,
                  "EC2 instance id (from line_item_resource_id / the end of ResourceId)"),
              col(
                  BillingHourly.INSTANCE_TYPE,
                  DataTypes.StringType,
                  "product_instance_type, or parsed from the usage type"),
              col(BillingHourly.REGION, DataTypes.StringType, "product_region_code / RegionId"),
              col(
                  BillingHourly.ACCOUNT_ID,
                  DataTypes.StringType,
                  "line_item_usage_account_id / SubAccountId"),
              col(
                  BillingHourly.NODE_COST,
                  DataTypes.DoubleType,
                  "amortized cost of the instance-hour, billing currency: Usage unblended, DiscountedUsage reservation effective, SavingsPlanCoveredUsage SP effective, FOCUS EffectiveCost"),
              col(
                  BillingHourly.LIST_COST,
                  DataTypes.DoubleType,
                  "public on-demand cost of the same hour (pricing_public_on_demand_cost / ListCost)"),
              col(
                  BillingHourly.USAGE_HOURS,
                  DataTypes.DoubleType,
                  "sum of usage hours spread into this hour"),
              col(
                  BillingHourly.BILLED_SECONDS,
                  DataTypes.DoubleType,
                  "min(3600, usage_hours x 3600)"),
              col(
                  BillingHourly.PRICING_TERM,
                  DataTypes.StringType,
                  "OnDemand | Spot | SavingsPlan | Reserved (Mixed when several)"),
              col(BillingHourly.CURRENCY, DataTypes.StringType, "billing currency"),
              col(BillingHourly.SOURCE, DataTypes.StringType, "cur | focus"),
              col(
                  BillingHourly.SOURCE_FILE,
                  DataTypes.StringType,
                  "the raw file(s) the money came from")),
          BillingHourly.DATE);

  /** Column names of {@code billing_pod_split}; BILLING_POD_SPLIT is built from them, so a constant always names one of its columns. */
  public static final class BillingPodSplit {
    public static final String DATE = "date";
    public static final String INSTANCE_ID = "instance_id";
    public static final String EKS_CLUSTER = "eks_cluster";
    public static final String NAMESPACE = "namespace";
    public static final String POD = "pod";
    public static final String POD_UID = "pod_uid";
    public static final String RESOURCE = "resource";
    public static final String SPLIT_COST = "split_cost";
    public static final String UNUSED_COST = "unused_cost";
    public static final String CURRENCY = "currency";
    public static final String SOURCE_FILE = "source_file";

    private BillingPodSplit() {}
  }

  public static final TableSpec BILLING_POD_SPLIT =
      new TableSpec(
          "billing_pod_split",
          "Billing: AWS split cost allocation data (CUR 2.0 split_line_item_* rows of EKS pods), per pod, instance and resource for the day: "
              + "AWS's own request-based split of the instance, kept beside ours as a cross-check and never added to instance cost.",
          List.of(
              col(
                  BillingPodSplit.DATE,
                  DataTypes.DateType,
                  "UTC day (a row spanning days is spread over them by time)"),
              col(
                  BillingPodSplit.INSTANCE_ID,
                  DataTypes.StringType,
                  "the EC2 instance the pod ran on (split_line_item_parent_resource_id)"),
              col(
                  BillingPodSplit.EKS_CLUSTER,
                  DataTypes.StringType,
                  "EKS cluster name from the pod's ARN in line_item_resource_id"),
              col(BillingPodSplit.NAMESPACE, DataTypes.StringType, "pod namespace from the ARN"),
              col(BillingPodSplit.POD, DataTypes.StringType, "pod name from the ARN"),
              col(
                  BillingPodSplit.POD_UID,
                  DataTypes.StringType,
                  "pod uid from the ARN (null when absent)"),
              col(
                  BillingPodSplit.RESOURCE,
                  DataTypes.StringType,
                  "what the row splits, from line_item_usage_type: gpu | vcpu | memory | other"),
              col(
                  BillingPodSplit.SPLIT_COST,
                  DataTypes.DoubleType,
                  "split_line_item_split_cost: what AWS charged the pod for its share of the resource"),
              col(
                  BillingPodSplit.UNUSED_COST,
                  DataTypes.DoubleType,
                  "split_line_item_unused_cost: the pod's share of the instance's unused resource cost"),
              col(BillingPodSplit.CURRENCY, DataTypes.StringType, "billing currency"),
              col(
                  BillingPodSplit.SOURCE_FILE,
                  DataTypes.StringType,
                  "the raw file(s) the rows came from")),
          BillingPodSplit.DATE);

  /** Every silver table, in the order ingestion writes them ({@code maintain} compacts these per date). */
  public static final List<TableSpec> ALL =
      List.of(GPU_SAMPLES, POD_INFO, NODE_INFO, BILLING_HOURLY, BILLING_POD_SPLIT);
}
