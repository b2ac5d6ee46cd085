package dev.idleledger.nightly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.idleledger.quality.QualityRecorder;
import dev.idleledger.quality.SourceAccounting;
import dev.idleledger.spark.LakeTables;
import dev.idleledger.testing.TestSpark;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A date's sources ingest at once and come out as they would one after another: checks in source order, every
 * source's writes whole when one fails, the first failure in source order thrown.
 */
class DateIngestTest {
  private static final LocalDate DATE = LocalDate.of(2026, 11, 28);

  /** Long enough for any thread to start; a source that waits this long was not run beside the others. */
  private static final long WAIT_SECONDS = 60;

  @TempDir Path dir;

  @Test
  void sourcesFinishingInReverseOrderHaveTheirChecksTakenInSourceOrder() {
    // Telemetry cannot finish before kube has, nor kube before billing: one after another, the
    // first would wait for a source that has not started.
    CountDownLatch kubeDone = new CountDownLatch(1);
    CountDownLatch billingDone = new CountDownLatch(1);
    List<String> finished = Collections.synchronizedList(new ArrayList<>());
    QualityRecorder quality = recorder();

    List<SourceAccounting> read =
        DateIngest.run(
            List.of(
                source("telemetry", 10, kubeDone, null, finished),
                source("kube", 20, billingDone, kubeDone, finished),
                source("billing", 30, null, billingDone, finished)),
            quality,
            true);

    assertEquals(List.of("billing", "kube", "telemetry"), finished, "the order they finished in");
    assertEquals(
        List.of("telemetry", "kube", "billing"),
        read.stream().map(SourceAccounting::source).toList());
    assertEquals(List.of(10L, 20L, 30L), read.stream().map(SourceAccounting::rowsRead).toList());
    assertEquals(
        List.of(
            "coverage (telemetry): telemetry's check",
            "coverage (kube): kube's check",
            "coverage (billing): billing's check"),
        quality.failures());
  }

  @Test
  void aSourceThatThrowsLetsTheOthersFinishTheirCommitsThenTheFirstFailureIsThrown() {
    SparkSession spark = TestSpark.session();
    // Kube and billing both fail at once; telemetry writes only after both have thrown, so its
    // commit is made while the date is already failing.
    CountDownLatch bothFailed = new CountDownLatch(2);
    IllegalStateException kubeFailure = new IllegalStateException("kube archive unreadable");
    IllegalStateException billingFailure = new IllegalStateException("billing export unreadable");
    Path telemetryTable = dir.resolve("telemetry_rows");
    QualityRecorder quality = recorder();

    IllegalStateException thrown =
        failureOf(
            true,
            quality,
            new DateIngest.Source(
                "telemetry",
                part -> {
                  await(bothFailed);
                  spark.range(5).write().format("delta").save(telemetryTable.toString());
                  part.recordValue("coverage", "telemetry", 0, 1.0, false, "after the others");
                  return List.of(accounting("telemetry", 5));
                }),
            failingSource("kube", kubeFailure, bothFailed),
            failingSource("billing", billingFailure, bothFailed));

    assertSame(kubeFailure, thrown, "the first failure in source order");
    assertEquals(List.of(billingFailure), Arrays.asList(thrown.getSuppressed()));
    assertEquals(5, spark.read().format("delta").load(telemetryTable.toString()).count());
    assertEquals(List.of("coverage (telemetry): after the others"), quality.failures());
  }

  @Test
  void oneAfterAnotherTheSourcesAfterAFailedOneDoNotRun() {
    IllegalStateException kubeFailure = new IllegalStateException("kube archive unreadable");
    List<String> ran = new ArrayList<>();
    QualityRecorder quality = recorder();

    IllegalStateException thrown =
        failureOf(
            false,
            quality,
            new DateIngest.Source(
                "telemetry",
                part -> {
                  ran.add("telemetry");
                  part.recordValue("coverage", "telemetry", 0, null, false, "none");
                  return List.of(accounting("telemetry", 1));
                }),
            failingSource("kube", kubeFailure, new CountDownLatch(1)),
            new DateIngest.Source(
                "billing",
                part -> {
                  ran.add("billing");
                  return List.of(accounting("billing", 1));
                }));

    assertSame(kubeFailure, thrown);
    assertEquals(List.of("telemetry"), ran);
    assertEquals(List.of("coverage (telemetry): none"), quality.failures());
  }

  /** What running {@code sources} (at once or not) threw; fails the test if it threw nothing. */
  private static IllegalStateException failureOf(
      boolean atOnce, QualityRecorder quality, DateIngest.Source... sources) {
    return assertThrows(
        IllegalStateException.class, () -> DateIngest.run(List.of(sources), quality, atOnce));
  }

  /**
   * A source that waits for {@code waitFor} (null: nothing), records a failed check naming itself, notes that it
   * finished and opens {@code done}.
   */
  private static DateIngest.Source source(
      String name, long rows, CountDownLatch waitFor, CountDownLatch done, List<String> finished) {
    return new DateIngest.Source(
        name,
        part -> {
          if (waitFor != null) {
            await(waitFor);
          }
          part.recordValue("coverage", name, 0, 1.0, false, name + "'s check");
          finished.add(name);
          if (done != null) {
            done.countDown();
          }
          return List.of(accounting(name, rows));
        });
  }

  private static DateIngest.Source failingSource(
      String name, RuntimeException failure, CountDownLatch failed) {
    return new DateIngest.Source(
        name,
        part -> {
          failed.countDown();
          throw failure;
        });
  }

  private static SourceAccounting accounting(String source, long rows) {
    return new SourceAccounting(source, rows, rows, 0, 0, 0);
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
        throw new IllegalStateException("waited " + WAIT_SECONDS + " s for another source");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static QualityRecorder recorder() {
    return new QualityRecorder(
        new LakeTables(TestSpark.session(), "date_ingest_test"), "run-1", DATE);
  }
}
