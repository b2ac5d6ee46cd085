package dev.idleledger.recommend;

import static org.apache.spark.sql.functions.aggregate;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.idleledger.attribute.GpuSecondState;
import dev.idleledger.config.WorkloadClassifier;
import dev.idleledger.ingest.SilverTables.GpuSamples;
import dev.idleledger.ingest.SilverTables.PodInfo;
import dev.idleledger.ingest.telemetry.HeldHours;
import dev.idleledger.model.UnitSecondMoney;
import dev.idleledger.model.WorkloadIdentity;
import dev.idleledger.model.WorkloadSecond;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * One row per (workload, second) it held GPUs in the window: the per-second grain every workload definition of
 * RECOMMENDATIONS.md reads (idle streaks, replicas and demand, MIG fit). Built in one pass over the held samples:
 * two broadcast joins (the unit-hour rates attribution kept, pod identity), an explode of the holders and one aggregation per
 * kind of workload — the only shuffle of the telemetry, and its map-side partial aggregation already merges a workload's
 * units per second.
 *
 * <p>Columns: cluster, namespace, workload_kind, workload_name, workload_type, team, second (epoch seconds), date,
 * hold_seconds (longest hold among its samples that second), any_active (1 when some unit of it was active: the
 * second is idle only when all are idle), money / money_list (what its holders paid for the second), pods = n(t),
 * demand = d(t) (Σ activity of its distinct units), max_fb_used_mib, max_activity, any_mig, gpu_model, min_gpu_model, node.
 *
 * <p>pods and demand are counted only for the workloads with a pod of type {@value #REPLICATED_TYPE} (the replica
 * rightsizing of RECOMMENDATIONS.md is their only reader) and are null for the others: they take the distinct pods and
 * units of each second, a set per row that turns the aggregation into Spark's object aggregate, which sorts its rows
 * instead of hashing them. Measured at 256 GPU-days (8.4 M workload-seconds): 95 s for all workloads with the sets,
 * 60 s with them only where read. The split is by workload, never by row, so each workload-second is one row of one
 * of the two aggregations even when its pods disagree on the type.
 */
final class WorkloadSeconds {
  /** What the workload's holders paid for the second. */
  static final String MONEY = "money";

  /** The same at list (on-demand) prices. */
  static final String MONEY_LIST = "money_list";

  /** n(t): pods of the workload holding a GPU in the second. */
  static final String PODS = "pods";

  /** Highest framebuffer use among its GPUs in the second, MiB. */
  static final String MAX_FB_USED_MIB = "max_fb_used_mib";

  /** Highest activity among its GPUs in the second, 0-1. */
  static final String MAX_ACTIVITY = "max_activity";

  /** 1 when some of its units in the second is a MIG instance. */
  static final String ANY_MIG = "any_mig";

  /** Lowest GPU model name among its units (equal to gpu_model when all are one model). */
  static final String MIN_GPU_MODEL = "min_gpu_model";

  /** d(t): Σ activity of its distinct units in the second. */
  static final String DEMAND = "demand";

  /** Activity of a sample (GpuSecondState#activity). */
  private static final String ACTIVITY = "activity";

  /** The distinct (unit, activity) pairs of the second, for the demand. */
  private static final String UNITS = "units";

  /** List price / paid price of a unit-hour (UnitHourRates). */
  private static final String LIST_FACTOR = "list_factor";

  /** Money per second of a unit-hour (UnitHourRates). */
  private static final String RATE = "rate";

  /** One exploded element of the sample holders. */
  private static final String HOLDER = "holder";

  /** The workload type whose seconds carry pods and demand: the replica rightsizing reads them for it alone. */
  static final String REPLICATED_TYPE = "inference";

  /** True on a row of a workload with some pod of {@link #REPLICATED_TYPE}. */
  private static final String COUNTED = "counted";

  /** A workload: its top controller, named as pod_info and the recommendations name it. */
  static final String[] WORKLOAD = {
    PodInfo.CLUSTER, PodInfo.NAMESPACE, PodInfo.WORKLOAD_KIND, PodInfo.WORKLOAD_NAME
  };

  /** The day of the second: the latest day among its samples. */
  static final String DATE = GpuSamples.DATE;

  private WorkloadSeconds() {}

