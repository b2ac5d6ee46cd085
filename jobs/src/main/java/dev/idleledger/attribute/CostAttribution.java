package dev.idleledger.attribute;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode_outer;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.idleledger.config.ChargebackLabels;
import dev.idleledger.config.GpuSharePolicy;
import dev.idleledger.config.InstanceCatalog;
import dev.idleledger.config.WorkloadClassifier;
import dev.idleledger.ingest.telemetry.HeldHours;
import dev.idleledger.model.UnitSecondMoney;
import dev.idleledger.model.WorkloadIdentity;
import dev.idleledger.spark.StageFrames;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The cost model (COST_MODEL.md §1–3) as one pure transform: silver samples, nodes, bills and pods of a
 * day in; {@code gpu_hourly} rows and the per-instance-hour reconciliation out.
 *
 * <p>Plan: the per-sample work is a few column expressions, one broadcast join to the (small) unit-hour
 * rate table, an explode of the holders (one row per sample for all but shared GPUs), and one aggregation
 * to (unit, hour, holder) whose map-side partial aggregation shrinks the data before the only big shuffle.
 *
 * <p>It reads nothing and writes nothing, and keeps no frame on its own: how the frames it reads more than once are
 * kept is the caller's {@link Keeping}, so the stage that runs it decides what is cached and when it is freed.
 */
public final class CostAttribution {
  /** Everything the arithmetic depends on besides the data. */
  public record Settings(
      LocalDate date,
      double activityThreshold,
      double memoryHeldThreshold,
      GpuSharePolicy share,
      InstanceCatalog catalog,
      WorkloadClassifier classifier,
      ChargebackLabels labels) {
    /** Without carried labels beyond the default {@code team}: for callers that test the arithmetic only. */
    public Settings(
        LocalDate date,
        double activityThreshold,
        double memoryHeldThreshold,
        GpuSharePolicy share,
        InstanceCatalog catalog,
        WorkloadClassifier classifier) {
      this(
          date,
          activityThreshold,
          memoryHeldThreshold,
          share,
          catalog,
          classifier,
          ChargebackLabels.of("attribution.labels", List.of("team")));
    }
  }

  /**
   * How the transform's frames that several actions read are kept.
   *
   * @param frames a frame of a few rows per unit, instance or hour (the unit-hour rates, the instances, gpu_hourly):
   *     {@link StageFrames#keep} computes each once and cuts its lineage, so no later action walks back to the samples
   * @param samples the classified per-sample frame, read by the unit-hours, gpu_hourly and the held samples; identity
   *     recomputes it from the samples for each (fine for a handful of rows), a cache reads the raw scan once
   */
  public record Keeping(UnaryOperator<Dataset<Row>> frames, UnaryOperator<Dataset<Row>> samples) {
    /** The small frames checkpointed, the per-sample frame recomputed where read: nothing for anyone to free. */
    public static final Keeping SMALL_FRAMES =
        new Keeping(StageFrames::keep, UnaryOperator.identity());
  }

  /**
   * @param gpuHourly rows of {@link GpuHourlyTable#SPEC}, kept as {@link Keeping#frames}: the rollups read them from here
   * @param instanceHours per GPU instance-hour: cluster, instance_id, hour, gpu_cost (what the GPUs cost by the
   *     bill, or by the catalog where no bill), attributed (Σ of gpu_hourly cost), price_source
   * @param heldSamples one row per (sample, holder) with workload identity, activity and state, for the
   *     per-second statistics of workloads (percentiles, idle streaks)
   * @param instances every instance of the day from kube state and the bill (a few rows per node): instance_id,
   *     cluster, node, instance_type, gpus (0 = not a GPU instance), gpus_seen, cat_gpus (null = not in the catalog)
   */
  public record Result(
      Dataset<Row> gpuHourly,
      Dataset<Row> instanceHours,
      Dataset<Row> heldSamples,
      Dataset<Row> instances) {}

  private static final String STATE = "state";

  private final SparkSession spark;
  private final Settings settings;
  private final Keeping keeping;

  /** With the small frames checkpointed and the per-sample frame not kept ({@link Keeping#SMALL_FRAMES}). */
  public CostAttribution(SparkSession spark, Settings settings) {
    this(spark, settings, Keeping.SMALL_FRAMES);
  }

  public CostAttribution(SparkSession spark, Settings settings, Keeping keeping) {
    this.spark = spark;
    this.settings = settings;
    this.keeping = keeping;
  }

