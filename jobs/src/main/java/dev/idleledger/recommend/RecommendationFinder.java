package dev.idleledger.recommend;

import static dev.idleledger.tables.RecommendationTables.History.SUBJECT;
import static dev.idleledger.tables.RecommendationTables.Recommendations.ACTION;
import static dev.idleledger.tables.RecommendationTables.Recommendations.CLUSTER;
import static dev.idleledger.tables.RecommendationTables.Recommendations.CONFIDENCE;
import static dev.idleledger.tables.RecommendationTables.Recommendations.CURRENCY;
import static dev.idleledger.tables.RecommendationTables.Recommendations.EVIDENCE;
import static dev.idleledger.tables.RecommendationTables.Recommendations.INSTANCE_TYPE;
import static dev.idleledger.tables.RecommendationTables.Recommendations.KIND;
import static dev.idleledger.tables.RecommendationTables.Recommendations.MONTHLY_SAVINGS;
import static dev.idleledger.tables.RecommendationTables.Recommendations.MONTHLY_SAVINGS_AT_LIST;
import static dev.idleledger.tables.RecommendationTables.Recommendations.NAMESPACE;
import static dev.idleledger.tables.RecommendationTables.Recommendations.NODE;
import static dev.idleledger.tables.RecommendationTables.Recommendations.PATCH;
import static dev.idleledger.tables.RecommendationTables.Recommendations.RECOMMENDATION_ID;
import static dev.idleledger.tables.RecommendationTables.Recommendations.TEAM;
import static dev.idleledger.tables.RecommendationTables.Recommendations.WORKLOAD_KIND;
import static dev.idleledger.tables.RecommendationTables.Recommendations.WORKLOAD_NAME;
import static dev.idleledger.tables.RecommendationTables.Recommendations.WORKLOAD_TYPE;
import static java.util.Map.entry;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.ceil;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.percentile_approx;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;