  static Dataset<Row> of(
      Dataset<Row> samples,
      Dataset<Row> pods,
      Dataset<Row> rates,
      WorkloadClassifier classifier,
      double activityThreshold) {
    // A hold that crosses hh:00 is priced at each hour's rate for its part there (COST_MODEL §2):
    // it becomes one row per hour, each with the money of its part, while second and hold_seconds
    // stay the sample's own, so the per-second aggregation below merges the parts back into the
    // sample's second.
    String[] unitHour = {GpuSamples.CLUSTER, GpuSamples.UNIT_ID, HeldHours.HOUR};
    Dataset<Row> held =
        HeldHours.byHour(samples.where(size(col(GpuSamples.HOLDERS)).gt(0)))
            .withColumn(ACTIVITY, GpuSecondState.activity())
            .withColumn(WorkloadSecond.SECOND, WorkloadSecond.of(col(GpuSamples.TS)))
            .join(broadcast(rates.select(cols(unitHour, RATE, LIST_FACTOR))), unitHour, "left")
            .withColumn(
                MONEY,
                UnitSecondMoney.perHolder(
                    col(RATE), col(HeldHours.HOUR_SECONDS), col(GpuSamples.HOLDERS)))
            .withColumn(MONEY_LIST, col(MONEY).multiply(coalesce(col(LIST_FACTOR), lit(1.0))))
            .withColumn(HOLDER, explode(col(GpuSamples.HOLDERS)))
            .withColumn(PodInfo.NAMESPACE, col("holder.namespace"))
            .withColumn(PodInfo.POD, col("holder.pod"))
            .select(
                cols(
                    new String[] {
                      GpuSamples.CLUSTER,
                      PodInfo.NAMESPACE,
                      PodInfo.POD,
                      GpuSamples.NODE,
                      GpuSamples.UNIT_ID,
                      GpuSamples.DATE,
                      WorkloadSecond.SECOND,
                      GpuSamples.HOLD_SECONDS,
                      ACTIVITY,
                      GpuSamples.FB_USED_MIB,
                      GpuSamples.GPU_MODEL,
                      GpuSamples.MIG_PROFILE,
                      MONEY,
                      MONEY_LIST
                    }));
    Dataset<Row> identified =
        WorkloadIdentity.of(
            held,
            withCounted(pods, classifier),
            classifier,
            List.of(
                new WorkloadIdentity.Carried(
                    COUNTED,
                    coalesce(col(COUNTED), lit(false)),
                    lit(classifier.defaultType().equals(REPLICATED_TYPE)))));
    Column counted = coalesce(col(COUNTED), lit(false));
    return perSecond(identified.where(counted), activityThreshold, true)
        .unionByName(perSecond(identified.where(not(counted)), activityThreshold, false), true);
  }

  /**
   * The pods with {@value #COUNTED}: true for every pod of a workload that has a pod of {@link #REPLICATED_TYPE}, by the
   * identity {@link WorkloadIdentity} gives each pod. A pod kube state never showed is a workload of its own, of the
   * classifier's default type (the unknown-pod value of the carried column).
   */
  private static Dataset<Row> withCounted(Dataset<Row> pods, WorkloadClassifier classifier) {
    String[] pod = {PodInfo.CLUSTER, PodInfo.NAMESPACE, PodInfo.POD};
    Dataset<Row> podWorkloads =
        WorkloadIdentity.of(pods.select(cols(pod)).distinct(), pods, classifier);
    Dataset<Row> countedWorkloads =
        podWorkloads
            .where(col(PodInfo.WORKLOAD_TYPE).equalTo(REPLICATED_TYPE))
            .select(cols(WORKLOAD))
            .distinct();
    Dataset<Row> countedPods =
        podWorkloads
            .join(countedWorkloads, WORKLOAD, "left_semi")
            .select(cols(pod))
            .withColumn(COUNTED, lit(true));
    return pods.join(countedPods, pod, "left");
  }

  /** One row per (workload, second) of {@code identified}; pods and demand only when {@code countPods}, else null. */
  private static Dataset<Row> perSecond(
      Dataset<Row> identified, double activityThreshold, boolean countPods) {
    List<Column> aggregates =
        new ArrayList<>(
            List.of(
                first(PodInfo.TEAM).as(PodInfo.TEAM),
                max(GpuSamples.DATE).as(DATE),
                WorkloadSecond.longestHold(),
                WorkloadSecond.anyActive(GpuSecondState.isActive(col(ACTIVITY), activityThreshold)),
                sum(MONEY).as(MONEY),
                sum(MONEY_LIST).as(MONEY_LIST),
                max(GpuSamples.FB_USED_MIB).as(MAX_FB_USED_MIB),
                max(coalesce(col(ACTIVITY), lit(0.0))).as(MAX_ACTIVITY),
                max(when(col(GpuSamples.MIG_PROFILE).isNotNull(), 1).otherwise(0)).as(ANY_MIG),
                max(GpuSamples.GPU_MODEL).as(GpuSamples.GPU_MODEL),
                min(GpuSamples.GPU_MODEL).as(MIN_GPU_MODEL),
                max(GpuSamples.NODE).as(GpuSamples.NODE)));
    if (countPods) {
      aggregates.add(size(collect_set(PodInfo.POD)).as(PODS));
      aggregates.add(
          collect_set(
                  struct(col(GpuSamples.UNIT_ID), coalesce(col(ACTIVITY), lit(0.0)).as(ACTIVITY)))
              .as(UNITS));
    }
    Dataset<Row> seconds =
        identified
            .groupBy(cols(WORKLOAD, WorkloadSecond.SECOND))
            .agg(
                first(PodInfo.WORKLOAD_TYPE).as(PodInfo.WORKLOAD_TYPE),
                aggregates.toArray(Column[]::new));
    if (!countPods) {
      return seconds
          .withColumn(PODS, lit(null).cast("int"))
          .withColumn(DEMAND, lit(null).cast("double"));
    }
    // A unit two pods of the workload share (time-slicing) counts once in the demand.
    return seconds
        .withColumn(
            DEMAND,
            aggregate(col(UNITS), lit(0.0), (demand, unit) -> demand.plus(unit.getField(ACTIVITY))))
        .drop(UNITS);
  }

  static Column[] cols(String[] names, String... more) {
    return Stream.concat(Arrays.stream(names), Arrays.stream(more))
        .map(n -> col(n))
        .toArray(Column[]::new);
  }
}
