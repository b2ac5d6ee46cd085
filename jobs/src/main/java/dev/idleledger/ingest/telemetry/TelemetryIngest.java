package dev.idleledger.ingest.telemetry;

import static dev.idleledger.ingest.series.SeriesColumns.REASON;
import static dev.idleledger.ingest.series.SeriesColumns.REJECTED_ROWS;
import static dev.idleledger.ingest.series.SeriesColumns.ROWS;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.idleledger.config.LedgerConfig;
import dev.idleledger.ingest.NothingArchived;
import dev.idleledger.ingest.SilverTables;
import dev.idleledger.ingest.series.SeriesArchiveReader;
import dev.idleledger.ingest.series.SeriesRead;
import dev.idleledger.quality.QualityRecorder;
import dev.idleledger.quality.SourceAccounting;
import dev.idleledger.spark.GlobalAggregate;
import dev.idleledger.spark.LakeTables;
import dev.idleledger.spark.StageFrames;
import dev.idleledger.spark.WrittenRows;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The telemetry stage: reads one day of dcgm-exporter samples from {@code input.telemetry}, writes silver
 * {@code gpu_samples} for the date, the rejected rows to {@code quarantine}, and the row accounting.
 *
 * <p>Passes over the archive, in order: the file probe (footers; gzip decompression), the raw count pass
 * (read/ignored and per-split line bookkeeping; reads no labels), the series pass (one aggregate per series
 * with its row counts, then the label map of one row per series), and the silver write (one shuffle by unit).
 * The accounting needs no pass of its own: quarantined and ignored rows are counted per series, duplicates
 * inside the silver pivot ({@code raw_rows}, {@code duplicate_rows}). The rejected rows are read once more
 * only when there are some. Nothing is persisted at sample granularity: at fleet scale re-reading columnar
 * input is cheaper than caching ~700 M rows.
 */
public final class TelemetryIngest {
  public static final String SOURCE = "telemetry";
  private static final String OBJECT_HASH_AGGREGATE =
      "spark.sql.execution.useObjectHashAggregateExec";

  private final SparkSession spark;
  private final LedgerConfig config;
  private WrittenRows writtenRows = WrittenRows.none();

  public TelemetryIngest(SparkSession spark, LedgerConfig config) {
    this.spark = spark;
    this.config = config;
  }

  /** Where to note what replaced the date's gpu_samples: rows known to be empty, or kept ({@link WrittenRows}). */
  public TelemetryIngest noting(WrittenRows written) {
    this.writtenRows = written;
    return this;
  }

