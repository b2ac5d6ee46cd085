package dev.idleledger.ingest.telemetry;

import static dev.idleledger.ingest.SilverTables.GpuSamples.CLUSTER;
import static dev.idleledger.ingest.SilverTables.GpuSamples.DATE;
import static dev.idleledger.ingest.SilverTables.GpuSamples.DRAM_ACTIVE;
import static dev.idleledger.ingest.SilverTables.GpuSamples.FB_FREE_MIB;
import static dev.idleledger.ingest.SilverTables.GpuSamples.FB_USED_MIB;
import static dev.idleledger.ingest.SilverTables.GpuSamples.GPU_INDEX;
import static dev.idleledger.ingest.SilverTables.GpuSamples.GPU_MODEL;
import static dev.idleledger.ingest.SilverTables.GpuSamples.GPU_UTIL;
import static dev.idleledger.ingest.SilverTables.GpuSamples.GPU_UUID;
import static dev.idleledger.ingest.SilverTables.GpuSamples.GR_ENGINE_ACTIVE;
import static dev.idleledger.ingest.SilverTables.GpuSamples.HOLDERS;
import static dev.idleledger.ingest.SilverTables.GpuSamples.HOLD_SECONDS;
import static dev.idleledger.ingest.SilverTables.GpuSamples.MIG_INSTANCE_ID;
import static dev.idleledger.ingest.SilverTables.GpuSamples.MIG_PROFILE;
import static dev.idleledger.ingest.SilverTables.GpuSamples.NODE;
import static dev.idleledger.ingest.SilverTables.GpuSamples.POWER_W;
import static dev.idleledger.ingest.SilverTables.GpuSamples.SM_ACTIVE;
import static dev.idleledger.ingest.SilverTables.GpuSamples.SM_OCCUPANCY;
import static dev.idleledger.ingest.SilverTables.GpuSamples.TENSOR_ACTIVE;
import static dev.idleledger.ingest.series.SeriesColumns.LABELS;
import static dev.idleledger.ingest.series.SeriesColumns.METRIC;
import static dev.idleledger.ingest.series.SeriesColumns.REASON;
import static dev.idleledger.ingest.series.SeriesColumns.REJECTED_ROWS;
import static dev.idleledger.ingest.series.SeriesColumns.ROWS;
import static dev.idleledger.ingest.series.SeriesColumns.SERIES_ID;
import static dev.idleledger.ingest.series.SeriesColumns.SERIES_KEY;
import static dev.idleledger.ingest.series.SeriesColumns.TS;
import static dev.idleledger.ingest.series.SeriesColumns.VALUE;
import static java.util.Map.entry;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.call_function;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.dense_rank;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.lead;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.percentile_approx;
import static org.apache.spark.sql.functions.shiftright;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.transform;
import static org.apache.spark.sql.functions.unix_millis;
import static org.apache.spark.sql.functions.when;

