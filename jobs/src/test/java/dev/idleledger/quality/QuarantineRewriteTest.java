package dev.idleledger.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.idleledger.quality.QualityTables.Quarantine;
import dev.idleledger.spark.LakeTables;
import dev.idleledger.testing.TestSpark;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * A re-run replaces a date's rejected rows of one source and leaves every other source and date as it was, whichever
 * route the write takes: the first rows of an empty table, rows over a table with files, no rows at all.
 */
class QuarantineRewriteTest {
  private static final LocalDate D1 = LocalDate.of(2026, 11, 1);
  private static final LocalDate D2 = LocalDate.of(2026, 11, 2);

  @Test
  void aRerunReplacesOnlyItsDatesRejectsOfEachSource() {
    SparkSession spark = TestSpark.session();
    LakeTables tables = new LakeTables(spark, "quarantine_rewrite");
    QualityRecorder first = new QualityRecorder(tables, "run-1", D1);
    first.writeQuarantine("telemetry", rejects(spark, D1, "run-1", "telemetry", 1, 2));
    first.writeQuarantine("kube", rejects(spark, D1, "run-1", "kube", 7));
    new QualityRecorder(tables, "run-1", D2)
        .writeQuarantine("telemetry", rejects(spark, D2, "run-1", "telemetry", 3));

    // The date again: telemetry now rejects one row of the two, kube none.
    QualityRecorder rerun = new QualityRecorder(tables, "run-2", D1);
    rerun.writeQuarantine("telemetry", rejects(spark, D1, "run-2", "telemetry", 2));
    rerun.writeQuarantine("kube", rejects(spark, D1, "run-2", "kube"));

    List<Row> left =
        tables
            .read(QualityTables.QUARANTINE)
            .selectExpr(Quarantine.DATE, Quarantine.RUN_ID, Quarantine.SOURCE, Quarantine.LINE)
            .orderBy(Quarantine.DATE, Quarantine.SOURCE, Quarantine.LINE)
            .collectAsList();
    assertEquals(
        List.of(
            RowFactory.create(Date.valueOf(D1), "run-2", "telemetry", 2L),
            RowFactory.create(Date.valueOf(D2), "run-1", "telemetry", 3L)),
        left);
  }

  private static Dataset<Row> rejects(
      SparkSession spark, LocalDate date, String runId, String source, long... lines) {
    List<Row> rows = new ArrayList<>();
    for (long line : lines) {
      rows.add(
          RowFactory.create(
              Date.valueOf(date),
              runId,
              source,
              source + ".prom",
              line,
              "unparseable value",
              "gpu_util{gpu=\"0\"} x"));
    }
    return spark.createDataFrame(rows, QualityTables.QUARANTINE.schema());
  }
}
