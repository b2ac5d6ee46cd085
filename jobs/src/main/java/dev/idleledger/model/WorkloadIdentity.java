package dev.idleledger.model;

import static dev.idleledger.ingest.SilverTables.PodInfo.CLUSTER;
import static dev.idleledger.ingest.SilverTables.PodInfo.LAST_SEEN;
import static dev.idleledger.ingest.SilverTables.PodInfo.NAMESPACE;
import static dev.idleledger.ingest.SilverTables.PodInfo.POD;
import static dev.idleledger.ingest.SilverTables.PodInfo.TEAM;
import static dev.idleledger.ingest.SilverTables.PodInfo.WORKLOAD_KIND;
import static dev.idleledger.ingest.SilverTables.PodInfo.WORKLOAD_NAME;
import static dev.idleledger.ingest.SilverTables.PodInfo.WORKLOAD_TYPE;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
  /** Prefix of the pod_info values joined in, before the defaults apply. */
  private static final String FROM_POD_INFO = "p_";

  /** The pod's workload kind from pod_info, before the defaults. */
  private static final String P_WORKLOAD_KIND = "p_workload_kind";

  /** The same for the workload name. */
  private static final String P_WORKLOAD_NAME = "p_workload_name";

  /** The same for the workload type. */
  private static final String P_WORKLOAD_TYPE = "p_workload_type";

  /** The same for the team. */
  private static final String P_TEAM = "p_team";

  /** A per-pod column carried beside the identity: taken from the pod's row seen last, {@code unknownPod} for a pod kube state never showed. */
  public record Carried(String name, Column fromPodInfo, Column unknownPod) {}

  /** The workload kind of a pod with no owner, or one kube state never showed: it is its own workload. */
  public static final String POD_KIND = "Pod";

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
                max(WORKLOAD_NAME).as(P_WORKLOAD_NAME),
                max(WORKLOAD_TYPE).as(P_WORKLOAD_TYPE),
                max(TEAM).as(P_TEAM)));
    // A pod name seen with two uids in a day (recreated) carries the columns of the one seen last.
    carried.forEach(
        c ->
            perPod.add(
                max_by(c.fromPodInfo(), coalesce(col(LAST_SEEN), lit(NEVER)))
                    .as(FROM_POD_INFO + c.name())));
    Dataset<Row> podWorkloads =
        pods.groupBy(CLUSTER, NAMESPACE, POD)
            .agg(max(WORKLOAD_KIND).as(P_WORKLOAD_KIND), perPod.toArray(Column[]::new));
    Column hasPod = col(POD).isNotNull();
    Map<String, Column> identity = new LinkedHashMap<>();
    identity.put(WORKLOAD_KIND, when(hasPod, coalesce(col(P_WORKLOAD_KIND), lit(POD_KIND))));
    identity.put(WORKLOAD_NAME, when(hasPod, coalesce(col(P_WORKLOAD_NAME), col(POD))));
    identity.put(
        WORKLOAD_TYPE, when(hasPod, coalesce(col(P_WORKLOAD_TYPE), lit(classifier.defaultType()))));
    identity.put(TEAM, when(hasPod, coalesce(col(P_TEAM), teamOfNamespace(classifier))));
    List<String> joinedOnly =
        new ArrayList<>(List.of(P_WORKLOAD_KIND, P_WORKLOAD_NAME, P_WORKLOAD_TYPE, P_TEAM));
    for (Carried c : carried) {
      identity.put(c.name(), when(hasPod, coalesce(col(FROM_POD_INFO + c.name()), c.unknownPod())));
      joinedOnly.add(FROM_POD_INFO + c.name());
    }
    return rows.join(broadcast(podWorkloads), new String[] {CLUSTER, NAMESPACE, POD}, "left")
        .withColumns(identity)
        .drop(joinedOnly.toArray(String[]::new));
  }

  /**
   * The team of a row's pod that has no {@code team} label, or that kube state never showed: the team {@code conf/}
   * gives its namespace, else the default team.
   */
  public static Column teamOfNamespace(WorkloadClassifier classifier) {
    return coalesce(namespaceTeam(classifier), lit(classifier.defaultTeam()));
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
        : element_at(map(teamMap.toArray(Column[]::new)), col(NAMESPACE));
  }
}