import dev.idleledger.ingest.SilverTables;
import dev.idleledger.ingest.SilverTables.GpuSamples;
import dev.idleledger.model.PercentileAccuracy;
import dev.idleledger.model.SlotMasks;
import dev.idleledger.spark.GlobalAggregate;
import dev.idleledger.spark.OrderedColumns;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * dcgm-exporter samples → silver {@code gpu_samples} (COST_MODEL.md §2): one row per GPU unit per timestamp,
 * metrics as columns, the pods on the sample, and how long the sample holds. Pure Dataset → Dataset.
 *
 * <p>Plan (telemetry is ~700 M samples a day at fleet scale):
 * <ol>
 *   <li>Labels are resolved per series ({@link #seriesUnits}), a small frame, and joined back to the samples
 *       by broadcast on {@code series_id}: the pivot reads no label map (the series pass reads one row's map per
 *       series and file, {@code SeriesRead#series}).</li>
 *   <li>The samples are repartitioned by unit once (by {@code unit_index}, a small number). The pivot (one
 *       aggregation per unit and timestamp, which also counts repeated samples) and the hold-time window (per
 *       unit, ordered by time) reuse that partitioning, so the plan has one shuffle; {@code explain} shows a
 *       single Exchange on unit_index.</li>
 *   <li>The pivot takes the maximum per metric: conflicting duplicates of a series and the per-pod series of a
 *       time-sliced GPU collapse the same way, so the result does not depend on file order. Its two sets (the
 *       pods on the sample, the distinct series and metric pairs) are bit masks over small per-unit numbers,
 *       so it is a hash aggregate ({@link #pivotBySlots}).</li>
 *   <li>Unit attributes (cluster, node, model, MIG profile) are joined after the pivot from the series frame
 *       rather than carried through the shuffle.</li>
 * </ol>
 */
public final class GpuSampleTransform {
  /** Seconds from a sample to the unit's next one. */
  private static final String GAP = "gap";

  /** Median gap of the series that day. */
  private static final String MEDIAN_GAP = "median_gap";

  /** dcgm-exporter metric → gpu_samples column. */
  public static final Map<String, String> METRIC_COLUMNS = metricColumns();

  public static final String UNIT_ID = GpuSamples.UNIT_ID;

  /** A unit's number among the units of the day's series (dense, from 1), for sorting and shuffling by unit. */
  public static final String UNIT_INDEX = "unit_index";

  /** A sample's metric as its position in {@link #METRIC_COLUMNS}. */
  private static final String METRIC_CODE = "metric_code";

  public static final String HOLDER = "holder";
  public static final String MIG_PARENT = "mig_parent";
  public static final String SERIES_REASON = "series_reason";

  /** gpu_samples: usable raw rows merged into the row; of them, repeats of a (series, metric, ts) already counted. */
  public static final String RAW_ROWS = GpuSamples.RAW_ROWS;

  public static final String DUPLICATE_ROWS = GpuSamples.DUPLICATE_ROWS;

  /** A series' number among its unit's series (dense, from 0, in series_key order). */
  static final String SERIES_SLOT = "series_slot";

  /** A holder's number among its unit's holders (dense, from 0, in holder order; a null holder first). */
  static final String HOLDER_SLOT = "holder_slot";

  /** A unit's holders, the one of each slot at that position. */
  private static final String UNIT_HOLDERS = "unit_holders";

  /** Words of the pivot's bit mask of (series, metric) pairs, and of holders. */
  private static final String PAIR_WORD = "pair_word_";

  private static final String HOLDER_WORD = "holder_word_";

  /**
   * Above this many words of bit masks a row (units with some hundred series or pods in a day), the pivot
   * collects sets instead: each word is one more aggregate evaluated per raw sample.
   */
  static final int MAX_SLOT_WORDS = 16;

  private final int maxSampleGapSeconds;
  private final int maxSlotWords;

  public GpuSampleTransform(int maxSampleGapSeconds) {
    this(maxSampleGapSeconds, MAX_SLOT_WORDS);
  }

  /** With another limit of {@link SlotWords}: 0 makes every day collect sets (tests compare the two). */
  GpuSampleTransform(int maxSampleGapSeconds, int maxSlotWords) {
    this.maxSampleGapSeconds = maxSampleGapSeconds;
    this.maxSlotWords = maxSlotWords;
  }

  public static Set<String> metrics() {
    return METRIC_COLUMNS.keySet();
  }

  private static Map<String, String> metricColumns() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("DCGM_FI_PROF_GR_ENGINE_ACTIVE", GR_ENGINE_ACTIVE);
    m.put("DCGM_FI_DEV_GPU_UTIL", GPU_UTIL);
    m.put("DCGM_FI_DEV_FB_USED", FB_USED_MIB);
    m.put("DCGM_FI_DEV_FB_FREE", FB_FREE_MIB);
    m.put("DCGM_FI_DEV_POWER_USAGE", POWER_W);
    m.put("DCGM_FI_PROF_SM_ACTIVE", SM_ACTIVE);
    m.put("DCGM_FI_PROF_SM_OCCUPANCY", SM_OCCUPANCY);
    m.put("DCGM_FI_PROF_PIPE_TENSOR_ACTIVE", TENSOR_ACTIVE);
    m.put("DCGM_FI_PROF_DRAM_ACTIVE", DRAM_ACTIVE);
    return Collections.unmodifiableMap(m);
  }

  /**
   * Per series (columns {@code series_id, labels, label_error}): the GPU unit it describes, its holder, and why
   * it cannot be used. Spellings are normalized here: {@code Hostname}/{@code hostname} → node, the old
   * exporters' {@code pod_name}/{@code pod_namespace}/{@code container_name} → pod/namespace/container.
   * Series of a MIG-enabled GPU without MIG labels describe the parent GPU, not a unit ({@code mig_parent}).
   */
  public Dataset<Row> seriesUnits(Dataset<Row> series) {
    Column uuid = label("UUID");
    Column mig = label("GPU_I_ID");
    Column pod = coalesce(label("pod"), label("pod_name"));
    Dataset<Row> units =
        series.select(
            col(SERIES_ID),
            col(SERIES_KEY),
            col(ROWS),
            col(REJECTED_ROWS),
            label("cluster").as(CLUSTER),
            coalesce(label("Hostname"), label("hostname")).as(NODE),
            uuid.as(GPU_UUID),
            label("gpu").as(GPU_INDEX),
            label("modelName").as(GPU_MODEL),
            label("GPU_I_PROFILE").as(MIG_PROFILE),
            mig.as(MIG_INSTANCE_ID),
            when(mig.isNotNull(), concat(uuid, lit("/"), mig)).otherwise(uuid).as(UNIT_ID),
            when(
                    pod.isNotNull(),
                    struct(
                        coalesce(label("namespace"), label("pod_namespace")).as("namespace"),
                        pod.as("pod"),
                        coalesce(label("container"), label("container_name")).as("container"),
                        label("pod_uid").as("pod_uid")))
                .as(HOLDER),
            coalesce(col("label_error"), when(uuid.isNull(), lit("missing UUID")))
                .as(SERIES_REASON));
    // A GPU is MIG-enabled when any of its series carries MIG labels; computed on the small series
    // frame.
    Column migEnabled =
        max(col(MIG_INSTANCE_ID).isNotNull()).over(Window.partitionBy(col(GPU_UUID)));
    // The pivot shuffles and groups every sample by unit: on a small int that costs a fraction of
    // hashing and comparing ~40-character unit ids. Dense over the distinct unit ids of this frame,
    // so the same unit gets one index. Each series and each holder also gets a small number within
    // its unit: the pivot keeps its sets of them as bit masks (pivotBySlots).
    WindowSpec inUnit = Window.partitionBy(col(UNIT_INDEX));
    return units
        .withColumns(
            OrderedColumns.of(
                entry(
                    MIG_PARENT,
                    col(MIG_INSTANCE_ID).isNull().and(coalesce(migEnabled, lit(false)))),
                entry(UNIT_INDEX, dense_rank().over(Window.orderBy(col(UNIT_ID))))))
        // The slots are numbered within the unit index the step above gives.
        .withColumns(
            OrderedColumns.of(
                entry(SERIES_SLOT, dense_rank().over(inUnit.orderBy(col(SERIES_KEY))).minus(1)),
                entry(HOLDER_SLOT, dense_rank().over(inUnit.orderBy(col(HOLDER))).minus(1))));
  }

  /**
   * Samples (reader columns) joined with their series' unit; {@code reason} gains the telemetry rules
   * (missing UUID, broken escaping, negative FB or power).
   */
  public Dataset<Row> classify(Dataset<Row> samples, Dataset<Row> units) {
    return samples
        .join(
            broadcast(
                units.select(
                    SERIES_ID,
                    SERIES_KEY,
                    UNIT_ID,
                    UNIT_INDEX,
                    SERIES_SLOT,
                    HOLDER,
                    HOLDER_SLOT,
                    SERIES_REASON,
                    MIG_PARENT)),
            SERIES_ID)
        .withColumn(
            REASON,
            coalesce(
                col(REASON),
                col(SERIES_REASON),
                when(negativeFb(), lit("negative FB")),
                when(negativePower(), lit("negative power"))))
        .drop(SERIES_REASON);
  }

  /** The rows {@link #classify} rejects on their own, whatever their series: the reader's reasons and the value rules. */
  public static Column rowRejected() {
    return col(REASON).isNotNull().or(negativeFb()).or(negativePower());
  }

  private static Column negativeFb() {
    return col(METRIC).isin("DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_FREE").and(col(VALUE).lt(0));
  }

  private static Column negativePower() {
    return col(METRIC).equalTo("DCGM_FI_DEV_POWER_USAGE").and(col(VALUE).lt(0));
  }

  /** The usable samples of {@link #classify}: no reason, not a MIG parent. */
  public static Dataset<Row> usable(Dataset<Row> classified) {
    return classified.filter(col(REASON).isNull().and(not(col(MIG_PARENT))));
  }

  /** Usable samples → gpu_samples rows (exact columns of {@link SilverTables#GPU_SAMPLES}). */
  public Dataset<Row> toGpuSamples(Dataset<Row> usable, Dataset<Row> units) {
    List<String> metrics = new ArrayList<>(METRIC_COLUMNS.keySet());
    SlotWords words = SlotWords.of(units);
    boolean bySlots = words.total() <= maxSlotWords;
    Dataset<Row> pivoted =
        bySlots ? pivotBySlots(usable, metrics, words) : pivotBySets(usable, metrics);

    // COST_MODEL §2: a sample holds until the unit's next sample when that is within the gap limit,
    // else for the unit's median spacing that day (also for the day's last sample; a lone sample
    // gets the limit).
    WindowSpec byTime = Window.partitionBy(col(UNIT_INDEX)).orderBy(col(TS));
    Column gap =
        unix_millis(lead(col(TS), 1).over(byTime)).minus(unix_millis(col(TS))).divide(1000.0);
    Column median =
        percentile_approx(col(GAP), lit(0.5), lit(PercentileAccuracy.OVER_SAMPLES))
            .over(Window.partitionBy(col(UNIT_INDEX)));
    Dataset<Row> held =
        pivoted
            .withColumn(GAP, gap)
            .withColumn(MEDIAN_GAP, median)
            .withColumn(
                HOLD_SECONDS,
                HeldHours.clippedAtMidnight(
                    col(TS),
                    when(col(GAP).leq(maxSampleGapSeconds), col(GAP))
                        .otherwise(coalesce(col(MEDIAN_GAP), lit((double) maxSampleGapSeconds)))))
            .withColumn(HeldHours.NEXT_HOUR, HeldHours.pastTheHour(col(TS), col(HOLD_SECONDS)));

    // Attributes from the unit's usable series; its holders from all of its series, so that a
    // holder's position in UNIT_HOLDERS is its HOLDER_SLOT.
    Column usableSeries = col(SERIES_REASON).isNull().and(not(col(MIG_PARENT)));
    Dataset<Row> unitAttributes =
        units
            .groupBy(col(UNIT_INDEX))
            .agg(
                max(when(usableSeries, col(UNIT_ID))).as(UNIT_ID),
                max(when(usableSeries, col(CLUSTER))).as(CLUSTER),
                max(when(usableSeries, col(NODE))).as(NODE),
                max(when(usableSeries, col(GPU_UUID))).as(GPU_UUID),
                max(when(usableSeries, col(GPU_INDEX))).as(GPU_INDEX),
                max(when(usableSeries, col(GPU_MODEL))).as(GPU_MODEL),
                max(when(usableSeries, col(MIG_PROFILE))).as(MIG_PROFILE),
                max(when(usableSeries, col(MIG_INSTANCE_ID))).as(MIG_INSTANCE_ID),
                transform(
                        sort_array(collect_set(struct(col(HOLDER_SLOT), col(HOLDER)))),
                        slotted -> slotted.getField(HOLDER))
                    .as(UNIT_HOLDERS));
    Dataset<Row> rows =
        held.join(broadcast(unitAttributes), UNIT_INDEX).withColumn(DATE, to_date(col(TS)));
    if (bySlots) {
      rows = rows.withColumn(HOLDERS, words.holdersOf(col(UNIT_HOLDERS)));
    }
    return rows.select(
        Arrays.stream(SilverTables.GPU_SAMPLES.columnNames())
            .map(c -> col(c))
            .toArray(Column[]::new));
  }

  /**
   * One aggregation per (unit, ts) on the unit partitioning, which the hold-time window reuses: the
   * metrics as columns, the raw rows merged, and the two sets — the pods on the sample, and the
   * distinct (series, metric) pairs that tell a repeated sample from another pod's — as bit masks
   * over the unit's slots ({@link SlotWords}). Every aggregate is a fixed-width number, so Spark
   * plans a hash aggregate; with {@code collect_set}s ({@link #pivotBySets}) it was a sort aggregate
   * that built, serialized and merged two hash sets per (unit, second), half of the pivot's CPU.
   */
  private static Dataset<Row> pivotBySlots(
      Dataset<Row> usable, List<String> metrics, SlotWords words) {
    List<Column> aggs = metricMaxima(metrics);
    aggs.add(count(lit(1)).as(RAW_ROWS));
    Column pair = col(SERIES_SLOT).multiply(metrics.size()).plus(col(METRIC_CODE));
    aggs.addAll(SlotMasks.masks(pair, words.pairs(), PAIR_WORD));
    aggs.addAll(SlotMasks.masks(col(HOLDER_SLOT), words.holders(), HOLDER_WORD));
    Dataset<Row> pivoted =
        perUnitSecond(
            usable,
            metrics,
            aggs,
            col(SERIES_SLOT),
            // A sample without a pod sets no holder bit.
            when(col(HOLDER).isNotNull(), col(HOLDER_SLOT)).as(HOLDER_SLOT));
    // A repeat of a sample is another row of the same (series, metric, ts); the holder is a label
    // of the series, so it does not make a sample distinct.
    return pivoted
        .withColumn(
            DUPLICATE_ROWS, col(RAW_ROWS).minus(SlotMasks.bitsSet(words.pairs(), PAIR_WORD)))
        .drop(SlotMasks.names(words.pairs(), PAIR_WORD));
  }

  /**
   * The same rows as {@link #pivotBySlots} with the two sets as {@code collect_set}s, for a day whose units
   * have more series or pods than {@link SlotWords} spends words on.
   */
  private static Dataset<Row> pivotBySets(Dataset<Row> usable, List<String> metrics) {
    List<Column> aggs = metricMaxima(metrics);
    aggs.add(sort_array(collect_set(col(HOLDER))).as(HOLDERS));
    aggs.add(count(lit(1)).as(RAW_ROWS));
    aggs.add(
        count(lit(1))
            .minus(size(collect_set(struct(col(SERIES_KEY), col(METRIC_CODE)))))
            .as(DUPLICATE_ROWS));
    return perUnitSecond(usable, metrics, aggs, col(HOLDER), col(SERIES_KEY));
  }

  /**
   * {@code aggs} per (unit, ts) over the samples' unit, time, metric code and value plus {@code carried}: one
   * shuffle by unit, which the hold-time window reuses.
   */
  private static Dataset<Row> perUnitSecond(
      Dataset<Row> usable, List<String> metrics, List<Column> aggs, Column... carried) {
    List<Column> columns =
        new ArrayList<>(
            List.of(col(UNIT_INDEX), col(TS), metricCode(metrics).as(METRIC_CODE), col(VALUE)));
    columns.addAll(Arrays.asList(carried));
    return usable
        .select(columns.toArray(Column[]::new))
        .repartition(col(UNIT_INDEX))
        .groupBy(col(UNIT_INDEX), col(TS))
        .agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(Column[]::new));
  }

  /**
   * Unit and metric travel as small numbers (the unit's index, the metric's position in METRIC_COLUMNS): the
   * shuffle carries fewer bytes and compares numbers, not strings; the unit id comes back with the unit's
   * attributes. The maximum per metric collapses conflicting duplicates and the per-pod series of a
   * time-sliced GPU the same way, whatever the file order.
   */
  private static List<Column> metricMaxima(List<String> metrics) {
    List<Column> aggs = new ArrayList<>();
    for (int code = 0; code < metrics.size(); code++) {
      aggs.add(
          max(when(col(METRIC_CODE).equalTo(code), col(VALUE)))
              .as(METRIC_COLUMNS.get(metrics.get(code))));
    }
    return aggs;
  }

  /**
   * How many 64-bit words the pivot's two bit masks take, from the day's units: the (series, metric)
   * pairs of the unit with the most series, and the pods of the unit with the most pods. A unit's
   * slots are dense ranks within the unit ({@link #seriesUnits}), so a fleet whose units see up to
   * seven series and 64 pods a day needs one word of each.
   */
  record SlotWords(int pairs, int holders) {
    static SlotWords of(Dataset<Row> units) {
      Row widest = GlobalAggregate.of(units, max(col(SERIES_SLOT)), max(col(HOLDER_SLOT)));
      int series = widest.isNullAt(0) ? 0 : widest.getInt(0) + 1;
      int holders = widest.isNullAt(1) ? 0 : widest.getInt(1) + 1;
      return new SlotWords(
          SlotMasks.words(series * METRIC_COLUMNS.size()), SlotMasks.words(holders));
    }

    int total() {
      return pairs + holders;
    }

    /** The unit's holders (ordered by slot) whose bit is set in the holder mask: sorted, as {@code sort_array}. */
    Column holdersOf(Column unitHolders) {
      Column words =
          array(
              Arrays.stream(SlotMasks.names(holders, HOLDER_WORD))
                  .map(word -> coalesce(col(word), lit(0L)))
                  .toArray(Column[]::new));
      return filter(
          unitHolders,
          (holder, i) ->
              holder
                  .isNotNull()
                  .and(
                      call_function(
                              "shiftright",
                              element_at(words, shiftright(i, 6).plus(1)),
                              i.bitwiseAND(lit(Long.SIZE - 1)))
                          .bitwiseAND(lit(1L))
                          .equalTo(1L)));
    }
  }

  /** The metric's position in {@code metrics}; null for another metric (the reader keeps only these). */
  private static Column metricCode(List<String> metrics) {
    Column code = null;
    for (int i = 0; i < metrics.size(); i++) {
      Column match = col(METRIC).equalTo(metrics.get(i));
      code = code == null ? when(match, (byte) i) : code.when(match, (byte) i);
    }
    return code;
  }

  private static Column label(String key) {
    Column v = col(LABELS).getItem(key);
    return when(v.notEqual(""), v);
  }
}
