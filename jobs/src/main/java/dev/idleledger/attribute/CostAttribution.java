package dev.idleledger.attribute;

import static dev.idleledger.attribute.GpuHourlyTable.ACTIVE_COST;
import static dev.idleledger.attribute.GpuHourlyTable.AVG_ACTIVITY;
import static dev.idleledger.attribute.GpuHourlyTable.CLUSTER;
import static dev.idleledger.attribute.GpuHourlyTable.COST;
import static dev.idleledger.attribute.GpuHourlyTable.CURRENCY;
import static dev.idleledger.attribute.GpuHourlyTable.DATE;
import static dev.idleledger.attribute.GpuHourlyTable.GPU_MODEL;
import static dev.idleledger.attribute.GpuHourlyTable.GPU_UUID;
import static dev.idleledger.attribute.GpuHourlyTable.HOUR;
import static dev.idleledger.attribute.GpuHourlyTable.IDLE_COST;
import static dev.idleledger.attribute.GpuHourlyTable.IDLE_MEMORY_HELD_COST;
import static dev.idleledger.attribute.GpuHourlyTable.INSTANCE_ID;
import static dev.idleledger.attribute.GpuHourlyTable.INSTANCE_TYPE;
import static dev.idleledger.attribute.GpuHourlyTable.LABELS;
import static dev.idleledger.attribute.GpuHourlyTable.MAX_ACTIVITY;
import static dev.idleledger.attribute.GpuHourlyTable.MAX_FB_USED_MIB;
import static dev.idleledger.attribute.GpuHourlyTable.MIG_INSTANCE_ID;
import static dev.idleledger.attribute.GpuHourlyTable.MIG_PROFILE;
import static dev.idleledger.attribute.GpuHourlyTable.NAMESPACE;
import static dev.idleledger.attribute.GpuHourlyTable.NODE;
import static dev.idleledger.attribute.GpuHourlyTable.POD;
import static dev.idleledger.attribute.GpuHourlyTable.PRICE_SOURCE;
import static dev.idleledger.attribute.GpuHourlyTable.RATE_PER_SECOND;
import static dev.idleledger.attribute.GpuHourlyTable.SLICE_SHARE;
import static dev.idleledger.attribute.GpuHourlyTable.STATE_SECONDS_ACTIVE;
import static dev.idleledger.attribute.GpuHourlyTable.STATE_SECONDS_IDLE;
import static dev.idleledger.attribute.GpuHourlyTable.STATE_SECONDS_IDLE_MEMORY_HELD;
import static dev.idleledger.attribute.GpuHourlyTable.STATE_SECONDS_UNALLOCATED;
import static dev.idleledger.attribute.GpuHourlyTable.STATE_SECONDS_UNOBSERVED;
import static dev.idleledger.attribute.GpuHourlyTable.TEAM;
import static dev.idleledger.attribute.GpuHourlyTable.UNALLOCATED_COST;
import static dev.idleledger.attribute.GpuHourlyTable.UNIT_ID;
import static dev.idleledger.attribute.GpuHourlyTable.UNOBSERVED_COST;
import static dev.idleledger.attribute.GpuHourlyTable.UNUSED_CAPACITY_COST;
import static dev.idleledger.attribute.GpuHourlyTable.WORKLOAD_KIND;
import static dev.idleledger.attribute.GpuHourlyTable.WORKLOAD_NAME;
import static dev.idleledger.attribute.GpuHourlyTable.WORKLOAD_TYPE;
import static java.util.Map.entry;
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
import dev.idleledger.ingest.SilverTables.BillingHourly;
import dev.idleledger.ingest.SilverTables.GpuSamples;
import dev.idleledger.ingest.SilverTables.NodeInfo;
import dev.idleledger.ingest.telemetry.HeldHours;
import dev.idleledger.model.UnitSecondMoney;
import dev.idleledger.model.WorkloadIdentity;
import dev.idleledger.spark.OrderedColumns;
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
  /** Activity of a sample (GpuSecondState#activity), 0-1; null when not reported. */
  private static final String ACTIVITY = "activity";

  /** Σ activity × GPU-equivalent seconds, the numerator of avg_activity. */
  private static final String ACTIVITY_SECONDS = "activity_seconds";

  /** GPU-equivalent seconds with a known activity, the denominator of avg_activity. */
  private static final String ACTIVITY_WEIGHT = "activity_weight";

  /** Σ gpu_hourly cost of an instance-hour (the reconciliation). */
  private static final String ATTRIBUTED = "attributed";

  /** GPU-equivalent seconds of a (sample, hour, holder): the unit share divided by the holders. */
  private static final String EQ_SECONDS = "eq_seconds";

  /** What the GPUs of a billed instance-hour cost by the bill (InstanceHourCost#billedHours). */
  private static final String GPU_COST_TOTAL = "gpu_cost_total";

  /** One exploded element of the sample holders. */
  private static final String HOLDER = "holder";

  /** Framebuffer used / total of a sample (GpuSecondState#memoryFraction). */
  private static final String MEM_FRACTION = "mem_fraction";

  /** Money per second of a unit-hour (UnitHourRate). */
  private static final String RATE = "rate";

  /** Currency of the gpu_hourly rows of an instance-hour, for hours no bill covers. */
  private static final String ROW_CURRENCY = "row_currency";

  /** Billed seconds of a unit-hour that no telemetry covers (UnitHourRate). */
  private static final String UNOBSERVED_SECONDS = "unobserved_seconds";

  /** What the GPUs of an instance-hour cost: by the bill, or the attributed money where no bill. */
  private static final String GPU_COST = "gpu_cost";

  /** Money of a (sample, hour, holder). */
  private static final String MONEY = "money";

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
            .groupBy(NodeInfo.CLUSTER, NodeInfo.NODE)
            .agg(
                max(NodeInfo.INSTANCE_ID).as(INSTANCE_ID),
                max(NodeInfo.INSTANCE_TYPE).as(INSTANCE_TYPE),
                max(NodeInfo.GPU_CAPACITY).as(NodeInfo.GPU_CAPACITY));

    Dataset<Row> withShare = GpuUnits.withSliceShare(samples, modelSlices);
    // The classified per-second samples feed the unit-hours, gpu_hourly and the workloads'
    // per-second statistics. Handed to the keeping before the holders are exploded: the explode is
    // a cheap narrow step, and the frame stays one row per sample and hour its hold covers (two
    // rows only for a hold that crosses hh:00).
    Dataset<Row> observedSamples =
        classify(withShare, dayNodes, catalog)
            .unionByName(classify(GpuUnits.unconfiguredSamples(withShare), dayNodes, catalog), true)
            .transform(keeping.samples()::apply);

    // The frames below are a few rows per unit or instance but are each read by several of the
    // night's actions (the gpu_hourly write, the reconciliation, the rollups).
    Dataset<Row> observedHours =
        GpuUnits.observedHours(observedSamples).transform(keeping.frames()::apply);
    Dataset<Row> unitsSeen = GpuUnits.seen(observedHours);
    Dataset<Row> billedInstances =
        billing
            .groupBy(BillingHourly.INSTANCE_ID)
            .agg(max(BillingHourly.INSTANCE_TYPE).as("bill_instance_type"));
    Dataset<Row> instances =
        InstanceHourCost.instances(
                dayNodes,
                billedInstances,
                unitsSeen.where(
                    col(MIG_PROFILE).isNull().or(col(MIG_PROFILE).notEqual(GpuUnits.UNCONFIGURED))),
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
                    CLUSTER,
                    NODE,
                    INSTANCE_ID,
                    INSTANCE_TYPE,
                    "gpus",
                    "gpu_share",
                    "cat_on_demand_hourly",
                    "cat_gpus"))
            .transform(keeping.frames()::apply);
    Dataset<Row> unitHours =
        UnitHourRate.compute(units, billedHours, GpuUnits.observedSeconds(observedHours))
            .transform(keeping.frames()::apply);

    // One row per (sample, holder) with its money: not kept, since it is a broadcast join and an
    // explode over the samples, and gpu_hourly and the workloads' per-second statistics each read
    // it once.
    Dataset<Row> held = allocate(observedSamples, unitHours);
    Dataset<Row> gpuHourly = gpuHourly(held, unitHours, pods).transform(keeping.frames()::apply);
    Dataset<Row> instanceHours = reconcile(gpuHourly, billedHours);
    // A held sample here is the part of a hold within one hour (ts = where that part begins): the
    // per-second statistics read time in order, and the parts of a split hold follow each other
    // without a gap.
    Dataset<Row> heldSamples =
        withWorkload(held.where(col(POD).isNotNull()), pods)
            .select(
                col(DATE),
                col(HeldHours.HOUR_FROM).as(GpuSamples.TS),
                col(CLUSTER),
                col(NODE),
                col(UNIT_ID),
                col(NAMESPACE),
                col(POD),
                col(WORKLOAD_KIND),
                col(WORKLOAD_NAME),
                col(WORKLOAD_TYPE),
                col(TEAM),
                col(ACTIVITY),
                col(GpuSamples.FB_USED_MIB),
                col(MEM_FRACTION),
                col(HeldHours.HOUR_SECONDS).as(GpuSamples.HOLD_SECONDS),
                col(STATE),
                col(GPU_MODEL),
                col(MIG_PROFILE))
            // A day without samples: the rollup's per-second statistics join two aggregates of
            // this frame, which then resolve against a plain leaf.
            .transform(StageFrames::emptyAsLeaf);
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
            .drop(GpuSamples.TS, GpuSamples.HOLD_SECONDS, HeldHours.NEXT_HOUR)
            .join(
                broadcast(dayNodes.select(CLUSTER, NODE, INSTANCE_TYPE)),
                new String[] {CLUSTER, NODE},
                "left");
    return CatalogFrames.withShape(
            withType, catalog.select(CatalogFrames.KEY, "cat_gpu_memory_mib"))
        .withColumns(
            OrderedColumns.of(
                entry(ACTIVITY, activity),
                entry(
                    MEM_FRACTION,
                    GpuSecondState.memoryFraction(
                        col("cat_gpu_memory_mib").multiply(col(SLICE_SHARE))))))
        // A step of its own: the state reads both.
        .withColumn(
            STATE,
            GpuSecondState.state(
                col(ACTIVITY),
                col(MEM_FRACTION),
                settings.activityThreshold(),
                settings.memoryHeldThreshold()))
        .drop(INSTANCE_TYPE, "cat_gpu_memory_mib");
  }

  /** One row per (sample, hour, holder): each of |P| holders gets 1/|P| of the seconds and money of the hold's part in that hour. */
  private Dataset<Row> allocate(Dataset<Row> observedSamples, Dataset<Row> unitHours) {
    Dataset<Row> rates = unitHours.select(CLUSTER, UNIT_ID, HOUR, RATE);
    Column holders = greatest(size(col(GpuSamples.HOLDERS)), lit(1)).cast("double");
    return observedSamples
        .join(broadcast(rates), new String[] {CLUSTER, UNIT_ID, HOUR}, "left")
        .withColumns(
            OrderedColumns.of(
                entry(
                    MONEY,
                    UnitSecondMoney.perHolder(
                        col(RATE), col(HeldHours.HOUR_SECONDS), col(GpuSamples.HOLDERS))),
                // GPU-equivalent seconds: each holder's share of the unit's share of the GPU.
                entry(
                    EQ_SECONDS,
                    col(HeldHours.HOUR_SECONDS)
                        .multiply(col(SLICE_SHARE))
                        .multiply(lit(1.0).divide(holders)))))
        .withColumn(HOLDER, explode_outer(col(GpuSamples.HOLDERS)))
        .withColumns(
            OrderedColumns.of(
                entry(NAMESPACE, col("holder.namespace")), entry(POD, col("holder.pod"))))
        .drop(HOLDER, GpuSamples.HOLDERS);
  }

  private Dataset<Row> gpuHourly(Dataset<Row> held, Dataset<Row> unitHours, Dataset<Row> pods) {
    Column allocated = col(STATE).notEqual(GpuSecondState.UNALLOCATED);
    Column idle = col(STATE).isin(GpuSecondState.IDLE, GpuSecondState.IDLE_MEMORY_HELD);
    Dataset<Row> observed =
        held.groupBy(CLUSTER, UNIT_ID, HOUR, NAMESPACE, POD)
            .agg(
                sumWhere(col(STATE).equalTo(GpuSecondState.ACTIVE), EQ_SECONDS)
                    .as(STATE_SECONDS_ACTIVE),
                sumWhere(idle, EQ_SECONDS).as(STATE_SECONDS_IDLE),
                sumWhere(col(STATE).equalTo(GpuSecondState.IDLE_MEMORY_HELD), EQ_SECONDS)
                    .as(STATE_SECONDS_IDLE_MEMORY_HELD),
                sumWhere(col(STATE).equalTo(GpuSecondState.UNALLOCATED), EQ_SECONDS)
                    .as(STATE_SECONDS_UNALLOCATED),
                lit(0.0).as(STATE_SECONDS_UNOBSERVED),
                sum(when(col(ACTIVITY).isNotNull(), col(ACTIVITY).multiply(col(EQ_SECONDS))))
                    .as(ACTIVITY_SECONDS),
                sum(when(col(ACTIVITY).isNotNull(), col(EQ_SECONDS))).as(ACTIVITY_WEIGHT),
                max(ACTIVITY).as(MAX_ACTIVITY),
                max(GpuSamples.FB_USED_MIB).as(MAX_FB_USED_MIB),
                sumWhere(col(STATE).equalTo(GpuSecondState.ACTIVE), MONEY).as(ACTIVE_COST),
                sumWhere(idle, MONEY).as(IDLE_COST),
                sumWhere(col(STATE).equalTo(GpuSecondState.IDLE_MEMORY_HELD), MONEY)
                    .as(IDLE_MEMORY_HELD_COST),
                sumWhere(col(STATE).equalTo(GpuSecondState.UNALLOCATED), MONEY)
                    .as(UNALLOCATED_COST),
                lit(0.0).as(UNOBSERVED_COST),
                sum(when(
                        allocated,
                        col(MONEY).multiply(lit(1.0).minus(coalesce(col(ACTIVITY), lit(0.0))))))
                    .as(UNUSED_CAPACITY_COST));

    // Billed time without telemetry lands on the unit's no-holder row.
    Dataset<Row> unobserved =
        unitHours
            .where(col(UNOBSERVED_SECONDS).gt(0))
            .select(
                col(CLUSTER),
                col(UNIT_ID),
                col(HOUR),
                lit(null).cast("string").as(NAMESPACE),
                lit(null).cast("string").as(POD),
                lit(0.0).as(STATE_SECONDS_ACTIVE),
                lit(0.0).as(STATE_SECONDS_IDLE),
                lit(0.0).as(STATE_SECONDS_IDLE_MEMORY_HELD),
                lit(0.0).as(STATE_SECONDS_UNALLOCATED),
                col(UNOBSERVED_SECONDS).multiply(col(SLICE_SHARE)).as(STATE_SECONDS_UNOBSERVED),
                lit(null).cast("double").as(ACTIVITY_SECONDS),
                lit(null).cast("double").as(ACTIVITY_WEIGHT),
                lit(null).cast("double").as(MAX_ACTIVITY),
                lit(null).cast("double").as(MAX_FB_USED_MIB),
                lit(0.0).as(ACTIVE_COST),
                lit(0.0).as(IDLE_COST),
                lit(0.0).as(IDLE_MEMORY_HELD_COST),
                lit(0.0).as(UNALLOCATED_COST),
                UnitSecondMoney.of(col(RATE), col(UNOBSERVED_SECONDS)).as(UNOBSERVED_COST),
                lit(null).cast("double").as(UNUSED_CAPACITY_COST));

    Dataset<Row> combined =
        observed
            .unionByName(unobserved)
            .groupBy(CLUSTER, UNIT_ID, HOUR, NAMESPACE, POD)
            .agg(
                sum(STATE_SECONDS_ACTIVE).as(STATE_SECONDS_ACTIVE),
                sum(STATE_SECONDS_IDLE).as(STATE_SECONDS_IDLE),
                sum(STATE_SECONDS_IDLE_MEMORY_HELD).as(STATE_SECONDS_IDLE_MEMORY_HELD),
                sum(STATE_SECONDS_UNALLOCATED).as(STATE_SECONDS_UNALLOCATED),
                sum(STATE_SECONDS_UNOBSERVED).as(STATE_SECONDS_UNOBSERVED),
                sum(ACTIVITY_SECONDS).as(ACTIVITY_SECONDS),
                sum(ACTIVITY_WEIGHT).as(ACTIVITY_WEIGHT),
                max(MAX_ACTIVITY).as(MAX_ACTIVITY),
                max(MAX_FB_USED_MIB).as(MAX_FB_USED_MIB),
                sum(ACTIVE_COST).as(ACTIVE_COST),
                sum(IDLE_COST).as(IDLE_COST),
                sum(IDLE_MEMORY_HELD_COST).as(IDLE_MEMORY_HELD_COST),
                sum(UNALLOCATED_COST).as(UNALLOCATED_COST),
                sum(UNOBSERVED_COST).as(UNOBSERVED_COST),
                sum(UNUSED_CAPACITY_COST).as(UNUSED_CAPACITY_COST));

    Dataset<Row> unitFacts =
        unitHours.select(
            col(CLUSTER),
            col(UNIT_ID),
            col(HOUR),
            col(NODE),
            col(INSTANCE_ID),
            col(INSTANCE_TYPE),
            col(GPU_UUID),
            col(GPU_MODEL),
            col(MIG_PROFILE),
            col(MIG_INSTANCE_ID),
            col(SLICE_SHARE),
            col(RATE).as(RATE_PER_SECOND),
            col(PRICE_SOURCE),
            col(CURRENCY));
    Dataset<Row> rows =
        combined
            .join(broadcast(unitFacts), new String[] {CLUSTER, UNIT_ID, HOUR}, "left")
            .withColumns(
                OrderedColumns.of(
                    entry(DATE, lit(Date.valueOf(settings.date()))),
                    entry(
                        AVG_ACTIVITY,
                        when(
                            col(ACTIVITY_WEIGHT).gt(0),
                            col(ACTIVITY_SECONDS).divide(col(ACTIVITY_WEIGHT)))),
                    entry(UNUSED_CAPACITY_COST, coalesce(col(UNUSED_CAPACITY_COST), lit(0.0))),
                    entry(
                        COST,
                        col(ACTIVE_COST)
                            .plus(col(IDLE_COST))
                            .plus(col(UNALLOCATED_COST))
                            .plus(col(UNOBSERVED_COST)))));
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
                LABELS,
                CarriedLabels.of(settings.labels(), col(LABELS)),
                map().cast("map<string,string>"))));
  }

  /**
   * Conservation per instance-hour: what the GPUs cost by the bill (node_cost × share) against the money on
   * gpu_hourly rows. Hours priced from the catalog have no bill to hold them to; they carry their attributed money.
   */
  private static Dataset<Row> reconcile(Dataset<Row> gpuHourly, Dataset<Row> billedHours) {
    Dataset<Row> attributed =
        gpuHourly
            .groupBy(col(CLUSTER), coalesce(col(INSTANCE_ID), col(NODE)).as(INSTANCE_ID), col(HOUR))
            .agg(
                sum(COST).as(ATTRIBUTED),
                max(PRICE_SOURCE).as(PRICE_SOURCE),
                max(CURRENCY).as(ROW_CURRENCY));
    Column attributedOrNone = coalesce(col(ATTRIBUTED), lit(0.0));
    return attributed
        .join(
            billedHours.select(col(INSTANCE_ID), col(HOUR), col(GPU_COST_TOTAL), col(CURRENCY)),
            new String[] {INSTANCE_ID, HOUR},
            "full_outer")
        .withColumns(
            OrderedColumns.of(
                entry(CLUSTER, coalesce(col(CLUSTER), lit(InstanceHourCost.UNATTRIBUTED_CLUSTER))),
                entry(ATTRIBUTED, attributedOrNone),
                entry(GPU_COST, coalesce(col(GPU_COST_TOTAL), attributedOrNone)),
                entry(
                    PRICE_SOURCE,
                    when(col(GPU_COST_TOTAL).isNotNull(), lit(UnitHourRate.BILL))
                        .otherwise(col(PRICE_SOURCE))),
                entry(CURRENCY, coalesce(col(CURRENCY), col(ROW_CURRENCY)))))
        .select(CLUSTER, INSTANCE_ID, HOUR, GPU_COST, ATTRIBUTED, PRICE_SOURCE, CURRENCY);
  }

  private static Column sumWhere(Column condition, String column) {
    return coalesce(sum(when(condition, col(column))), lit(0.0));
  }
}
