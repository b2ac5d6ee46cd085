package dev.idleledger.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.idleledger.quality.QualityTables.Quarantine;
import dev.idleledger.spark.LakeTables;
import dev.idleledger.testing.TestSpark;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * A re-run replaces a date's rejected rows of one source and leaves every other source and date as it was, whichever
 * route the write takes: the first rows of an empty table, rows over a table with files, no rows at all; and so do a
 * date's sources writing at once.
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

  @Test
  void partsOfADateReplacingTheirSourcesRejectsAtOnceLeaveEachSourcesLastRows() throws Exception {
    SparkSession spark = TestSpark.session();
    LakeTables tables = new LakeTables(spark, "quarantine_at_once");
    QualityRecorder date = new QualityRecorder(tables, "run-1", D1);
    List<String> sources = List.of("telemetry", "kube", "billing");
    for (String source : sources) {
      date.writeQuarantine(source, rejects(spark, D1, "run-1", source, 0));
    }

    // Three sources of the date, each on its own thread as a night ingests them, each replacing
    // its rows three times, every round started together. Two Delta commits that replace rows of
    // the same date partition at once conflict: the parts must take turns.
    CyclicBarrier together = new CyclicBarrier(sources.size());
    ExecutorService threads = Executors.newFixedThreadPool(sources.size());
    List<String> failed = new ArrayList<>();
    try {
      List<Future<?>> writes = new ArrayList<>();
      for (String source : sources) {
        QualityRecorder part = date.part();
        writes.add(
            threads.submit(
                () -> {
                  for (long round = 1; round <= 3; round++) {
                    together.await(60, TimeUnit.SECONDS);
                    try {
                      part.writeQuarantine(source, rejects(spark, D1, "run-1", source, round));
                    } catch (RuntimeException e) {
                      together.reset(); // the others stop waiting for this one
                      throw e;
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> write : writes) {
        try {
          write.get();
        } catch (ExecutionException e) {
          failed.add(e.getCause().toString());
        }
      }
    } finally {
      threads.shutdownNow();
    }
    assertEquals(List.of(), failed, "writes that failed");

    List<Row> left =
        tables
            .read(QualityTables.QUARANTINE)
            .selectExpr(Quarantine.SOURCE, Quarantine.LINE)
            .orderBy(Quarantine.SOURCE)
            .collectAsList();
    assertEquals(
        List.of(
            RowFactory.create("billing", 3L),
            RowFactory.create("kube", 3L),
            RowFactory.create("telemetry", 3L)),
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