  /** Runs the stage for {@code date}; empty when {@code input.telemetry} is empty (source absent). */
  public Optional<SourceAccounting> run(LocalDate date, QualityRecorder quality) {
    if (config.telemetryRoot.isEmpty()) {
      return Optional.empty();
    }
    GpuSampleTransform transform = new GpuSampleTransform(config.maxSampleGapSeconds);
    SeriesRead read =
        new SeriesArchiveReader(spark)
            .read(config.telemetryRoot, date, GpuSampleTransform.metrics());
    if (read.isEmpty()) {
      return Optional.of(
          NothingArchived.publish(
              spark,
              config,
              date,
              read,
              SOURCE,
              List.of(SilverTables.GPU_SAMPLES),
              writtenRows,
              quality));
    }
    // The series frame is small (one row per label set) and every query below broadcasts it:
    // compute it once, held in one partition (a broadcast frame is collected whole anyway), not in
    // the spark.shuffle_partitions its MIG window leaves, which made each read of it a job of 64
    // tasks. A date without samples is an empty local frame all the way down: neither cached nor
    // coalesced, so the queries below fold on the driver (Spark keeps a repartition asked for at
    // the root of a plan even over no rows, and a frame over it is no longer known to be empty).
    Dataset<Row> seriesUnits = transform.seriesUnits(read.series(GpuSampleTransform.rowRejected()));
    Dataset<Row> units =
        StageFrames.knownEmptyOverLocalData(seriesUnits)
            ? seriesUnits
            : StageFrames.hold(seriesUnits.coalesce(1));
    try {
      RuleCounts rules = RuleCounts.of(units);
      Dataset<Row> classified = transform.classify(read.samples(), units);
      LakeTables tables = new LakeTables(spark, config);
      // On a day whose units have too many series or pods for the pivot's bit masks, it collects
      // sets, which would plan as an object-hash aggregate: past 128 groups a task falls back to
      // sorting, after which the hold-time window sorts by (unit, ts) again. Planned as a sort
      // aggregate it sorts once and the window reuses that order.
      String objectHash = spark.conf().get(OBJECT_HASH_AGGREGATE);
      spark.conf().set(OBJECT_HASH_AGGREGATE, "false");
      Dataset<Row> gpuSamples =
          writtenRows.toWrite(transform.toGpuSamples(GpuSampleTransform.usable(classified), units));
      boolean wroteNothing;
      try {
        tables.replaceDates(SilverTables.GPU_SAMPLES, gpuSamples, List.of(date));
        wroteNothing = writtenRows.wrote(SilverTables.GPU_SAMPLES, gpuSamples);
      } finally {
        spark.conf().set(OBJECT_HASH_AGGREGATE, objectHash);
      }
      // A clean archive has nothing to quarantine: then the (empty) rows are not looked for in
      // another full scan, nor written.
      quality.writeQuarantine(
          SOURCE,
          rules.quarantined() + read.fileErrors().size(),
          () ->
              read.quarantine(
                  rules.quarantined() > 0
                      ? classified.filter(col(REASON).isNotNull())
                      : classified.limit(0),
                  date,
                  quality.runId(),
                  SOURCE));
      // Rows known empty, or kept, when written are not read back from the table to be summed.
      Dataset<Row> written =
          wroteNothing ? gpuSamples : writtenRows.ofDate(tables, SilverTables.GPU_SAMPLES, date);
      SourceAccounting accounting = count(read, rules, written);
      quality.recordAccounting(accounting, config.maxQuarantineShare);
      return Optional.of(accounting);
    } finally {
      units.unpersist();
    }
  }

  /**
   * Used = distinct (series, metric, ts) among usable rows, duplicates = the rest of them, both summed from the
   * gpu_samples rows they went into; quarantined rows and the samples of MIG parents (ignored) from the series.
   */
  static SourceAccounting count(SeriesRead read, RuleCounts rules, Dataset<Row> gpuSamples) {
    Row merged =
        GlobalAggregate.of(
            gpuSamples,
            sum(col(GpuSampleTransform.RAW_ROWS)),
            sum(col(GpuSampleTransform.DUPLICATE_ROWS)));
    long usable = merged.isNullAt(0) ? 0 : merged.getLong(0);
    long duplicates = merged.isNullAt(1) ? 0 : merged.getLong(1);
    return read.accounting(
        SOURCE, usable - duplicates, rules.quarantined(), duplicates, rules.ignored());
  }

  /** What the per-series row counts say the rules did: rows quarantined, and rows of MIG parents (ignored). */
  record RuleCounts(long quarantined, long ignored) {
    static RuleCounts of(Dataset<Row> units) {
      Column clean = col(ROWS).minus(col(REJECTED_ROWS));
      Column seriesRejected = col(GpuSampleTransform.SERIES_REASON).isNotNull();
      Row r =
          GlobalAggregate.of(
              units,
              sum(col(REJECTED_ROWS).plus(when(seriesRejected, clean).otherwise(0L))),
              sum(
                  when(not(seriesRejected).and(col(GpuSampleTransform.MIG_PARENT)), clean)
                      .otherwise(0L)));
      return new RuleCounts(r.isNullAt(0) ? 0 : r.getLong(0), r.isNullAt(1) ? 0 : r.getLong(1));
    }
  }
}
