package dev.idleledger.ingest.kube;

import static dev.idleledger.ingest.SilverTables.PodInfo.CLUSTER;
import static dev.idleledger.ingest.SilverTables.PodInfo.FIRST_SEEN;
import static dev.idleledger.ingest.SilverTables.PodInfo.LAST_SEEN;
import static dev.idleledger.ingest.SilverTables.PodInfo.NAMESPACE;
import static dev.idleledger.ingest.SilverTables.PodInfo.NODE;
import static dev.idleledger.ingest.SilverTables.PodInfo.POD;
import static dev.idleledger.ingest.SilverTables.PodInfo.POD_UID;
import static dev.idleledger.ingest.series.SeriesColumns.LABELS;
import static dev.idleledger.ingest.series.SeriesColumns.METRIC;
import static dev.idleledger.ingest.series.SeriesColumns.TS;
import static dev.idleledger.ingest.series.SeriesColumns.VALUE;
import static java.util.Map.entry;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.map_filter;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.transform_keys;
import static org.apache.spark.sql.functions.when;

import dev.idleledger.config.WorkloadClassifier;
import dev.idleledger.ingest.SilverTables;
import dev.idleledger.ingest.SilverTables.NodeInfo;
import dev.idleledger.ingest.SilverTables.PodInfo;
import dev.idleledger.spark.OrderedColumns;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * kube-state-metrics samples (long frame with labels) → silver {@code pod_info} and {@code node_info}.
 *
 * <p>Kube state is small (one sample per object every 15–60 s), so the per-pod summary is computed in SQL,
 * collected, and the owner chain and classification are resolved per pod in Java — never per sample.
 */
public final class KubeStateTransform {
  /** The pod's labels, before the label_ prefix is taken off. */
  private static final String ALL_LABELS = "all_labels";

  /** True when the owner is the pod's controller (kube_pod_owner owner_is_controller). */
  private static final String CONTROLLER = "controller";

  /** Kind of an owner in the chain. */
  private static final String KIND = "kind";

  /** Name of an owner in the chain. */
  private static final String NAME = "name";

  /** GPUs a pod requests of one resource. */
  private static final String REQUEST = "request";

  /** The resource a pod requests (nvidia_com_gpu, nvidia_com_mig_...). */
  private static final String RESOURCE = "resource";

  public static final String POD_INFO = "kube_pod_info";
  public static final String POD_OWNER = "kube_pod_owner";
  public static final String REPLICASET_OWNER = "kube_replicaset_owner";
  public static final String JOB_OWNER = "kube_job_owner";
  public static final String POD_LABELS = "kube_pod_labels";
  public static final String POD_REQUESTS = "kube_pod_container_resource_requests";
  public static final String NODE_INFO = "kube_node_info";
  public static final String NODE_LABELS = "kube_node_labels";
  public static final String NODE_CAPACITY = "kube_node_status_capacity";
  public static final Set<String> METRICS =
      Set.of(
          POD_INFO,
          POD_OWNER,
          REPLICASET_OWNER,
          JOB_OWNER,
          POD_LABELS,
          POD_REQUESTS,
          NODE_INFO,
          NODE_LABELS,
          NODE_CAPACITY);
  private static final List<String> POD_METRICS =
      List.of(POD_INFO, POD_OWNER, POD_LABELS, POD_REQUESTS);
  private static final List<String> POD_KEY = List.of(CLUSTER, NAMESPACE, POD, POD_UID);

  private final WorkloadClassifier classifier;

  public KubeStateTransform(WorkloadClassifier classifier) {
    this.classifier = classifier;
  }