  public Result attribute(
      Dataset<Row> samples, Dataset<Row> nodes, Dataset<Row> billing, Dataset<Row> pods) {
    Dataset<Row> catalog = CatalogFrames.instanceTypes(spark, settings.catalog(), settings.share());
    Dataset<Row> modelSlices = CatalogFrames.modelSlices(spark, settings.catalog());

    Dataset<Row> dayNodes =
        nodes
            .groupBy("cluster", "node")
            .agg(
                max("instance_id").as("instance_id"),
                max("instance_type").as("instance_type"),
                max("gpu_capacity").as("gpu_capacity"));

    Dataset<Row> withShare = GpuUnits.withSliceShare(samples, modelSlices);
    // The classified per-second samples feed the unit-hours, gpu_hourly and the workloads'
    // per-second statistics.
    // Handed to the keeping before the holders are exploded: the explode is a cheap narrow step,
    // and the frame stays
    // one row per sample and hour its hold covers (two rows only for a hold that crosses hh:00).
    Dataset<Row> observedSamples =
        classify(withShare, dayNodes, catalog)
            .unionByName(classify(GpuUnits.unconfiguredSamples(withShare), dayNodes, catalog), true)
            .transform(keeping.samples()::apply);

    // The frames below are a few rows per unit or instance but are each read by several of the
    // night's actions
    // (the gpu_hourly write, the reconciliation, the rollups).
    Dataset<Row> observedHours =
        GpuUnits.observedHours(observedSamples).transform(keeping.frames()::apply);
    Dataset<Row> unitsSeen = GpuUnits.seen(observedHours);
    Dataset<Row> billedInstances =
        billing.groupBy("instance_id").agg(max("instance_type").as("bill_instance_type"));
    Dataset<Row> instances =
        InstanceHourCost.instances(
                dayNodes,
                billedInstances,
                unitsSeen.where(
                    col("mig_profile")
                        .isNull()
                        .or(col("mig_profile").notEqual(GpuUnits.UNCONFIGURED))),
                catalog,
                CatalogFrames.shareForUnknownShape(settings.share()))
            .transform(keeping.frames()::apply);
    Dataset<Row> gpuInstances = InstanceHourCost.gpuInstances(instances);
    Dataset<Row> billedHours =
        InstanceHourCost.billedHours(billing, gpuInstances).transform(keeping.frames()::apply);

    Dataset<Row> units =
        GpuUnits.withInstance(
                unitsSeen,
                GpuUnits.unseen(gpuInstances),
                gpuInstances.select(
                    "cluster",
                    "node",
                    "instance_id",
                    "instance_type",
                    "gpus",
                    "gpu_share",
                    "cat_on_demand_hourly",
                    "cat_gpus"))
            .transform(keeping.frames()::apply);
    Dataset<Row> unitHours =
        UnitHourRate.compute(units, billedHours, GpuUnits.observedSeconds(observedHours))
            .transform(keeping.frames()::apply);

    // One row per (sample, holder) with its money: not kept, since it is a broadcast join and an
    // explode over the
    // samples, and gpu_hourly and the workloads' per-second statistics each read it once.
    Dataset<Row> held = allocate(observedSamples, unitHours);
    Dataset<Row> gpuHourly = gpuHourly(held, unitHours, pods).transform(keeping.frames()::apply);
    Dataset<Row> instanceHours = reconcile(gpuHourly, billedHours);
    // A held sample here is the part of a hold within one hour (ts = where that part begins): the
    // per-second
    // statistics read time in order, and the parts of a split hold follow each other without a gap.
    Dataset<Row> heldSamples =
        withWorkload(held.where(col("pod").isNotNull()), pods)
            .select(
                col("date"),
                col(HeldHours.HOUR_FROM).as("ts"),
                col("cluster"),
                col("node"),
                col("unit_id"),
                col("namespace"),
                col("pod"),
                col("workload_kind"),
                col("workload_name"),
                col("workload_type"),
                col("team"),
                col("activity"),
                col("fb_used_mib"),
                col("mem_fraction"),
                col(HeldHours.HOUR_SECONDS).as("hold_seconds"),
                col(STATE),
                col("gpu_model"),
                col("mig_profile"));
    return new Result(gpuHourly, instanceHours, heldSamples, instances);
  }

  /**
   * Node facts, activity, memory fraction and state of each sample, spread over the hours its hold covers
   * (COST_MODEL §2): from here on a row is the part of a sample's hold within one hour — {@code hour},
   * {@code hour_seconds} and {@code hour_from} (where that part begins) of {@link HeldHours#byHour}.
   */
  private Dataset<Row> classify(Dataset<Row> samples, Dataset<Row> dayNodes, Dataset<Row> catalog) {
    Column activity = GpuSecondState.activity();
    Dataset<Row> withType =
        HeldHours.byHour(samples)
            .drop("ts", "hold_seconds", HeldHours.NEXT_HOUR)
            .join(
                broadcast(dayNodes.select("cluster", "node", "instance_type")),
                new String[] {"cluster", "node"},
                "left");
    return CatalogFrames.withShape(
            withType, catalog.select(CatalogFrames.KEY, "cat_gpu_memory_mib"))
        .withColumn("activity", activity)
        .withColumn(
            "mem_fraction",
            GpuSecondState.memoryFraction(col("cat_gpu_memory_mib").multiply(col("slice_share"))))
        .withColumn(
            STATE,
            GpuSecondState.state(
                col("activity"),
                col("mem_fraction"),
                settings.activityThreshold(),
                settings.memoryHeldThreshold()))
        .drop("instance_type", "cat_gpu_memory_mib");
  }

