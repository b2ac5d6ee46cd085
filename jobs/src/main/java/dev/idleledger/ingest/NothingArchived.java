package dev.idleledger.ingest;

import dev.idleledger.config.LedgerConfig;
import dev.idleledger.ingest.series.SeriesRead;
import dev.idleledger.quality.QualityRecorder;
import dev.idleledger.quality.SourceAccounting;
import dev.idleledger.spark.LakeTables;
import dev.idleledger.spark.TableSpec;
import dev.idleledger.spark.WrittenRows;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A date for which a source's archive holds nothing: no file with a row of the date, and no unusable file (a lookback
 * date before the fleet's first day, or a day whose files were taken away). Publishes what the source's transform
 * would have folded to over its empty frames, without building those frames: the date's rows of the source's silver
 * tables replaced with none (nothing on a table without files, a DELETE of an earlier run's rows otherwise), its
 * earlier rejects taken away, and an accounting of nothing.
 *
 * <p>Built, the transform's queries over an empty read run no job either (Spark folds them on the driver), but each is
 * still analysed and optimized: on a first night's two empty lookback dates, two sources' worth of planning each, on
 * the cold JVM where planning is slowest.
 */
public final class NothingArchived {
  private NothingArchived() {}

  /**
   * Publishes {@code date} of {@code source} as holding nothing in {@code silver}; {@code read} must be {@link
   * SeriesRead#isEmpty empty}.
   */
  public static SourceAccounting publish(
      SparkSession spark,
      LedgerConfig config,
      LocalDate date,
      SeriesRead read,
      String source,
      List<TableSpec> silver,
      WrittenRows writtenRows,
      QualityRecorder quality) {
    if (!read.isEmpty()) {
      throw new IllegalArgumentException(
          source + " on " + date + ": the archive holds rows or files");
    }
    LakeTables tables = new LakeTables(spark, config);
    for (TableSpec spec : silver) {
      Dataset<Row> none = spark.createDataFrame(List.of(), spec.schema());
      tables.replaceDates(spec, none, List.of(date));
      writtenRows.wrote(spec, none);
    }
    quality.clearQuarantine(source);
    SourceAccounting accounting = read.accounting(source, 0, 0, 0, 0);
    quality.recordAccounting(accounting, config.maxQuarantineShare);
    return accounting;
  }
}