  /** Usable kube samples (columns ts, metric, value, labels) → pod_info rows for {@code date}. */
  public Dataset<Row> podInfo(Dataset<Row> samples, LocalDate date) {
    SparkSession spark = samples.sparkSession();
    Dataset<Row> pods =
        samples
            .filter(col(METRIC).isin(POD_METRICS.toArray()))
            .select(
                col(TS),
                col(METRIC),
                col(VALUE),
                col(LABELS),
                label("cluster").as(CLUSTER),
                label("namespace").as(NAMESPACE),
                label("pod").as(POD),
                label("uid").as(POD_UID))
            .filter(col(POD).isNotNull());
    Column[] key = POD_KEY.stream().map(c -> col(c)).toArray(Column[]::new);

    List<Row> summaries =
        pods.groupBy(key)
            .agg(
                min(TS).as(FIRST_SEEN),
                max(TS).as(LAST_SEEN),
                coalesce(
                        max_by(
                            when(col(METRIC).equalTo(POD_INFO), label("node")),
                            when(col(METRIC).equalTo(POD_INFO), col(TS))),
                        max(when(col(METRIC).equalTo(POD_REQUESTS), label("node"))))
                    .as(NODE),
                // The latest label set; keys lose kube-state-metrics' label_ prefix.
                max_by(
                        when(col(METRIC).equalTo(POD_LABELS), col(LABELS)),
                        when(col(METRIC).equalTo(POD_LABELS), col(TS)))
                    .as(ALL_LABELS))
            .withColumn(
                PodInfo.LABELS,
                transform_keys(
                    map_filter(
                        coalesce(col(ALL_LABELS), expr("cast(map() as map<string,string>)")),
                        (k, v) -> k.startsWith("label_")),
                    (k, v) -> k.substr(lit(7), lit(Integer.MAX_VALUE))))
            .drop(ALL_LABELS)
            .collectAsList();

    // Direct owners: prefer the controller reference when a pod lists several.
    Map<List<String>, OwnerChain.Owner> directOwners = new HashMap<>();
    for (Row r :
        pods.filter(col(METRIC).equalTo(POD_OWNER))
            .select(
                col(CLUSTER),
                col(NAMESPACE),
                col(POD),
                col(POD_UID),
                label("owner_kind").as(KIND),
                label("owner_name").as(NAME),
                coalesce(label("owner_is_controller"), lit("true")).equalTo("true").as(CONTROLLER))
            .distinct()
            .orderBy(col(CONTROLLER), col(KIND), col(NAME))
            .collectAsList()) {
      OwnerChain.Owner o = new OwnerChain.Owner(r.getString(4), r.getString(5));
      if (OwnerChain.isOwner(o)) {
        directOwners.put(key(r), o); // ordered so the controller (true sorts last) wins
      }
    }
    OwnerChain chain = new OwnerChain();
    for (Row r :
        samples
            .filter(col(METRIC).isin(REPLICASET_OWNER, JOB_OWNER))
            .select(
                label("cluster"),
                label("namespace"),
                when(col(METRIC).equalTo(REPLICASET_OWNER), lit("ReplicaSet"))
                    .otherwise(lit("Job")),
                coalesce(label("replicaset"), label("job_name")),
                label("owner_kind"),
                label("owner_name"))
            .distinct()
            .collectAsList()) {
      chain.add(
          r.getString(0),
          r.getString(1),
          r.getString(2),
          r.getString(3),
          new OwnerChain.Owner(r.getString(4), r.getString(5)));
    }
    Map<List<String>, Row> requests = new HashMap<>();
    for (Row r : gpuRequests(pods).collectAsList()) {
      requests.merge(key(r), r, (a, b) -> b.getDouble(5) > a.getDouble(5) ? b : a);
    }

    List<Row> out = new ArrayList<>();
    for (Row s : summaries) {
      String cluster = s.getString(0);
      String namespace = s.getString(1);
      String pod = s.getString(2);
      Map<String, String> labels = s.getJavaMap(s.fieldIndex(PodInfo.LABELS));
      OwnerChain.Owner direct = directOwners.get(key(s));
      OwnerChain.Owner top = chain.top(cluster, namespace, pod, direct);
      Row request = requests.get(key(s));
      out.add(
          RowFactory.create(
              Date.valueOf(date),
              cluster,
              namespace,
              pod,
              s.getString(3),
              s.getString(s.fieldIndex(NODE)),
              s.getTimestamp(s.fieldIndex(FIRST_SEEN)),
              s.getTimestamp(s.fieldIndex(LAST_SEEN)),
              direct == null ? null : direct.kind(),
              direct == null ? null : direct.name(),
              top.kind(),
              top.name(),
              classifier.workloadType(top.kind(), labels),
              classifier.team(namespace, labels),
              new TreeMap<>(labels),
              request == null ? null : request.getString(4),
              request == null ? null : request.getDouble(5)));
    }
    out.sort(
        Comparator.comparing((Row r) -> String.valueOf(r.get(1)))
            .thenComparing(r -> r.getString(2))
            .thenComparing(r -> r.getString(3)));
    return spark.createDataFrame(out, SilverTables.POD_INFO.schema());
  }

