package dev.idleledger.ingest.telemetry;

import static dev.idleledger.ingest.series.SeriesColumns.*;
import static org.apache.spark.sql.functions.*;

import dev.idleledger.config.LedgerConfig;
import dev.idleledger.ingest.SilverTables;
import dev.idleledger.ingest.series.SeriesArchiveReader;
import dev.idleledger.ingest.series.SeriesRead;
import dev.idleledger.quality.QualityRecorder;
import dev.idleledger.quality.SourceAccounting;
import dev.idleledger.spark.LakeTables;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The telemetry stage: reads one day of dcgm-exporter samples from {@code input.telemetry}, writes silver
 * {@code gpu_samples} for the date, the rejected rows to {@code quarantine}, and the row accounting.
 *
 * <p>Jobs over the archive, in order: the file probe (footers; gzip decompression), the raw count pass
 * (read/ignored and per-split line bookkeeping), the distinct series (cached), the silver write (one
 * shuffle by unit), the quarantine write (only rejected rows survive the filter), and the accounting
 * aggregate (a shuffle keyed by sample to tell duplicates apart). Nothing is persisted at sample
 * granularity: at fleet scale re-reading columnar input is cheaper than caching ~700 M rows. The accounting
 * shuffle is the first lever if the benchmark asks (duplicates could be counted inside the pivot instead).
 */
public final class TelemetryIngest {
  public static final String SOURCE = "telemetry";

  private final SparkSession spark;
  private final LedgerConfig config;

  public TelemetryIngest(SparkSession spark, LedgerConfig config) {
    this.spark = spark;
    this.config = config;
  }

  /** Runs the stage for {@code date}; empty when {@code input.telemetry} is empty (source absent). */
  public Optional<SourceAccounting> run(LocalDate date, QualityRecorder quality) {
    if (config.telemetryRoot.isEmpty()) {
      return Optional.empty();
    }
    GpuSampleTransform transform = new GpuSampleTransform(config.maxSampleGapSeconds);
    SeriesRead read = new SeriesArchiveReader(spark).read(config.telemetryRoot, date, GpuSampleTransform.metrics());
    // The series frame is small (one row per label set) and every query below broadcasts it: compute it once.
    Dataset<Row> units = transform.seriesUnits(read.series()).persist();
    try {
      Dataset<Row> classified = transform.classify(read.samples(), units);
      LakeTables tables = new LakeTables(spark, config);
      tables.replaceDates(SilverTables.GPU_SAMPLES,
          transform.toGpuSamples(GpuSampleTransform.usable(classified), units), List.of(date));
      quality.writeQuarantine(SOURCE, read.quarantine(classified.filter(col(REASON).isNotNull()), date, quality.runId(), SOURCE));
      SourceAccounting accounting = count(read, classified);
      quality.recordAccounting(accounting, config.maxQuarantineShare);
      return Optional.of(accounting);
    } finally {
      units.unpersist();
    }
  }

  /**
   * Used = distinct (ts, metric, canonical series) among usable rows, duplicates = the rest of them; quarantined rows
   * and the samples of MIG parents (ignored) are counted as they are. One aggregate job.
   */
  static SourceAccounting count(SeriesRead read, Dataset<Row> classified) {
    Row totals = classified
        .withColumn("category", when(col(REASON).isNotNull(), lit("q"))
            .when(col(GpuSampleTransform.MIG_PARENT), lit("x")).otherwise(lit("u")))
        .groupBy(col("category"), col(TS), col(METRIC), col(SERIES_KEY)).count()
        .agg(sum(when(col("category").equalTo("q"), col("count")).otherwise(0L)).as("quarantined"),
            sum(when(col("category").equalTo("x"), col("count")).otherwise(0L)).as("ignored"),
            sum(when(col("category").equalTo("u"), col("count")).otherwise(0L)).as("usable"),
            sum(when(col("category").equalTo("u"), 1L).otherwise(0L)).as("used"))
        .first();
    long quarantined = totals.isNullAt(0) ? 0 : totals.getLong(0);
    long ignored = totals.isNullAt(1) ? 0 : totals.getLong(1);
    long usable = totals.isNullAt(2) ? 0 : totals.getLong(2);
    long used = totals.isNullAt(3) ? 0 : totals.getLong(3);
    return read.accounting(SOURCE, used, quarantined, usable - used, ignored);
  }
}