  /** One row per (sample, hour, holder): each of |P| holders gets 1/|P| of the seconds and money of the hold's part in that hour. */
  private Dataset<Row> allocate(Dataset<Row> observedSamples, Dataset<Row> unitHours) {
    Dataset<Row> rates = unitHours.select("cluster", "unit_id", "hour", "rate");
    Column holders = greatest(size(col("holders")), lit(1)).cast("double");
    return observedSamples
        .join(broadcast(rates), new String[] {"cluster", "unit_id", "hour"}, "left")
        .withColumn(
            "money",
            UnitSecondMoney.perHolder(col("rate"), col(HeldHours.HOUR_SECONDS), col("holders")))
        // GPU-equivalent seconds: each holder's share of the unit's share of the GPU.
        .withColumn(
            "eq_seconds",
            col(HeldHours.HOUR_SECONDS)
                .multiply(col("slice_share"))
                .multiply(lit(1.0).divide(holders)))
        .withColumn("holder", explode_outer(col("holders")))
        .withColumn("namespace", col("holder.namespace"))
        .withColumn("pod", col("holder.pod"))
        .drop("holder", "holders");
  }

  private Dataset<Row> gpuHourly(Dataset<Row> held, Dataset<Row> unitHours, Dataset<Row> pods) {
    Column allocated = col(STATE).notEqual(GpuSecondState.UNALLOCATED);
    Column idle = col(STATE).isin(GpuSecondState.IDLE, GpuSecondState.IDLE_MEMORY_HELD);
    Dataset<Row> observed =
        held.groupBy("cluster", "unit_id", "hour", "namespace", "pod")
            .agg(
                sumWhere(col(STATE).equalTo(GpuSecondState.ACTIVE), "eq_seconds")
                    .as("state_seconds_active"),
                sumWhere(idle, "eq_seconds").as("state_seconds_idle"),
                sumWhere(col(STATE).equalTo(GpuSecondState.IDLE_MEMORY_HELD), "eq_seconds")
                    .as("state_seconds_idle_memory_held"),
                sumWhere(col(STATE).equalTo(GpuSecondState.UNALLOCATED), "eq_seconds")
                    .as("state_seconds_unallocated"),
                lit(0.0).as("state_seconds_unobserved"),
                sum(when(col("activity").isNotNull(), col("activity").multiply(col("eq_seconds"))))
                    .as("activity_seconds"),
                sum(when(col("activity").isNotNull(), col("eq_seconds"))).as("activity_weight"),
                max("activity").as("max_activity"),
                max("fb_used_mib").as("max_fb_used_mib"),
                sumWhere(col(STATE).equalTo(GpuSecondState.ACTIVE), "money").as("active_cost"),
                sumWhere(idle, "money").as("idle_cost"),
                sumWhere(col(STATE).equalTo(GpuSecondState.IDLE_MEMORY_HELD), "money")
                    .as("idle_memory_held_cost"),
                sumWhere(col(STATE).equalTo(GpuSecondState.UNALLOCATED), "money")
                    .as("unallocated_cost"),
                lit(0.0).as("unobserved_cost"),
                sum(when(
                        allocated,
                        col("money").multiply(lit(1.0).minus(coalesce(col("activity"), lit(0.0))))))
                    .as("unused_capacity_cost"));

    // Billed time without telemetry lands on the unit's no-holder row.
    Dataset<Row> unobserved =
        unitHours
            .where(col("unobserved_seconds").gt(0))
            .select(
                col("cluster"),
                col("unit_id"),
                col("hour"),
                lit(null).cast("string").as("namespace"),
                lit(null).cast("string").as("pod"),
                lit(0.0).as("state_seconds_active"),
                lit(0.0).as("state_seconds_idle"),
                lit(0.0).as("state_seconds_idle_memory_held"),
                lit(0.0).as("state_seconds_unallocated"),
                col("unobserved_seconds")
                    .multiply(col("slice_share"))
                    .as("state_seconds_unobserved"),
                lit(null).cast("double").as("activity_seconds"),
                lit(null).cast("double").as("activity_weight"),
                lit(null).cast("double").as("max_activity"),
                lit(null).cast("double").as("max_fb_used_mib"),
                lit(0.0).as("active_cost"),
                lit(0.0).as("idle_cost"),
                lit(0.0).as("idle_memory_held_cost"),
                lit(0.0).as("unallocated_cost"),
                UnitSecondMoney.of(col("rate"), col("unobserved_seconds")).as("unobserved_cost"),
                lit(null).cast("double").as("unused_capacity_cost"));

    Dataset<Row> combined =
        observed
            .unionByName(unobserved)
            .groupBy("cluster", "unit_id", "hour", "namespace", "pod")
            .agg(
                sum("state_seconds_active").as("state_seconds_active"),
                sum("state_seconds_idle").as("state_seconds_idle"),
                sum("state_seconds_idle_memory_held").as("state_seconds_idle_memory_held"),
                sum("state_seconds_unallocated").as("state_seconds_unallocated"),
                sum("state_seconds_unobserved").as("state_seconds_unobserved"),
                sum("activity_seconds").as("activity_seconds"),
                sum("activity_weight").as("activity_weight"),
                max("max_activity").as("max_activity"),
                max("max_fb_used_mib").as("max_fb_used_mib"),
                sum("active_cost").as("active_cost"),
                sum("idle_cost").as("idle_cost"),
                sum("idle_memory_held_cost").as("idle_memory_held_cost"),
                sum("unallocated_cost").as("unallocated_cost"),
                sum("unobserved_cost").as("unobserved_cost"),
                sum("unused_capacity_cost").as("unused_capacity_cost"));

    Dataset<Row> unitFacts =
        unitHours.select(
            col("cluster"),
            col("unit_id"),
            col("hour"),
            col("node"),
            col("instance_id"),
            col("instance_type"),
            col("gpu_uuid"),
            col("gpu_model"),
            col("mig_profile"),
            col("mig_instance_id"),
            col("slice_share"),
            col("rate").as(GpuHourlyTable.RATE_PER_SECOND),
            col("price_source"),
            col("currency"));
    Dataset<Row> rows =
        combined
            .join(broadcast(unitFacts), new String[] {"cluster", "unit_id", "hour"}, "left")
            .withColumn("date", lit(Date.valueOf(settings.date())))
            .withColumn(
                "avg_activity",
                when(
                    col("activity_weight").gt(0),
                    col("activity_seconds").divide(col("activity_weight"))))
            .withColumn("unused_capacity_cost", coalesce(col("unused_capacity_cost"), lit(0.0)))
            .withColumn(
                "cost",
                col("active_cost")
                    .plus(col("idle_cost"))
                    .plus(col("unallocated_cost"))
                    .plus(col("unobserved_cost")));
    return withWorkload(rows, pods);
  }