  /** Per pod and GPU resource (whole GPUs or a MIG slice kind), the summed request of its containers. */
  private static Dataset<Row> gpuRequests(Dataset<Row> pods) {
    Column resource = label("resource");
    return pods.filter(
            col(METRIC)
                .equalTo(POD_REQUESTS)
                .and(resource.equalTo("nvidia_com_gpu").or(resource.startsWith("nvidia_com_mig_"))))
        .groupBy(
            col(CLUSTER),
            col(NAMESPACE),
            col(POD),
            col(POD_UID),
            resource.as(RESOURCE),
            label("container").as("container"))
        .agg(max_by(col(VALUE), col(TS)).as(REQUEST))
        .groupBy(col(CLUSTER), col(NAMESPACE), col(POD), col(POD_UID), col(RESOURCE))
        .agg(sum(REQUEST).as(REQUEST));
  }

  /** Usable kube samples → node_info rows for {@code date}. */
  public Dataset<Row> nodeInfo(Dataset<Row> samples, LocalDate date) {
    Column info = col(METRIC).equalTo(NODE_INFO);
    Column nodeLabels = col(METRIC).equalTo(NODE_LABELS);
    Column gpuCapacity =
        col(METRIC).equalTo(NODE_CAPACITY).and(label("resource").equalTo("nvidia_com_gpu"));
    Column providerId = latest(info, label("provider_id"));
    Column capacityType =
        coalesce(
            latest(nodeLabels, label("label_karpenter_sh_capacity_type")),
            // EKS managed node groups say ON_DEMAND / SPOT.
            lower(
                regexp_replace(
                    latest(nodeLabels, label("label_eks_amazonaws_com_capacity_type")), "_", "-")));
    Dataset<Row> nodes =
        samples
            .filter(col(METRIC).isin(NODE_INFO, NODE_LABELS, NODE_CAPACITY))
            .withColumns(
                OrderedColumns.of(
                    entry(NodeInfo.CLUSTER, label("cluster")), entry(NodeInfo.NODE, label("node"))))
            .filter(col(NodeInfo.NODE).isNotNull())
            .groupBy(col(NodeInfo.CLUSTER), col(NodeInfo.NODE))
            .agg(
                providerId.as(NodeInfo.PROVIDER_ID),
                coalesce(
                        latest(nodeLabels, label("label_node_kubernetes_io_instance_type")),
                        latest(nodeLabels, label("label_beta_kubernetes_io_instance_type")))
                    .as(NodeInfo.INSTANCE_TYPE),
                capacityType.as(NodeInfo.CAPACITY_TYPE),
                latest(nodeLabels, label("label_nvidia_com_gpu_product")).as(NodeInfo.GPU_PRODUCT),
                latest(gpuCapacity, col(VALUE)).cast("int").as(NodeInfo.GPU_CAPACITY),
                min(TS).as(NodeInfo.FIRST_SEEN),
                max(TS).as(NodeInfo.LAST_SEEN))
            // aws:///us-east-1a/i-0123 → i-0123: the id is the last path segment whatever the
            // provider prefix.
            .withColumns(
                OrderedColumns.of(
                    entry(
                        NodeInfo.INSTANCE_ID,
                        when(
                            col(NodeInfo.PROVIDER_ID).isNotNull(),
                            expr(
                                "nullif(regexp_extract("
                                    + NodeInfo.PROVIDER_ID
                                    + ", '([^/]+)/*$', 1), '')"))),
                    entry(NodeInfo.DATE, lit(Date.valueOf(date)))));
    return nodes.select(
        Arrays.stream(SilverTables.NODE_INFO.columnNames())
            .map(c -> col(c))
            .toArray(Column[]::new));
  }

  private static Column latest(Column when, Column value) {
    return max_by(when(when, value), when(when.and(value.isNotNull()), col(TS)));
  }

  private static Column label(String key) {
    Column v = col(LABELS).getItem(key);
    return when(v.notEqual(""), v);
  }

  private static List<String> key(Row r) {
    return Arrays.asList(r.getString(0), r.getString(1), r.getString(2), r.getString(3));
  }
}
