package dev.idleledger.model;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.when;

import dev.idleledger.config.WorkloadClassifier;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Which workload a held sample (or a holder's row) belongs to, and its team (COST_MODEL.md §3 "Workload identity"):
 * "follow the owner chain from the pod to the top controller; a pod with no owner is its own workload
 * ({@code workload_kind = 'Pod'})", and "team: pod label {@code team}, else the namespace's team in {@code conf/}, else
 * {@code unassigned}". Kube ingest walks the owner chain into {@code pod_info}; this joins it to the rows that name a
 * pod, which attribution ({@code gpu_hourly}, the held samples) and the recommendations' per-second grain both do.
 */
public final class WorkloadIdentity {
  /** A per-pod column carried beside the identity: taken from the pod's row seen last, {@code unknownPod} for a pod kube state never showed. */
  public record Carried(String name, Column fromPodInfo, Column unknownPod) {}

  private static final Timestamp NEVER = new Timestamp(0);

  private WorkloadIdentity() {}

  /**
   * Adds workload_kind, workload_name, workload_type and team to rows with cluster, namespace and pod. A row whose pod
   * is null (nobody held the unit) gets nulls; a pod kube state never showed is its own workload, of the classifier's
   * default type.
   */
  public static Dataset<Row> of(
      Dataset<Row> rows, Dataset<Row> pods, WorkloadClassifier classifier) {
    return of(rows, pods, classifier, List.of());
  }

  /** As {@link #of(Dataset, Dataset, WorkloadClassifier)}, with {@code carried} per-pod columns added too. */
  public static Dataset<Row> of(
      Dataset<Row> rows, Dataset<Row> pods, WorkloadClassifier classifier, List<Carried> carried) {
    List<Column> perPod =
        new ArrayList<>(
            List.of(
                max("workload_name").as("p_workload_name"),
                max("workload_type").as("p_workload_type"),
                max("team").as("p_team")));
    // A pod name seen with two uids in a day (recreated) carries the columns of the one seen last.
    carried.forEach(
        c ->
            perPod.add(
                max_by(c.fromPodInfo(), coalesce(col("last_seen"), lit(NEVER)))
                    .as("p_" + c.name())));
    Dataset<Row> podWorkloads =
        pods.groupBy("cluster", "namespace", "pod")
            .agg(max("workload_kind").as("p_workload_kind"), perPod.toArray(Column[]::new));
    Column hasPod = col("pod").isNotNull();
    Dataset<Row> identified =
        rows.join(broadcast(podWorkloads), new String[] {"cluster", "namespace", "pod"}, "left")
            .withColumn("workload_kind", when(hasPod, coalesce(col("p_workload_kind"), lit("Pod"))))
            .withColumn("workload_name", when(hasPod, coalesce(col("p_workload_name"), col("pod"))))
            .withColumn(
                "workload_type",
                when(hasPod, coalesce(col("p_workload_type"), lit(classifier.defaultType()))))
            .withColumn(
                "team",
                when(
                    hasPod,
                    coalesce(
                        col("p_team"), namespaceTeam(classifier), lit(classifier.defaultTeam()))))
            .drop("p_workload_kind", "p_workload_name", "p_workload_type", "p_team");
    for (Carried c : carried) {
      identified =
          identified
              .withColumn(c.name(), when(hasPod, coalesce(col("p_" + c.name()), c.unknownPod())))
              .drop("p_" + c.name());
    }
    return identified;
  }

  /** The team {@code conf/} gives the row's namespace (classify.namespace_teams), null where it names none. */
  private static Column namespaceTeam(WorkloadClassifier classifier) {
    List<Column> teamMap = new ArrayList<>();
    classifier
        .namespaceTeams()
        .forEach(
            (ns, team) -> {
              teamMap.add(lit(ns));
              teamMap.add(lit(team));
            });
    return teamMap.isEmpty()
        ? lit(null).cast("string")
        : element_at(map(teamMap.toArray(Column[]::new)), col("namespace"));
  }
}