  /** Workload identity of the holder pod, and its carried labels (none on a row nobody held; none known: an empty map). */
  private Dataset<Row> withWorkload(Dataset<Row> rows, Dataset<Row> pods) {
    return WorkloadIdentity.of(
        rows,
        pods,
        settings.classifier(),
        List.of(
            new WorkloadIdentity.Carried(
                "labels",
                CarriedLabels.of(settings.labels(), col("labels")),
                map().cast("map<string,string>"))));
  }

  /**
   * Conservation per instance-hour: what the GPUs cost by the bill (node_cost × share) against the money on
   * gpu_hourly rows. Hours priced from the catalog have no bill to hold them to; they carry their attributed money.
   */
  private static Dataset<Row> reconcile(Dataset<Row> gpuHourly, Dataset<Row> billedHours) {
    Dataset<Row> attributed =
        gpuHourly
            .groupBy(
                col("cluster"),
                coalesce(col("instance_id"), col("node")).as("instance_id"),
                col("hour"))
            .agg(
                sum("cost").as("attributed"),
                max("price_source").as("price_source"),
                max("currency").as("row_currency"));
    return attributed
        .join(
            billedHours.select(
                col("instance_id"), col("hour"), col("gpu_cost_total"), col("currency")),
            new String[] {"instance_id", "hour"},
            "full_outer")
        .withColumn("cluster", coalesce(col("cluster"), lit(InstanceHourCost.UNATTRIBUTED_CLUSTER)))
        .withColumn("attributed", coalesce(col("attributed"), lit(0.0)))
        .withColumn("gpu_cost", coalesce(col("gpu_cost_total"), col("attributed")))
        .withColumn(
            "price_source",
            when(col("gpu_cost_total").isNotNull(), lit(UnitHourRate.BILL))
                .otherwise(col("price_source")))
        .withColumn("currency", coalesce(col("currency"), col("row_currency")))
        .select(
            "cluster", "instance_id", "hour", "gpu_cost", "attributed", "price_source", "currency");
  }

  private static Column sumWhere(Column condition, String column) {
    return coalesce(sum(when(condition, col(column))), lit(0.0));
  }
}