import dev.idleledger.attribute.GpuHourlyTable;
import dev.idleledger.config.InstanceCatalog;
import dev.idleledger.ingest.SilverTables.BillingHourly;
import dev.idleledger.ingest.SilverTables.GpuSamples;
import dev.idleledger.model.PercentileAccuracy;
import dev.idleledger.model.Periods;
import dev.idleledger.spark.OrderedColumns;
import dev.idleledger.spark.StageFrames;
import dev.idleledger.tables.RecommendationKind;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The six kinds of RECOMMENDATIONS.md over one trailing window, as a pure transform: the window's silver and
 * gpu_hourly rows in, one row per triggered recommendation out (columns {@link #OUTPUT}), priced per month,
 * with evidence JSON, action and patch, and kept only at or above {@code min_monthly_savings}.
 *
 * <p>Money comes from gpu_hourly (rates already applied by the cost model); the per-second definitions read
 * {@link WorkloadSeconds}. A monthly figure is the window's figure × 30 / days of the window with data.
 */
public final class RecommendationFinder {
  /** What a workload or pool paid over the window. */
  private static final String COST = "cost";

  /** The same at list (on-demand) prices. */
  private static final String COST_LIST = "cost_list";

  /** Days of the window the pattern was seen. */
  private static final String DAYS_TRIGGERED = "days_triggered";

  /** Evidence: the rule behind the recommendation, in words. */
  private static final String RULE = "rule";

  /** R: median pods holding a GPU over the seconds with any. */
  private static final String R = "r";

  /** R': max(min_replicas, p95 of the replicas needed). */
  private static final String R_PRIME = "r_prime";

  /** p95 of ceil(d(t) / target activity): the replicas needed. */
  private static final String P95_NEED = "p95_need";

  /** p95 of d(t), the demand. */
  private static final String P95_DEMAND = "p95_demand";

  /** Most pods holding a GPU in one second. */
  private static final String MAX_REPLICAS = "max_replicas";

  /** Evidence: the cost over the window, rounded. */
  private static final String WINDOW_COST = "window_cost";

  /** Idle streaks over the threshold (IdleStreaks). */
  private static final String STREAKS = "streaks";

  /** Longest idle streak of the window, seconds (IdleStreaks). */
  private static final String LONGEST_STREAK_SECONDS = "longest_streak_seconds";

  /** p99 over seconds of the highest framebuffer use, MiB. */
  private static final String P99_FB_USED_MIB = "p99_fb_used_mib";

  /** p95 over seconds of the highest activity. */
  private static final String P95_ACTIVITY = "p95_activity";

  /** A MIG profile of the model (migProfiles). */
  private static final String PROFILE = "profile";

  /** Memory of that profile, MiB. */
  private static final String PROFILE_MEMORY_MIB = "profile_memory_mib";

  /** Compute slices of that profile. */
  private static final String K = "k";

  /** Compute slices of the whole GPU. */
  private static final String SLICES = "slices";

  /** The smallest profile that fits (struct of k, profile_memory_mib, profile, slices). */
  private static final String BEST = "best";

  /** Billed GPU seconds of a pool over the window. */
  private static final String BILLED_SECONDS = "billed_seconds";

  /** Of them, the seconds no pod held. */
  private static final String UNALLOCATED_SECONDS = "unallocated_seconds";

  /** unallocated_seconds / billed_seconds. */
  private static final String UNALLOCATED_SHARE = "unallocated_share";

  /** Distinct GPUs of a pool. */
  private static final String GPUS = "gpus";

  /** GPUs some pod held in an hour. */
  private static final String ALLOCATED_GPUS = "allocated_gpus";

  /** p95 over hours of the allocated GPUs. */
  private static final String P95_ALLOCATED_GPUS = "p95_allocated_gpus";

  /** Distinct on-demand instances of a type billed in an hour. */
  private static final String INSTANCES = "instances";

  /** Most on-demand instances of the type in one hour. */
  private static final String MAX_INSTANCES = "max_instances";

  /** The on-demand floor: the configured percentile over hours of the on-demand instances of a type. */
  private static final String FLOOR = "floor";

  /** Hours of the window counted. */
  private static final String HOURS = "hours";

  /** On-demand price of an instance-hour of the type. */
  private static final String OD_RATE = "od_rate";

  /** On-demand instance-hours of the type. */
  private static final String OD_HOURS = "od_hours";

  /** What those hours cost on demand. */
  private static final String OD_COST = "od_cost";

  /** Savings plan discount applied: the one seen on the bill, else the configured one. */
  private static final String DISCOUNT = "discount";

  /** Where the discount came from (bill or settings). */
  private static final String DISCOUNT_SOURCE = "discount_source";

  /** Savings plan commitment per hour for the floor. */
  private static final String COMMIT_PER_HOUR = "commit_per_hour";

  /** What the floor would cost under the savings plan. */
  private static final String SP_COST = "sp_cost";

  /** The same at list prices. */
  private static final String SP_LIST = "sp_list";

  /** List price / paid price of a unit-hour. */
  private static final String LIST_FACTOR = "list_factor";

  /** Savings over the window, before scaling to a month. */
  private static final String WINDOW_SAVINGS = "window_savings";

  /** The same at list prices. */
  private static final String WINDOW_SAVINGS_AT_LIST = "window_savings_at_list";

  /** The window a night looks at, and how much of it had data. */
  public record Window(LocalDate end, int days, int daysWithData) {
    public LocalDate start() {
      return end.minusDays(days - 1L);
    }
  }

  public static final String[] OUTPUT = {
    RECOMMENDATION_ID,
    KIND,
    SUBJECT,
    CLUSTER,
    NAMESPACE,
    WORKLOAD_KIND,
    WORKLOAD_NAME,
    WORKLOAD_TYPE,
    TEAM,
    NODE,
    INSTANCE_TYPE,
    MONTHLY_SAVINGS,
    MONTHLY_SAVINGS_AT_LIST,
    CONFIDENCE,
    EVIDENCE,
    ACTION,
    PATCH,
    CURRENCY
  };

  private static final double COST_TOLERANCE = 1e-9;

  private final SparkSession spark;
  private final RecommendSettings settings;
  private final InstanceCatalog catalog;

  public RecommendationFinder(
      SparkSession spark, RecommendSettings settings, InstanceCatalog catalog) {
    this.spark = spark;
    this.settings = settings;
    this.catalog = catalog;
  }

  /**
   * @param workloadSeconds {@link WorkloadSeconds} of the window
   * @param gpuHourly gpu_hourly rows of the window
   * @param billing billing_hourly rows of the window
   */
  public Dataset<Row> find(
      Window window,
      WorkloadSeconds workloadSeconds,
      Dataset<Row> gpuHourly,
      Dataset<Row> billing) {
    return worthwhile(findAll(window, workloadSeconds, gpuHourly, billing));
  }

  /** Only recommendations saving at least {@code recommend.min_monthly_savings} a month are kept. */
  public Dataset<Row> worthwhile(Dataset<Row> recommendations) {
    return recommendations.where(col(MONTHLY_SAVINGS).geq(settings.minMonthlySavings()));
  }

  /** Every triggered recommendation, whatever it saves. */
  public Dataset<Row> findAll(
      Window window,
      WorkloadSeconds workloadSeconds,
      Dataset<Row> gpuHourly,
      Dataset<Row> billing) {
    if (window.daysWithData() == 0) {
      return spark.createDataFrame(List.of(), outputSchema());
    }
    double monthly = Periods.DAYS_PER_MONTH / window.daysWithData();
    Dataset<Row> currency = gpuHourly.agg(max(GpuHourlyTable.CURRENCY).as(CURRENCY));
    // Both idle kinds read the streaks; held once, the window over every workload-second runs once
    // instead of twice.
    Dataset<Row> streaks =
        IdleStreaks.of(workloadSeconds.seconds(), settings.cullAfterSeconds())
            .transform(StageFrames::keep);
    List<Dataset<Row>> kinds = new ArrayList<>();
    Column workload =
        concat_ws("/", col(CLUSTER), col(NAMESPACE), col(WORKLOAD_KIND), col(WORKLOAD_NAME));
    kinds.add(finish(cullIdleNotebooks(streaks, workloadSeconds, monthly), window, workload));
    kinds.add(finish(releaseIdleTraining(streaks, workloadSeconds, monthly), window, workload));
    kinds.add(finish(rightsizeReplicas(workloadSeconds, monthly), window, workload));
    kinds.add(finish(rightsizeGpu(workloadSeconds, monthly), window, workload));
    kinds.add(
        finish(
            consolidateUnallocated(gpuHourly, billing, monthly),
            window,
            concat_ws("/", col(CLUSTER), col(NODE))));
    kinds.add(
        finish(
            commitmentCoverage(billing),
            window,
            concat_ws("/", col(INSTANCE_TYPE), col(BillingHourly.REGION))));
    Dataset<Row> all = kinds.get(0);
    for (int i = 1; i < kinds.size(); i++) {
      all = all.unionByName(kinds.get(i));
    }
    return all.crossJoin(broadcast(currency)).select(WorkloadSeconds.cols(OUTPUT));
  }

  Dataset<Row> cullIdleNotebooks(Dataset<Row> streaks, WorkloadSeconds seconds, double monthly) {
    double grace = settings.cullAfterSeconds();
    long minutes = Math.round(grace / 60);
    return IdleStreaks.perWorkload(streaks, seconds, "notebook", grace, false, true)
        .withColumns(
            OrderedColumns.of(
                entry(KIND, lit(RecommendationKind.CULL_IDLE_NOTEBOOK.name())),
                entry(MONTHLY_SAVINGS, col(WINDOW_SAVINGS).multiply(monthly)),
                entry(MONTHLY_SAVINGS_AT_LIST, col(WINDOW_SAVINGS_AT_LIST).multiply(monthly)),
                entry(
                    EVIDENCE,
                    struct(
                        lit("idle streaks (all of its GPUs idle, unbroken by missing telemetry) longer than "
                                + minutes
                                + " minutes; savings = their cost beyond the first "
                                + minutes
                                + " minutes of each")
                            .as(RULE),
                        col(STREAKS).as("idle_streaks_over_threshold"),
                        hours(col(LONGEST_STREAK_SECONDS)).as("longest_idle_streak_hours"),
                        hours(col("seconds_beyond")).as("idle_hours_beyond_threshold"),
                        round(col(WINDOW_SAVINGS), 2).as("window_cost_beyond_threshold"))),
                entry(
                    ACTION,
                    concat(
                        lit("Enable idle culling at " + minutes + " minutes for notebook "),
                        col(NAMESPACE),
                        lit("/"),
                        col(WORKLOAD_NAME),
                        lit(
                            " (Kubeflow notebook controller CULL_IDLE_TIME="
                                + minutes
                                + "), or scale the notebook to 0 when idle"))),
                entry(
                    PATCH,
                    lit(
                        "# kubeflow notebook-controller Deployment, container env\nenv:\n  - name: ENABLE_CULLING\n    value: \"true\"\n"
                            + "  - name: CULL_IDLE_TIME\n    value: \""
                            + minutes
                            + "\"\n  - name: IDLENESS_CHECK_PERIOD\n    value: \"1\"\n"))));
  }

  Dataset<Row> releaseIdleTraining(Dataset<Row> streaks, WorkloadSeconds seconds, double monthly) {
    double min = settings.minIdleSeconds();
    long minutes = Math.round(min / 60);
    Column kind = col(WORKLOAD_KIND);
    Column patch =
        when(kind.equalTo("Job"), lit("spec:\n  ttlSecondsAfterFinished: 300\n"))
            .when(
                kind.equalTo("CronJob"),
                lit("spec:\n  jobTemplate:\n    spec:\n      ttlSecondsAfterFinished: 300\n"))
            .otherwise(
                lit(
                    "spec:\n  runPolicy:\n    ttlSecondsAfterFinished: 300\n    cleanPodPolicy: All\n"));
    return IdleStreaks.perWorkload(streaks, seconds, "training", min, true, false)
        .withColumns(
            OrderedColumns.of(
                entry(KIND, lit(RecommendationKind.RELEASE_IDLE_TRAINING_GPUS.name())),
                entry(MONTHLY_SAVINGS, col(WINDOW_SAVINGS).multiply(monthly)),
                entry(MONTHLY_SAVINGS_AT_LIST, col(WINDOW_SAVINGS_AT_LIST).multiply(monthly)),
                entry(
                    EVIDENCE,
                    struct(
                        lit("idle stretches of at least "
                                + minutes
                                + " minutes (all of its GPUs idle) while its pods hold GPUs; savings = their whole cost")
                            .as(RULE),
                        col(STREAKS).as("idle_stretches"),
                        hours(col(LONGEST_STREAK_SECONDS)).as("longest_idle_stretch_hours"),
                        hours(col("idle_seconds")).as("idle_hours_held"),
                        round(col(WINDOW_SAVINGS), 2).as("window_cost_of_idle_stretches"))),
                entry(
                    ACTION,
                    concat(
                        lit("Release GPUs when "),
                        col(WORKLOAD_KIND),
                        lit(" "),
                        col(NAMESPACE),
                        lit("/"),
                        col(WORKLOAD_NAME),
                        lit(
                            " stops computing: end pods at completion (ttlSecondsAfterFinished), checkpoint-and-exit, or queue with Kueue instead of holding GPUs idle"))),
                entry(PATCH, patch)));
  }

  Dataset<Row> rightsizeReplicas(WorkloadSeconds seconds, double monthly) {
    Column need = ceil(col(WorkloadSeconds.DEMAND).divide(settings.targetActivity()));
    String id = WorkloadSeconds.WORKLOAD_ID;
    Dataset<Row> inference = seconds.ofType(seconds.seconds(), WorkloadSeconds.REPLICATED_TYPE);
    Dataset<Row> perWorkload =
        inference
            .groupBy(id)
            .agg(
                max(WorkloadSeconds.PODS).as(MAX_REPLICAS),
                sum(WorkloadSeconds.MONEY).as(COST),
                sum(WorkloadSeconds.MONEY_LIST).as(COST_LIST),
                SmallDistinctCount.of(WorkloadSeconds.DATE).as(DAYS_TRIGGERED))
            .join(
                new SecondsPercentile()
                    .add(R, col(WorkloadSeconds.PODS), 0.5)
                    .add(P95_NEED, need, 0.95)
                    .add(P95_DEMAND, col(WorkloadSeconds.DEMAND), 0.95)
                    .of(inference, new String[] {id}),
                id);
    Dataset<Row> stats =
        seconds
            .named(perWorkload)
            .withColumns(
                OrderedColumns.of(
                    entry(R, col(R).cast("long")), entry(P95_NEED, col(P95_NEED).cast("long"))))
            .withColumn(R_PRIME, greatest(lit((long) settings.minReplicas()), col(P95_NEED)));
    Column share = col(R).minus(col(R_PRIME)).divide(col(R));
    return stats
        .where(col(R).geq(2).and(col(R_PRIME).lt(col(R))))
        .withColumns(
            OrderedColumns.of(
                entry(KIND, lit(RecommendationKind.RIGHTSIZE_INFERENCE_REPLICAS.name())),
                entry(MONTHLY_SAVINGS, col(COST).multiply(share).multiply(monthly)),
                entry(MONTHLY_SAVINGS_AT_LIST, col(COST_LIST).multiply(share).multiply(monthly)),
                entry(
                    EVIDENCE,
                    struct(
                        lit("R = median pods holding a GPU over seconds with any; demand d(t) = sum of activity of its GPUs; R' = max(min_replicas, p95 of ceil(d(t) / "
                                + settings.targetActivity()
                                + ")); savings = (R - R') / R x its cost")
                            .as(RULE),
                        col(R).as("replicas_median"),
                        col(MAX_REPLICAS),
                        round(col(P95_DEMAND), 4).as(P95_DEMAND),
                        col(P95_NEED).as("p95_replicas_needed"),
                        col(R_PRIME).as("recommended_replicas"),
                        lit(settings.targetActivity()).as("target_activity"),
                        round(col(COST), 2).as(WINDOW_COST))),
                entry(
                    ACTION,
                    concat(
                        lit("Set replicas / HPA minReplicas of "),
                        col(WORKLOAD_KIND),
                        lit(" "),
                        col(NAMESPACE),
                        lit("/"),
                        col(WORKLOAD_NAME),
                        lit(" from "),
                        col(R),
                        lit(" to "),
                        col(R_PRIME))),
                entry(
                    PATCH,
                    concat(
                        lit("apiVersion: apps/v1\nkind: "),
                        col(WORKLOAD_KIND),
                        lit("\nmetadata:\n  name: "),
                        col(WORKLOAD_NAME),
                        lit("\n  namespace: "),
                        col(NAMESPACE),
                        lit("\nspec:\n  replicas: "),
                        col(R_PRIME),
                        lit(
                            "\n---\n# or, with an autoscaler\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nspec:\n  minReplicas: "),
                        col(R_PRIME),
                        lit("\n")))));
  }

  Dataset<Row> rightsizeGpu(WorkloadSeconds seconds, double monthly) {
    String id = WorkloadSeconds.WORKLOAD_ID;
    Dataset<Row> candidates =
        seconds
            .seconds()
            .groupBy(id)
            .agg(
                max(WorkloadSeconds.ANY_MIG).as(WorkloadSeconds.ANY_MIG),
                max(WorkloadSeconds.MAX_MIG_MODEL).as(WorkloadSeconds.MAX_MIG_MODEL),
                min(WorkloadSeconds.MIN_MIG_MODEL).as(WorkloadSeconds.MIN_MIG_MODEL),
                sum(WorkloadSeconds.MONEY).as(COST),
                sum(WorkloadSeconds.MONEY_LIST).as(COST_LIST),
                SmallDistinctCount.of(WorkloadSeconds.DATE).as(DAYS_TRIGGERED))
            // Whole GPUs only, all of one MIG-capable model: the highest and the lowest model code
            // are the same, and not 0 (another model).
            .where(
                col(WorkloadSeconds.ANY_MIG)
                    .equalTo(0)
                    .and(
                        col(WorkloadSeconds.MAX_MIG_MODEL)
                            .equalTo(col(WorkloadSeconds.MIN_MIG_MODEL)))
                    .and(col(WorkloadSeconds.MIN_MIG_MODEL).gt(0)))
            .withColumn(
                GpuSamples.GPU_MODEL,
                element_at(
                    lit(migModels(catalog).toArray(String[]::new)),
                    col(WorkloadSeconds.MAX_MIG_MODEL).cast("int")))
            .drop(WorkloadSeconds.MAX_MIG_MODEL, WorkloadSeconds.MIN_MIG_MODEL)
            // Held: it filters the seconds below and is joined to their percentiles, so it would be
            // aggregated twice.
            .transform(StageFrames::keep);
    // Percentiles only for the workloads that could move to MIG: whole GPUs of one MIG-capable
    // model.
    Dataset<Row> theirSeconds = seconds.seconds().join(candidates.select(id), id, "left_semi");
    Dataset<Row> stats =
        candidates.join(
            new SecondsPercentile()
                .add(P99_FB_USED_MIB, col(WorkloadSeconds.MAX_FB_USED_MIB), 0.99)
                .add(P95_ACTIVITY, col(WorkloadSeconds.MAX_ACTIVITY), 0.95)
                .of(theirSeconds, new String[] {id}),
            id);
    double margin = settings.migMargin();
    Dataset<Row> fits =
        stats
            .join(broadcast(migProfiles()), GpuSamples.GPU_MODEL)
            .where(
                col(P99_FB_USED_MIB)
                    .leq(col(PROFILE_MEMORY_MIB).multiply(margin))
                    .and(col(P95_ACTIVITY).leq(col(K).divide(col(SLICES)).multiply(margin))))
            .groupBy(id)
            .agg(min(struct(col(K), col(PROFILE_MEMORY_MIB), col(PROFILE), col(SLICES))).as(BEST));
    Column share = lit(1.0).minus(col("best.k").divide(col("best.slices")));
    return seconds
        .named(stats.join(fits, id))
        .where(col("best.k").lt(col("best.slices")))
        .withColumns(
            OrderedColumns.of(
                entry(KIND, lit(RecommendationKind.RIGHTSIZE_GPU.name())),
                entry(MONTHLY_SAVINGS, col(COST).multiply(share).multiply(monthly)),
                entry(MONTHLY_SAVINGS_AT_LIST, col(COST_LIST).multiply(share).multiply(monthly)),
                entry(
                    EVIDENCE,
                    struct(
                        lit("smallest MIG profile k of the model with p99 FB used <= "
                                + margin
                                + " x its memory and p95 activity <= "
                                + margin
                                + " x k / slices (per second, the highest of its GPUs); savings = cost x (1 - k / slices)")
                            .as(RULE),
                        col(GpuSamples.GPU_MODEL),
                        round(col(P99_FB_USED_MIB), 1).as(P99_FB_USED_MIB),
                        round(col(P95_ACTIVITY), 4).as(P95_ACTIVITY),
                        col("best.profile").as("mig_profile"),
                        col("best.profile_memory_mib").as(PROFILE_MEMORY_MIB),
                        col("best.k").as("compute_slices"),
                        col("best.slices").as("slices_per_gpu"),
                        round(col(COST), 2).as(WINDOW_COST))),
                entry(
                    ACTION,
                    concat(
                        lit("Request nvidia.com/mig-"),
                        col("best.profile"),
                        lit(" instead of nvidia.com/gpu for "),
                        col(WORKLOAD_KIND),
                        lit(" "),
                        col(NAMESPACE),
                        lit("/"),
                        col(WORKLOAD_NAME))),
                entry(
                    PATCH,
                    concat(
                        lit(
                            "# container resources (replaces nvidia.com/gpu)\nresources:\n  limits:\n    nvidia.com/mig-"),
                        col("best.profile"),
                        lit(": 1\n")))))
        .drop(BEST);
  }

  Dataset<Row> consolidateUnallocated(
      Dataset<Row> gpuHourly, Dataset<Row> billing, double monthly) {
    Dataset<Row> rows =
        gpuHourly
            .join(
                broadcast(UnitHourRates.listFactors(billing)),
                new String[] {GpuHourlyTable.INSTANCE_ID, GpuHourlyTable.HOUR},
                "left")
            .withColumn(LIST_FACTOR, coalesce(col(LIST_FACTOR), lit(1.0)));
    Column billedSeconds =
        col(GpuHourlyTable.STATE_SECONDS_ACTIVE)
            .plus(col(GpuHourlyTable.STATE_SECONDS_IDLE))
            .plus(col(GpuHourlyTable.STATE_SECONDS_UNALLOCATED))
            .plus(col(GpuHourlyTable.STATE_SECONDS_UNOBSERVED));
    Dataset<Row> hourly =
        rows.groupBy(GpuHourlyTable.CLUSTER, GpuHourlyTable.NODE, GpuHourlyTable.HOUR)
            .agg(
                SmallDistinctCount.of(
                        when(col(GpuHourlyTable.POD).isNotNull(), col(GpuHourlyTable.GPU_UUID)))
                    .as(ALLOCATED_GPUS));
    Dataset<Row> p95 =
        hourly
            .groupBy(GpuHourlyTable.CLUSTER, GpuHourlyTable.NODE)
            .agg(
                percentile_approx(
                        col(ALLOCATED_GPUS), lit(0.95), lit(PercentileAccuracy.EXACT_OVER_HOURS))
                    .as(P95_ALLOCATED_GPUS));
    Dataset<Row> nodes =
        rows.where(col(GpuHourlyTable.NODE).isNotNull())
            .groupBy(GpuHourlyTable.CLUSTER, GpuHourlyTable.NODE)
            .agg(
                max(GpuHourlyTable.INSTANCE_TYPE).as(INSTANCE_TYPE),
                sum(GpuHourlyTable.STATE_SECONDS_UNALLOCATED).as(UNALLOCATED_SECONDS),
                sum(billedSeconds).as(BILLED_SECONDS),
                sum(GpuHourlyTable.UNALLOCATED_COST).as(COST),
                sum(col(GpuHourlyTable.UNALLOCATED_COST).multiply(col(LIST_FACTOR))).as(COST_LIST),
                SmallDistinctCount.of(
                        when(
                            col(GpuHourlyTable.UNALLOCATED_COST).gt(COST_TOLERANCE),
                            col(GpuHourlyTable.DATE)))
                    .as(DAYS_TRIGGERED),
                SmallDistinctCount.of(GpuHourlyTable.GPU_UUID).as(GPUS))
            .join(p95, new String[] {GpuHourlyTable.CLUSTER, GpuHourlyTable.NODE}, "left")
            .withColumn(
                UNALLOCATED_SHARE,
                when(
                        col(BILLED_SECONDS).gt(0),
                        col(UNALLOCATED_SECONDS).divide(col(BILLED_SECONDS)))
                    .otherwise(0.0));
    return nodes
        .where(col(UNALLOCATED_SHARE).geq(settings.minUnallocatedShare()))
        .withColumns(
            OrderedColumns.of(
                entry(KIND, lit(RecommendationKind.CONSOLIDATE_UNALLOCATED.name())),
                entry(MONTHLY_SAVINGS, col(COST).multiply(monthly)),
                entry(MONTHLY_SAVINGS_AT_LIST, col(COST_LIST).multiply(monthly)),
                entry(
                    EVIDENCE,
                    struct(
                        lit("unallocated share of the node's billed GPU time >= "
                                + settings.minUnallocatedShare()
                                + "; savings = its unallocated cost; N = p95 over hours of GPUs held")
                            .as(RULE),
                        round(col(UNALLOCATED_SHARE), 4).as(UNALLOCATED_SHARE),
                        hours(col(UNALLOCATED_SECONDS)).as("unallocated_gpu_hours"),
                        hours(col(BILLED_SECONDS)).as("billed_gpu_hours"),
                        col(GPUS),
                        col(P95_ALLOCATED_GPUS),
                        round(col(COST), 2).as("window_unallocated_cost"))),
                entry(
                    ACTION,
                    concat(
                        lit("Bin-pack GPU pods off node "),
                        col(GpuHourlyTable.NODE),
                        lit(" ("),
                        col(GpuHourlyTable.INSTANCE_TYPE),
                        lit(", "),
                        col(GPUS),
                        lit(
                            " GPUs): Karpenter consolidationPolicy WhenEmptyOrUnderutilized and pod affinity, or a smaller instance with "),
                        col(P95_ALLOCATED_GPUS),
                        lit(" GPUs"))),
                entry(
                    PATCH,
                    lit(
                        "apiVersion: karpenter.sh/v1\nkind: NodePool\nspec:\n  disruption:\n    consolidationPolicy: WhenEmptyOrUnderutilized\n"
                            + "    consolidateAfter: 10m\n")),
                entry(NAMESPACE, lit(null).cast("string")),
                entry(WORKLOAD_KIND, lit(null).cast("string")),
                entry(WORKLOAD_NAME, lit(null).cast("string")),
                entry(WORKLOAD_TYPE, lit(null).cast("string")),
                entry(TEAM, lit(null).cast("string"))));
  }

  /**
   * On-demand floor per instance type and region: per hour of the window with any bill, the count of instances of
   * the type billed at on-demand rates (Spot, Savings Plan, Reserved and Mixed hours excluded); the floor is the
   * {@code floor_percentile} of those counts, an hour without any counting 0.
   */
  Dataset<Row> commitmentCoverage(Dataset<Row> billing) {
    Column onDemand = col(BillingHourly.PRICING_TERM).equalTo("OnDemand");
    Dataset<Row> hours = billing.select(BillingHourly.HOUR).distinct();
    Dataset<Row> types =
        billing
            .where(onDemand)
            .select(BillingHourly.INSTANCE_TYPE, BillingHourly.REGION)
            .distinct();
    Dataset<Row> counts =
        billing
            .where(onDemand)
            .groupBy(BillingHourly.INSTANCE_TYPE, BillingHourly.REGION, BillingHourly.HOUR)
            .agg(SmallDistinctCount.of(BillingHourly.INSTANCE_ID).as(INSTANCES));
    Dataset<Row> floors =
        types
            .crossJoin(hours)
            .join(
                counts,
                new String[] {
                  BillingHourly.INSTANCE_TYPE, BillingHourly.REGION, BillingHourly.HOUR
                },
                "left")
            .withColumn(INSTANCES, coalesce(col(INSTANCES), lit(0L)))
            .groupBy(BillingHourly.INSTANCE_TYPE, BillingHourly.REGION)
            .agg(
                percentile_approx(
                        col(INSTANCES),
                        lit(settings.floorPercentile()),
                        lit(PercentileAccuracy.EXACT_OVER_HOURS))
                    .as(FLOOR),
                max(INSTANCES).as(MAX_INSTANCES),
                count("*").as(HOURS));
    Dataset<Row> rates =
        billing
            .groupBy(BillingHourly.INSTANCE_TYPE, BillingHourly.REGION)
            .agg(
                sum(when(onDemand, col(BillingHourly.NODE_COST))).as(OD_COST),
                sum(when(onDemand, col(BillingHourly.USAGE_HOURS))).as(OD_HOURS),
                sum(when(
                        col(BillingHourly.PRICING_TERM).equalTo("SavingsPlan"),
                        col(BillingHourly.NODE_COST)))
                    .as(SP_COST),
                sum(when(
                        col(BillingHourly.PRICING_TERM).equalTo("SavingsPlan"),
                        col(BillingHourly.LIST_COST)))
                    .as(SP_LIST),
                SmallDistinctCount.of(when(onDemand, col(BillingHourly.DATE))).as(DAYS_TRIGGERED));
    Column seenDiscount =
        when(col(SP_LIST).gt(0), lit(1.0).minus(col(SP_COST).divide(col(SP_LIST))));
    Dataset<Row> priced =
        floors
            .join(rates, new String[] {BillingHourly.INSTANCE_TYPE, BillingHourly.REGION})
            .withColumns(
                OrderedColumns.of(
                    entry(OD_RATE, col(OD_COST).divide(col(OD_HOURS))),
                    entry(DISCOUNT, coalesce(seenDiscount, lit(settings.commitmentDiscount()))),
                    entry(
                        DISCOUNT_SOURCE,
                        when(
                                seenDiscount.isNotNull(),
                                lit("Savings Plan / list ratio seen in the bill"))
                            .otherwise(lit("commitment.discount")))))
            .withColumn(
                COMMIT_PER_HOUR,
                col(FLOOR).multiply(col(OD_RATE)).multiply(lit(1.0).minus(col(DISCOUNT))));
    Column savings =
        col(FLOOR).multiply(Periods.HOURS_PER_MONTH).multiply(col(OD_RATE)).multiply(col(DISCOUNT));
    return priced
        .where(col(FLOOR).geq(1))
        .withColumns(
            OrderedColumns.of(
                entry(KIND, lit(RecommendationKind.COMMITMENT_COVERAGE.name())),
                entry(MONTHLY_SAVINGS, savings),
                entry(MONTHLY_SAVINGS_AT_LIST, savings),
                entry(
                    EVIDENCE,
                    struct(
                        lit("on-demand floor = p"
                                + Math.round(settings.floorPercentile() * 100)
                                + " of hourly counts of on-demand-billed instances (Spot, SP and RI covered excluded); "
                                + "savings = floor x "
                                + Math.round(Periods.HOURS_PER_MONTH)
                                + " h x on-demand rate x discount")
                            .as(RULE),
                        col(FLOOR).as("on_demand_floor"),
                        col(MAX_INSTANCES).as("max_on_demand_instances"),
                        col(HOURS).as("hours_counted"),
                        round(col(OD_RATE), 4).as("on_demand_rate_per_hour"),
                        round(col(DISCOUNT), 4).as(DISCOUNT),
                        col(DISCOUNT_SOURCE),
                        round(col(COMMIT_PER_HOUR), 4).as(COMMIT_PER_HOUR))),
                entry(
                    ACTION,
                    concat(
                        lit("Commit "),
                        format_string("%.2f", col(COMMIT_PER_HOUR)),
                        lit("/h of Compute Savings Plan (1 year) to cover "),
                        col(FLOOR),
                        lit(" always-on on-demand "),
                        col(BillingHourly.INSTANCE_TYPE),
                        lit(" in "),
                        col(BillingHourly.REGION))),
                entry(PATCH, lit(null).cast("string")),
                entry(CLUSTER, lit(null).cast("string")),
                entry(NODE, lit(null).cast("string")),
                entry(NAMESPACE, lit(null).cast("string")),
                entry(WORKLOAD_KIND, lit(null).cast("string")),
                entry(WORKLOAD_NAME, lit(null).cast("string")),
                entry(WORKLOAD_TYPE, lit(null).cast("string")),
                entry(TEAM, lit(null).cast("string"))));
  }

  /** Subject, id, the savings threshold, confidence and the common evidence, for one kind's rows. */
  private Dataset<Row> finish(Dataset<Row> rows, Window window, Column subject) {
    Dataset<Row> r = rows;
    for (String c : new String[] {NODE, INSTANCE_TYPE}) {
      if (!Arrays.asList(r.columns()).contains(c)) {
        r = r.withColumn(c, lit(null).cast("string"));
      }
    }
    double coverage = window.daysWithData() / (double) window.days();
    Column steadiness = col(DAYS_TRIGGERED).divide((double) window.daysWithData());
    Column confidence =
        when(
                lit(coverage >= settings.highCoverage())
                    .and(steadiness.geq(settings.highSteadiness())),
                lit("high"))
            .when(
                lit(coverage >= settings.mediumCoverage())
                    .and(steadiness.geq(settings.mediumSteadiness())),
                lit("medium"))
            .otherwise(lit("low"));
    String rule =
        String.format(
            "high when >= %.0f%% of the window's days had data and the pattern showed on >= %.0f%% of them; "
                + "medium at %.0f%% / %.0f%%; else low",
            settings.highCoverage() * 100,
            settings.highSteadiness() * 100,
            settings.mediumCoverage() * 100,
            settings.mediumSteadiness() * 100);
    return r.withColumn(SUBJECT, subject)
        .withColumns(
            OrderedColumns.of(
                entry(
                    RECOMMENDATION_ID,
                    sha2(concat(col(KIND), lit("|"), col(SUBJECT)), 256).substr(1, 16)),
                entry(CONFIDENCE, confidence),
                entry(
                    EVIDENCE,
                    to_json(
                        struct(
                            col(EVIDENCE + ".*"),
                            round(col(MONTHLY_SAVINGS), 2).as("monthly_savings"),
                            lit(window.start().toString()).as("window_start"),
                            lit(window.end().toString()).as("window_end"),
                            lit(window.daysWithData()).as("days_with_data"),
                            col(DAYS_TRIGGERED).as("days_pattern_seen"),
                            struct(
                                    lit(Math.round(coverage * 1000) / 1000.0).as("coverage"),
                                    round(steadiness, 3).as("steadiness"),
                                    lit(rule).as(RULE))
                                .as("confidence"))))))
        .select(WorkloadSeconds.cols(Arrays.copyOf(OUTPUT, OUTPUT.length - 1)));
  }

  /**
   * The GPU models the catalog can split into MIG instances, in a fixed order: their positions are the {@link
   * WorkloadSeconds#MIG_MODEL} codes.
   */
  static List<String> migModels(InstanceCatalog catalog) {
    return catalog.allMigProfiles().stream()
        .map(InstanceCatalog.MigProfile::gpuModel)
        .filter(model -> catalog.migSlices(model) > 0)
        .distinct()
        .sorted()
        .toList();
  }

  private Dataset<Row> migProfiles() {
    List<Row> rows = new ArrayList<>();
    catalog
        .allMigProfiles()
        .forEach(
            p -> {
              int slices = catalog.migSlices(p.gpuModel());
              if (slices > 0) {
                rows.add(
                    RowFactory.create(
                        p.gpuModel(),
                        p.profile(),
                        p.computeSlices(),
                        (double) p.memoryMib(),
                        slices));
              }
            });
    StructType schema =
        new StructType()
            .add(GpuSamples.GPU_MODEL, DataTypes.StringType)
            .add(PROFILE, DataTypes.StringType)
            .add(K, DataTypes.IntegerType)
            .add(PROFILE_MEMORY_MIB, DataTypes.DoubleType)
            .add(SLICES, DataTypes.IntegerType);
    return spark.createDataFrame(rows, schema);
  }

  private static Column hours(Column seconds) {
    return round(seconds.divide((double) Periods.SECONDS_PER_HOUR), 3);
  }

  static StructType outputSchema() {
    StructType s = new StructType();
    for (String c : OUTPUT) {
      s = s.add(c, c.startsWith("monthly") ? DataTypes.DoubleType : DataTypes.StringType);
    }
    return s;
  }
}
