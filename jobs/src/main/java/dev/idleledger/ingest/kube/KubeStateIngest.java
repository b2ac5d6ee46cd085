package dev.idleledger.ingest.kube;

import static dev.idleledger.ingest.series.SeriesColumns.METRIC;
import static dev.idleledger.ingest.series.SeriesColumns.REASON;
import static dev.idleledger.ingest.series.SeriesColumns.SERIES_KEY;
import static dev.idleledger.ingest.series.SeriesColumns.TS;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count_distinct;
import static org.apache.spark.sql.functions.struct;
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
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The kube state stage: reads one day of kube-state-metrics samples from {@code input.kube}, writes silver
 * {@code pod_info} and {@code node_info} for the date, the rejected rows and the row accounting.
 */
public final class KubeStateIngest {
  public static final String SOURCE = "kube";

  private final SparkSession spark;
  private final LedgerConfig config;
  private WrittenRows writtenRows = WrittenRows.none();

  public KubeStateIngest(SparkSession spark, LedgerConfig config) {
    this.spark = spark;
    this.config = config;
  }

  /** Where to note what replaced the date's pod_info and node_info: rows known to be empty, or kept ({@link WrittenRows}). */
  public KubeStateIngest noting(WrittenRows written) {
    this.writtenRows = written;
    return this;
  }

  /** Runs the stage for {@code date}; empty when {@code input.kube} is empty (source absent). */
  public Optional<SourceAccounting> run(LocalDate date, QualityRecorder quality) {
    if (config.kubeRoot.isEmpty()) {
      return Optional.empty();
    }
    SeriesRead read =
        new SeriesArchiveReader(spark).read(config.kubeRoot, date, KubeStateTransform.METRICS);
    if (read.isEmpty()) {
      return Optional.of(
          NothingArchived.publish(
              spark,
              config,
              date,
              read,
              SOURCE,
              List.of(SilverTables.POD_INFO, SilverTables.NODE_INFO),
              writtenRows,
              quality));
    }
    // Kube state is small: keep the labelled day in memory for the handful of queries below (a day
    // without samples is an empty local frame, which they fold on the driver: not cached).
    Dataset<Row> samples = StageFrames.hold(read.withLabels());
    try {
      Dataset<Row> usable = samples.filter(col(REASON).isNull());
      KubeStateTransform transform = new KubeStateTransform(config.classifier);
      LakeTables tables = new LakeTables(spark, config);
      Dataset<Row> podInfo = writtenRows.toWrite(transform.podInfo(usable, date));
      tables.replaceDates(SilverTables.POD_INFO, podInfo, List.of(date));
      writtenRows.wrote(SilverTables.POD_INFO, podInfo);
      Dataset<Row> nodeInfo = writtenRows.toWrite(transform.nodeInfo(usable, date));
      tables.replaceDates(SilverTables.NODE_INFO, nodeInfo, List.of(date));
      writtenRows.wrote(SilverTables.NODE_INFO, nodeInfo);
      Row totals =
          GlobalAggregate.of(
              samples,
              sum(when(col(REASON).isNotNull(), 1L).otherwise(0L)),
              sum(when(col(REASON).isNull(), 1L).otherwise(0L)),
              count_distinct(
                  when(col(REASON).isNull(), struct(col(TS), col(METRIC), col(SERIES_KEY)))));
      long quarantined = totals.isNullAt(0) ? 0 : totals.getLong(0);
      long usableRows = totals.isNullAt(1) ? 0 : totals.getLong(1);
      long used = totals.getLong(2);
      // Counted before the quarantine is written: a clean day's (empty) rejects are not looked
      // for again, nor written.
      quality.writeQuarantine(
          SOURCE,
          quarantined + read.fileErrors().size(),
          () ->
              read.quarantine(
                  samples.filter(col(REASON).isNotNull()), date, quality.runId(), SOURCE));
      SourceAccounting accounting =
          read.accounting(SOURCE, used, quarantined, usableRows - used, 0);
      quality.recordAccounting(accounting, config.maxQuarantineShare);
      return Optional.of(accounting);
    } finally {
      samples.unpersist();
    }
  }
}
