package dev.idleledger.recommend;

import static java.util.Map.entry;
import static org.apache.spark.sql.functions.array_distinct;
import static org.apache.spark.sql.functions.array_position;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.dense_rank;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.flatten;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import dev.idleledger.attribute.GpuSecondState;
import dev.idleledger.config.WorkloadClassifier;
import dev.idleledger.ingest.SilverTables.GpuSamples;
import dev.idleledger.ingest.SilverTables.PodInfo;
import dev.idleledger.ingest.telemetry.HeldHours;
import dev.idleledger.model.SlotMasks;
import dev.idleledger.model.UnitSecondMoney;
import dev.idleledger.model.WorkloadIdentity;
import dev.idleledger.model.WorkloadSecond;
import dev.idleledger.spark.OrderedColumns;
import dev.idleledger.spark.StageFrames;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * One row per (workload, second) it held GPUs in the window: the per-second grain every workload definition of
 * RECOMMENDATIONS.md reads (idle streaks, replicas and demand, MIG fit). Built in one pass over the held samples:
 * two broadcast joins (the unit-hour rates attribution kept, pod identity), an explode of the holders, one shuffle by
 * (workload, second), and two hash aggregations in the stage that reads it.
 *
 * <p>The workload is a number on these rows ({@link #WORKLOAD_ID}), and its names, type and team are one row of
 * {@link #workloads()}: every grouping, window and sort over the millions of seconds then keys on one long, where
 * the four names of a workload (cluster first, the same on every row) made each hash lookup and sort comparison
 * walk strings. {@link #named} puts the names back on a per-workload result.
 *
 * <p>Columns of {@link #seconds()}: workload_id, second (epoch seconds), date, hold_seconds (longest hold among its
 * samples that second), any_active (1 when some unit of it was active: the second is idle only when all are idle),
 * money / money_list (what its holders paid for the second), pods = n(t), demand = d(t) (Σ activity of its distinct
 * units), max_fb_used_mib, max_activity, any_mig, and the highest and lowest of its units' {@link #MIG_MODEL} codes.
 *
 * <p>pods and demand are counted only for the workloads with a pod of type {@value #REPLICATED_TYPE} (the replica
 * rightsizing of RECOMMENDATIONS.md is their only reader) and are null for the others. For those workloads the first
 * of two aggregations keeps one row per (workload, second, unit, activity), so the second sums each unit's activity
 * once, and the pods are bits of a mask ({@link SlotMasks}, a slot per pod of the workload). Every aggregate is then a
 * fixed-width number: Spark plans hash aggregates, where {@code collect_set} of the pods and units, or {@code first} and
 * {@code max} of a string, would make it sort every row.
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

  /**
   * A unit's GPU model as a number: its position (from 1) among the MIG-capable models the recommendations were given,
   * 0 for any other model, null when the sample names none. The rightsizing to MIG reads only whether a workload ran on
   * one MIG-capable model, which the highest and lowest code of its seconds tell; a number keeps the aggregation a
   * hash aggregate, where the model's name would not.
   */
  static final String MIG_MODEL = "mig_model";

  /** Highest {@link #MIG_MODEL} among its units in the second. */
  static final String MAX_MIG_MODEL = "max_mig_model";

  /** Lowest {@link #MIG_MODEL} among its units in the second. */
  static final String MIN_MIG_MODEL = "min_mig_model";

  /** d(t): Σ activity of its distinct units in the second. */
  static final String DEMAND = "demand";

  /** Activity of a sample (GpuSecondState#activity). */
  private static final String ACTIVITY = "activity";

  /** A counted workload's unit, null for the others: the first aggregation's extra key. */
  private static final String UNIT_KEY = "unit_key";

  /** A counted workload's unit's activity (0 when unknown), null for the others: its other extra key. */
  private static final String UNIT_ACTIVITY = "unit_activity";

  /** A counted pod's number among its workload's pods, from 0. */
  private static final String POD_SLOT = "pod_slot";

  /** Prefix of the pod mask's words. */
  private static final String POD_WORD = "pod_word_";

  /** The counted pods of a (workload, second, unit) as a set, when the masks would be too wide. */
  private static final String POD_SET = "pod_set";

  /** At most this many words of pod mask (1,024 pods of one workload in the window); wider falls back to sets. */
  static final int MAX_POD_WORDS = 16;

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

  /**
   * A workload as a number: from 1 in the order of its names for the workloads pod_info shows, and below 0 (a 64-bit
   * hash of its cluster, namespace and pod) for a pod kube state never showed, which is a workload of its own. Two such
   * pods hashed alike would be one workload; {@link #of} checks that none are and fails naming both.
   */
  static final String WORKLOAD_ID = "workload_id";

  /** A pod kube state never showed: its cluster, namespace and name, carried as keys on its rows (null on the others). */
  private static final String[] UNSEEN_POD = {"unseen_cluster", "unseen_namespace", "unseen_pod"};

  /** A pod of pod_info. */
  private static final String[] POD_KEY = {PodInfo.CLUSTER, PodInfo.NAMESPACE, PodInfo.POD};

  /** The day of the second: the latest day among its samples. */
  static final String DATE = GpuSamples.DATE;

  private final Dataset<Row> seconds;
  private final Dataset<Row> workloads;

  private WorkloadSeconds(Dataset<Row> seconds, Dataset<Row> workloads) {
    this.seconds = seconds;
    this.workloads = workloads;
  }

  /** One row per (workload, second), keyed by {@link #WORKLOAD_ID}; held (computed once, read by every kind). */
  Dataset<Row> seconds() {
    return seconds;
  }

  /** One row per workload of the window: workload_id, its {@link #WORKLOAD} names, workload_type and team. Small, held. */
  Dataset<Row> workloads() {
    return workloads;
  }

  /** The rows of {@code keyed} (by {@link #WORKLOAD_ID}) whose workload is of {@code workloadType}: a broadcast semi-join. */
  Dataset<Row> ofType(Dataset<Row> keyed, String workloadType) {
    Dataset<Row> ids =
        workloads.where(col(PodInfo.WORKLOAD_TYPE).equalTo(workloadType)).select(WORKLOAD_ID);
    return keyed.join(broadcast(ids), WORKLOAD_ID, "left_semi");
  }

  /** {@code perWorkload} (rows keyed by {@link #WORKLOAD_ID}) with the workload's names, type and team instead of the id. */
  Dataset<Row> named(Dataset<Row> perWorkload) {
    return perWorkload.join(broadcast(workloads), WORKLOAD_ID, "left").drop(WORKLOAD_ID);
  }

  /** The seconds with their workload's names, type and team: as the recommendations read them, for tests and queries. */
  Dataset<Row> named() {
    return named(seconds);
  }

  /**
   * @param migModels the MIG-capable GPU models, whose positions are the {@link #MIG_MODEL} codes
   */
  static WorkloadSeconds of(
      Dataset<Row> samples,
      Dataset<Row> pods,
      Dataset<Row> rates,
      WorkloadClassifier classifier,
      double activityThreshold,
      List<String> migModels) {
    return of(samples, pods, rates, classifier, activityThreshold, migModels, MAX_POD_WORDS);
  }

  /** As above, with another limit on the pod mask's width (0 makes every window collect sets; tests compare the two). */
  static WorkloadSeconds of(
      Dataset<Row> samples,
      Dataset<Row> pods,
      Dataset<Row> rates,
      WorkloadClassifier classifier,
      double activityThreshold,
      List<String> migModels,
      int maxPodWords) {
    // A hold that crosses hh:00 is priced at each hour's rate for its part there (COST_MODEL §2):
    // it becomes one row per hour, each with the money of its part, while second and hold_seconds
    // stay the sample's own, so the per-second aggregation below merges the parts back into the
    // sample's second.
    String[] unitHour = {GpuSamples.CLUSTER, GpuSamples.UNIT_ID, HeldHours.HOUR};
    Dataset<Row> held =
        HeldHours.byHour(samples.where(size(col(GpuSamples.HOLDERS)).gt(0)))
            .withColumns(
                OrderedColumns.of(
                    entry(ACTIVITY, GpuSecondState.activity()),
                    entry(WorkloadSecond.SECOND, WorkloadSecond.of(col(GpuSamples.TS))),
                    entry(
                        MIG_MODEL,
                        array_position(
                            lit(migModels.toArray(String[]::new)), col(GpuSamples.GPU_MODEL)))))
            .join(broadcast(rates.select(cols(unitHour, RATE, LIST_FACTOR))), unitHour, "left")
            .withColumn(
                MONEY,
                UnitSecondMoney.perHolder(
                    col(RATE), col(HeldHours.HOUR_SECONDS), col(GpuSamples.HOLDERS)))
            .withColumn(MONEY_LIST, col(MONEY).multiply(coalesce(col(LIST_FACTOR), lit(1.0))))
            .withColumn(HOLDER, explode(col(GpuSamples.HOLDERS)))
            .withColumns(
                OrderedColumns.of(
                    entry(PodInfo.NAMESPACE, col("holder.namespace")),
                    entry(PodInfo.POD, col("holder.pod"))))
            .select(
                cols(
                    new String[] {
                      GpuSamples.CLUSTER,
                      PodInfo.NAMESPACE,
                      PodInfo.POD,
                      GpuSamples.UNIT_ID,
                      GpuSamples.DATE,
                      WorkloadSecond.SECOND,
                      GpuSamples.HOLD_SECONDS,
                      ACTIVITY,
                      GpuSamples.FB_USED_MIB,
                      GpuSamples.MIG_PROFILE,
                      MIG_MODEL,
                      MONEY,
                      MONEY_LIST
                    }));
    Dataset<Row> podWorkloads = podWorkloads(pods, classifier).transform(StageFrames::keep);
    int podWords = SlotMasks.words(widestCountedWorkload(podWorkloads));
    boolean unknownPodCounted = classifier.defaultType().equals(REPLICATED_TYPE);
    Column hashedPod = xxhash64(cols(POD_KEY));
    Dataset<Row> identified =
        WorkloadIdentity.of(
            held,
            pods.join(
                podWorkloads.select(cols(POD_KEY, WORKLOAD_ID, COUNTED, POD_SLOT)),
                POD_KEY,
                "left"),
            classifier,
            List.of(
                new WorkloadIdentity.Carried(
                    WORKLOAD_ID,
                    col(WORKLOAD_ID),
                    // Below 0, so it never meets a pod_info workload's id.
                    when(hashedPod.lt(0), hashedPod).otherwise(hashedPod.multiply(-1).minus(1))),
                new WorkloadIdentity.Carried(
                    COUNTED, coalesce(col(COUNTED), lit(false)), lit(unknownPodCounted)),
                // A pod kube state never showed is a workload of its own: the only pod of it.
                new WorkloadIdentity.Carried(POD_SLOT, col(POD_SLOT), lit(0))));
    // Counted workloads' rows keep their unit and its activity as keys of the first aggregation, so
    // it leaves one row per (workload, second, unit, activity) and the second sums each unit's
    // activity once: a unit two pods of the workload share (time-slicing), or a sample split at
    // hh:00, counts once in the demand. The other workloads' rows have both keys null, so for them
    // the first aggregation is already per second.
    Column counted = coalesce(col(COUNTED), lit(false));
    Column unseen = col(WORKLOAD_ID).lt(0);
    Dataset<Row> keyed =
        identified
            .withColumns(
                OrderedColumns.of(
                    entry(COUNTED, counted),
                    entry(UNIT_KEY, when(counted, col(GpuSamples.UNIT_ID))),
                    entry(UNIT_ACTIVITY, when(counted, coalesce(col(ACTIVITY), lit(0.0)))),
                    entry(UNSEEN_POD[0], when(unseen, col(PodInfo.CLUSTER))),
                    entry(UNSEEN_POD[1], when(unseen, col(PodInfo.NAMESPACE))),
                    entry(UNSEEN_POD[2], when(unseen, col(PodInfo.POD)))))
            // One shuffle, by (workload, second): both aggregations group by it and more, so they
            // run in the stage that reads it.
            .repartition(col(WORKLOAD_ID), col(WorkloadSecond.SECOND));
    List<Column> perUnit = sampleAggregates(activityThreshold);
    perUnit.add(max(COUNTED).as(COUNTED));
    List<Column> perSecond =
        new ArrayList<>(
            List.of(
                max(DATE).as(DATE),
                max(WorkloadSecond.HOLD_SECONDS).as(WorkloadSecond.HOLD_SECONDS),
                max(WorkloadSecond.ANY_ACTIVE).as(WorkloadSecond.ANY_ACTIVE),
                sum(MONEY).as(MONEY),
                sum(MONEY_LIST).as(MONEY_LIST),
                max(MAX_FB_USED_MIB).as(MAX_FB_USED_MIB),
                max(MAX_ACTIVITY).as(MAX_ACTIVITY),
                max(ANY_MIG).as(ANY_MIG),
                max(MAX_MIG_MODEL).as(MAX_MIG_MODEL),
                min(MIN_MIG_MODEL).as(MIN_MIG_MODEL),
                max(COUNTED).as(COUNTED),
                sum(UNIT_ACTIVITY).as(DEMAND)));
    Column podCount;
    if (podWords <= maxPodWords) {
      perUnit.addAll(SlotMasks.masks(col(POD_SLOT), podWords, POD_WORD));
      perSecond.addAll(SlotMasks.unions(podWords, POD_WORD));
      podCount = SlotMasks.bitsSet(podWords, POD_WORD);
    } else {
      perUnit.add(collect_set(when(counted, col(PodInfo.POD))).as(POD_SET));
      perSecond.add(array_distinct(flatten(collect_list(POD_SET))).as(POD_SET));
      podCount = size(col(POD_SET));
    }
    // The unseen pod's names are keys too: fixed by the id, so they split no group, and null (cheap
    // to hash and compare) on every other row.
    String[] workloadSecond = {
      WORKLOAD_ID, UNSEEN_POD[0], UNSEEN_POD[1], UNSEEN_POD[2], WorkloadSecond.SECOND
    };
    Dataset<Row> withUnseen =
        keyed
            .groupBy(cols(workloadSecond, UNIT_KEY, UNIT_ACTIVITY))
            .agg(first(perUnit), rest(perUnit))
            .groupBy(cols(workloadSecond))
            .agg(first(perSecond), rest(perSecond))
            .withColumns(
                OrderedColumns.of(
                    entry(PODS, when(col(COUNTED), podCount.cast("int"))),
                    entry(DEMAND, when(col(COUNTED), col(DEMAND)))))
            .drop(COUNTED)
            .drop(SlotMasks.names(podWords, POD_WORD))
            .drop(POD_SET)
            // Held: every kind reads it, and the unseen pods' names come from it.
            .transform(StageFrames::keep);
    Dataset<Row> workloads =
        seenWorkloads(podWorkloads)
            .unionByName(unseenWorkloads(withUnseen, classifier))
            .transform(StageFrames::keep);
    requireDistinctIds(workloads);
    return new WorkloadSeconds(withUnseen.drop(UNSEEN_POD), workloads);
  }

  /**
   * The workloads pod_info shows. A workload with an inference pod is an inference workload, whatever its other pods'
   * labels say (a rollout that changed them).
   */
  private static Dataset<Row> seenWorkloads(Dataset<Row> podWorkloads) {
    return podWorkloads
        .groupBy(cols(WORKLOAD, WORKLOAD_ID))
        .agg(
            max(PodInfo.WORKLOAD_TYPE).as(PodInfo.WORKLOAD_TYPE),
            max(PodInfo.TEAM).as(PodInfo.TEAM),
            max(COUNTED).as(COUNTED))
        .withColumn(
            PodInfo.WORKLOAD_TYPE,
            when(col(COUNTED), lit(REPLICATED_TYPE)).otherwise(col(PodInfo.WORKLOAD_TYPE)))
        .drop(COUNTED);
  }

  /**
   * The pods kube state never showed that held GPUs in the window, each a workload of its own (kind Pod, named by the
   * pod), of the classifier's default type and its namespace's team.
   */
  private static Dataset<Row> unseenWorkloads(
      Dataset<Row> withUnseen, WorkloadClassifier classifier) {
    return withUnseen
        .where(col(WORKLOAD_ID).lt(0))
        .select(cols(UNSEEN_POD, WORKLOAD_ID))
        .distinct()
        .select(
            col(UNSEEN_POD[0]).as(PodInfo.CLUSTER),
            col(UNSEEN_POD[1]).as(PodInfo.NAMESPACE),
            lit(WorkloadIdentity.POD_KIND).as(PodInfo.WORKLOAD_KIND),
            col(UNSEEN_POD[2]).as(PodInfo.WORKLOAD_NAME),
            col(WORKLOAD_ID))
        .withColumns(
            OrderedColumns.of(
                entry(PodInfo.WORKLOAD_TYPE, lit(classifier.defaultType())),
                entry(PodInfo.TEAM, WorkloadIdentity.teamOfNamespace(classifier))));
  }

  /** Fails, naming both, if two workloads got one id: two unseen pods whose hashes met. */
  static void requireDistinctIds(Dataset<Row> workloads) {
    List<Row> shared =
        workloads
            .groupBy(WORKLOAD_ID)
            .agg(count("*").as("workloads"))
            .where(col("workloads").gt(1))
            .join(workloads, WORKLOAD_ID)
            .select(cols(WORKLOAD))
            .limit(2)
            .collectAsList();
    if (!shared.isEmpty()) {
      throw new IllegalStateException(
          "two workloads of the window hash to one workload_id: "
              + shared
              + "; their seconds would be counted as one workload's");
    }
  }

  /** What the first aggregation takes from the samples of each group: all fixed-width numbers. */
  private static List<Column> sampleAggregates(double activityThreshold) {
    return new ArrayList<>(
        List.of(
            max(GpuSamples.DATE).as(DATE),
            WorkloadSecond.longestHold(),
            WorkloadSecond.anyActive(GpuSecondState.isActive(col(ACTIVITY), activityThreshold)),
            sum(MONEY).as(MONEY),
            sum(MONEY_LIST).as(MONEY_LIST),
            max(GpuSamples.FB_USED_MIB).as(MAX_FB_USED_MIB),
            max(coalesce(col(ACTIVITY), lit(0.0))).as(MAX_ACTIVITY),
            max(when(col(GpuSamples.MIG_PROFILE).isNotNull(), 1).otherwise(0)).as(ANY_MIG),
            max(MIG_MODEL).as(MAX_MIG_MODEL),
            min(MIG_MODEL).as(MIN_MIG_MODEL)));
  }

  private static Column first(List<Column> aggregates) {
    return aggregates.get(0);
  }

  private static Column[] rest(List<Column> aggregates) {
    return aggregates.subList(1, aggregates.size()).toArray(Column[]::new);
  }

  /**
   * Each pod of pod_info once, with its workload ({@link WorkloadIdentity}) and {@value #WORKLOAD_ID}, that workload's
   * type and team, {@value #COUNTED} (the workload has a pod of {@link #REPLICATED_TYPE}) and, for a counted workload's
   * pod, its {@value #POD_SLOT}: its place among the workload's pods. Small: one row per pod of the window.
   */
  private static Dataset<Row> podWorkloads(Dataset<Row> pods, WorkloadClassifier classifier) {
    WindowSpec workload = Window.partitionBy(cols(WORKLOAD));
    Column counted = max(col(PodInfo.WORKLOAD_TYPE).equalTo(REPLICATED_TYPE)).over(workload);
    return WorkloadIdentity.of(pods.select(cols(POD_KEY)).distinct(), pods, classifier)
        .withColumns(
            OrderedColumns.of(
                entry(WORKLOAD_ID, dense_rank().over(Window.orderBy(cols(WORKLOAD))).cast("long")),
                entry(COUNTED, counted)))
        .withColumn(
            POD_SLOT,
            when(col(COUNTED), dense_rank().over(workload.orderBy(PodInfo.POD)).minus(1)));
  }

  /** Pods of the counted workload with the most of them (0 when none is counted): the width of the pod mask. */
  private static int widestCountedWorkload(Dataset<Row> podWorkloads) {
    Row widest = podWorkloads.agg(max(POD_SLOT)).first();
    return widest.isNullAt(0) ? 0 : widest.getInt(0) + 1;
  }

  static Column[] cols(String[] names, String... more) {
    return Stream.concat(Arrays.stream(names), Arrays.stream(more))
        .map(n -> col(n))
        .toArray(Column[]::new);
  }
}
