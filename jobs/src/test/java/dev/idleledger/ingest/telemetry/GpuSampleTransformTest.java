package dev.idleledger.ingest.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.idleledger.testing.TestSpark;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The telemetry transform on tiny in-memory frames: the hold-time rule of COST_MODEL §2 and the plan's shape. */
class GpuSampleTransformTest {
  private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");
  private static final StructType SERIES =
      new StructType()
          .add("series_id", DataTypes.StringType)
          .add("series_key", DataTypes.LongType)
          .add("labels", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType))
          .add("label_error", DataTypes.StringType)
          .add("rows", DataTypes.LongType)
          .add("rejected_rows", DataTypes.LongType);
  private static final StructType SAMPLES =
      new StructType()
          .add("ts", DataTypes.TimestampType)
          .add("metric", DataTypes.StringType)
          .add("value", DataTypes.DoubleType)
          .add("series_id", DataTypes.StringType)
          .add("reason", DataTypes.StringType);

  private static Dataset<Row> gpuSamples(int maxGap, int... offsets) {
    SparkSession spark = TestSpark.session();
    Dataset<Row> series =
        spark.createDataFrame(
            List.of(
                RowFactory.create(
                    "s1",
                    1L,
                    Map.of("UUID", "GPU-1", "Hostname", "n1"),
                    null,
                    (long) offsets.length,
                    0L)),
            SERIES);
    List<Row> rows = new ArrayList<>();
    for (int o : offsets) {
      rows.add(
          RowFactory.create(
              Timestamp.from(T0.plusSeconds(o)), "DCGM_FI_PROF_GR_ENGINE_ACTIVE", 0.5, "s1", null));
    }
    GpuSampleTransform t = new GpuSampleTransform(maxGap);
    Dataset<Row> units = t.seriesUnits(series).persist();
    return t.toGpuSamples(
        GpuSampleTransform.usable(t.classify(spark.createDataFrame(rows, SAMPLES), units)), units);
  }

  private static List<Double> holds(Dataset<Row> gpuSamples) {
    return gpuSamples.orderBy("ts").select("hold_seconds").collectAsList().stream()
        .map(r -> r.getDouble(0))
        .toList();
  }

  @Test
  void aGapOverTheLimitHoldsTheMedianSpacingAndSoDoesTheLastSample() {
    // Spacings 1,1,1,57,1: the 57 s gap is over the 10 s limit, so that sample holds the median
    // spacing, 1 s.
    assertEquals(List.of(1.0, 1.0, 1.0, 1.0, 1.0, 1.0), holds(gpuSamples(10, 0, 1, 2, 3, 60, 61)));
  }

  @Test
  void aGapWithinTheLimitHoldsUntilTheNextSample() {
    assertEquals(List.of(1.0, 1.0, 1.0, 57.0, 1.0, 1.0), holds(gpuSamples(60, 0, 1, 2, 3, 60, 61)));
  }

  @Test
  void tenAndThirtySecondScrapesHoldTheirInterval() {
    assertEquals(List.of(10.0, 10.0, 10.0, 10.0), holds(gpuSamples(10, 0, 10, 20, 30)));
    assertEquals(List.of(30.0, 30.0, 30.0), holds(gpuSamples(10, 0, 30, 60)));
  }

  @Test
  void holdAcrossHourRecordsItsPartInTheNextHour() {
    // 15 s scrapes at phase 7 s around 11:00 (offsets from 10:00:00): the 10:59:52 sample holds
    // [10:59:52, 11:00:07), 8 s of hour 10 and 7 s past it; the 10:59:37 and 11:00:07 samples end
    // within their hour.
    Dataset<Row> rows = gpuSamples(15, 3577, 3592, 3607, 3622).orderBy("ts");
    assertEquals(List.of(15.0, 15.0, 15.0, 15.0), holds(rows));
    assertEquals(List.of(0.0, 7.0, 0.0, 0.0), column(rows, HeldHours.NEXT_HOUR));
  }

  @Test
  void lastHoldOfTheDayIsCutAtMidnight() {
    // 30 s scrapes at phase 10 s: 23:59:10 holds 30 s to 23:59:40, whose median hold of 30 s would
    // run to 00:00:10: cut to the 20 s left of the date. 00:00:00 is not past hour 23's end for the
    // cut hold, so nothing spills either.
    Dataset<Row> rows = gpuSamples(10, 13 * 3600 + 3550, 13 * 3600 + 3580).orderBy("ts");
    assertEquals(List.of(30.0, 20.0), holds(rows));
    assertEquals(List.of(0.0, 0.0), column(rows, HeldHours.NEXT_HOUR));
  }

  private static List<Double> column(Dataset<Row> gpuSamples, String name) {
    return gpuSamples.select(name).collectAsList().stream().map(r -> r.getDouble(0)).toList();
  }

  @Test
  void aLoneSampleHoldsTheGapLimit() {
    assertEquals(List.of(10.0), holds(gpuSamples(10, 0)));
  }

  @ParameterizedTest(name = "slot words up to {0}")
  @ValueSource(ints = {GpuSampleTransform.MAX_SLOT_WORDS, 0})
  void aRepeatOfASeriesSampleIsADuplicateButTwoPodsSeriesOnOneGpuAreNot(int maxSlotWords) {
    // One time-sliced GPU, two pods' series at the same second. Pod a's activity sample arrives
    // twice (a repeat, conflicting) and it also reports power; pod b reports activity once.
    SparkSession spark = TestSpark.session();
    Dataset<Row> series =
        spark.createDataFrame(
            List.of(
                RowFactory.create(
                    "sa",
                    1L,
                    Map.of("UUID", "GPU-1", "Hostname", "n1", "namespace", "ml", "pod", "a"),
                    null,
                    3L,
                    0L),
                RowFactory.create(
                    "sb",
                    2L,
                    Map.of("UUID", "GPU-1", "Hostname", "n1", "namespace", "ml", "pod", "b"),
                    null,
                    1L,
                    0L)),
            SERIES);
    Timestamp t = Timestamp.from(T0);
    List<Row> rows =
        List.of(
            RowFactory.create(t, "DCGM_FI_PROF_GR_ENGINE_ACTIVE", 0.2, "sa", null),
            RowFactory.create(t, "DCGM_FI_PROF_GR_ENGINE_ACTIVE", 0.4, "sa", null),
            RowFactory.create(t, "DCGM_FI_DEV_POWER_USAGE", 300.0, "sa", null),
            RowFactory.create(t, "DCGM_FI_PROF_GR_ENGINE_ACTIVE", 0.3, "sb", null));
    List<Row> out =
        pivoted(
            series,
            rows,
            maxSlotWords,
            "unit_id",
            "raw_rows",
            "duplicate_rows",
            "gr_engine_active",
            "power_w");
    assertEquals(1, out.size(), out.toString());
    Row r = out.get(0);
    assertEquals("GPU-1", r.getString(0));
    assertEquals(4L, r.getLong(1), "every raw row merged into the GPU's second");
    assertEquals(1L, r.getLong(2), "only pod a's repeated activity sample is a duplicate");
    assertEquals(0.4, r.getDouble(3), 1e-12);
    assertEquals(300.0, r.getDouble(4), 1e-12);
  }

  @ParameterizedTest(name = "slot words up to {0}")
  @ValueSource(ints = {GpuSampleTransform.MAX_SLOT_WORDS, 0})
  void aGpuWithManyPodsSeriesKeepsEachSecondsOwnPodsAndRepeatsPastTheFirstMaskWord(
      int maxSlotWords) {
    // One time-sliced GPU whose 70 pods each report one series in the day: 630 (series, metric)
    // pairs and 70 holders, ten words of pairs and two of holders. Each second has the pods of
    // its own rows, and a repeat only where a pod's sample came twice.
    SparkSession spark = TestSpark.session();
    int pods = 70;
    List<Row> seriesRows = new ArrayList<>();
    for (int p = 0; p < pods; p++) {
      seriesRows.add(
          RowFactory.create(
              "s" + p,
              (long) p,
              Map.of("UUID", "GPU-1", "Hostname", "n1", "namespace", "ml", "pod", pod(p)),
              null,
              2L,
              0L));
    }
    Dataset<Row> series = spark.createDataFrame(seriesRows, SERIES);
    Timestamp first = Timestamp.from(T0);
    Timestamp second = Timestamp.from(T0.plusSeconds(1));
    List<Row> rows = new ArrayList<>();
    // Second 0: pods 3, 64 and 69 (holder slots in both words), pod 69's power sample twice.
    rows.add(RowFactory.create(first, "DCGM_FI_PROF_GR_ENGINE_ACTIVE", 0.1, "s3", null));
    rows.add(RowFactory.create(first, "DCGM_FI_PROF_GR_ENGINE_ACTIVE", 0.6, "s64", null));
    rows.add(RowFactory.create(first, "DCGM_FI_DEV_POWER_USAGE", 200.0, "s69", null));
    rows.add(RowFactory.create(first, "DCGM_FI_DEV_POWER_USAGE", 210.0, "s69", null));
    // Second 1: pod 5 alone, its activity sample three times.
    for (int i = 0; i < 3; i++) {
      rows.add(RowFactory.create(second, "DCGM_FI_PROF_GR_ENGINE_ACTIVE", 0.2, "s5", null));
    }
    List<Row> out =
        pivoted(
            series,
            rows,
            maxSlotWords,
            "holders.pod",
            "raw_rows",
            "duplicate_rows",
            "gr_engine_active",
            "power_w");
    assertEquals(2, out.size(), out.toString());
    assertEquals(List.of(pod(3), pod(64), pod(69)), out.get(0).getList(0));
    assertEquals(4L, out.get(0).getLong(1));
    assertEquals(1L, out.get(0).getLong(2), "pod 69's second power sample");
    assertEquals(0.6, out.get(0).getDouble(3), 1e-12);
    assertEquals(210.0, out.get(0).getDouble(4), 1e-12);
    assertEquals(List.of(pod(5)), out.get(1).getList(0));
    assertEquals(3L, out.get(1).getLong(1));
    assertEquals(2L, out.get(1).getLong(2), "two repeats of pod 5's one sample");
  }

  @ParameterizedTest(name = "slot words up to {0}")
  @ValueSource(ints = {GpuSampleTransform.MAX_SLOT_WORDS, 0})
  void aSeriesWithoutAPodNamesNobodyBesideAPodsSeriesOnTheSameGpu(int maxSlotWords) {
    // The GPU's exporter series without pod labels (its holder slot is taken first, by the null
    // holder) and pod a's series: a second with both names pod a, a second with only the
    // exporter's names nobody.
    SparkSession spark = TestSpark.session();
    Dataset<Row> series =
        spark.createDataFrame(
            List.of(
                RowFactory.create(
                    "sn", 1L, Map.of("UUID", "GPU-1", "Hostname", "n1"), null, 2L, 0L),
                RowFactory.create(
                    "sa",
                    2L,
                    Map.of("UUID", "GPU-1", "Hostname", "n1", "namespace", "ml", "pod", "a"),
                    null,
                    1L,
                    0L)),
            SERIES);
    Timestamp first = Timestamp.from(T0);
    Timestamp second = Timestamp.from(T0.plusSeconds(1));
    List<Row> rows =
        List.of(
            RowFactory.create(first, "DCGM_FI_DEV_POWER_USAGE", 100.0, "sn", null),
            RowFactory.create(first, "DCGM_FI_PROF_GR_ENGINE_ACTIVE", 0.5, "sa", null),
            RowFactory.create(second, "DCGM_FI_DEV_POWER_USAGE", 90.0, "sn", null));
    List<Row> out = pivoted(series, rows, maxSlotWords, "holders.pod", "duplicate_rows");
    assertEquals(2, out.size(), out.toString());
    assertEquals(List.of("a"), out.get(0).getList(0));
    assertEquals(List.of(), out.get(1).getList(0));
    assertEquals(0L, out.get(0).getLong(1));
    assertEquals(0L, out.get(1).getLong(1));
  }

  /** The gpu_samples rows of {@code samples} (columns of SAMPLES) over {@code series}, by ts, with {@code columns}. */
  private static List<Row> pivoted(
      Dataset<Row> series, List<Row> samples, int maxSlotWords, String... columns) {
    GpuSampleTransform transform = new GpuSampleTransform(10, maxSlotWords);
    Dataset<Row> units = transform.seriesUnits(series).persist();
    try {
      Dataset<Row> classified =
          transform.classify(TestSpark.session().createDataFrame(samples, SAMPLES), units);
      return transform
          .toGpuSamples(GpuSampleTransform.usable(classified), units)
          .orderBy("ts")
          .selectExpr(columns)
          .collectAsList();
    } finally {
      units.unpersist();
    }
  }

  /** Pod names that sort as their numbers do, so the expected holders are in sort_array's order. */
  private static String pod(int p) {
    return String.format("pod-%03d", p);
  }

  @Test
  void thePivotAndTheHoldWindowShareOneShuffleByUnitInAHashAggregate() {
    String plan = gpuSamples(10, 0, 1, 2).queryExecution().executedPlan().toString();
    // The samples are shuffled once, by unit (its index); the only other exchanges are on the
    // small series frame, one of them gathering it to number its units.
    assertEquals(
        1,
        count(plan, "Exchange hashpartitioning\\(unit_index#\\d+, \\d+\\), REPARTITION_BY_COL"),
        plan);
    assertEquals(0, count(plan, "Exchange hashpartitioning\\(unit_index#\\d+, ts#"), plan);
    assertEquals(0, count(plan, "Exchange rangepartitioning"), plan);
    // The pivot's sets are bit masks: a hash aggregate, which neither sorts the samples nor builds
    // a set object per (unit, second).
    // (the partial and the final aggregation; the unit attributes are aggregated by unit alone)
    assertEquals(2, count(plan, "(?<!Object)HashAggregate\\(keys=\\[unit_index#\\d+, ts#"), plan);
    assertEquals(0, count(plan, "(Sort|Object)\\w*Aggregate\\(keys=\\[unit_index#\\d+, ts#"), plan);
    // (printed once per reader of the numbered frame, with the same plan id)
    assertEquals(
        1,
        Pattern.compile("Exchange SinglePartition, \\w+, \\[plan_id=(\\d+)\\]")
            .matcher(plan)
            .results()
            .map(m -> m.group(1))
            .distinct()
            .count(),
        plan);
  }

  private static int count(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }
}
