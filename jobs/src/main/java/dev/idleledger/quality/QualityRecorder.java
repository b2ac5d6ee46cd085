package dev.idleledger.quality;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.idleledger.RunFailedException;
import dev.idleledger.quality.QualityTables.Quarantine;
import dev.idleledger.spark.LakeTables;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Collects the checks of one run for one date and writes them to {@code run_quality} (through its {@link
 * QualityLog}); writes rejected rows to {@code quarantine}. Checks are written before a failing check stops the
 * run, so the evidence survives.
 */
public final class QualityRecorder {
  private final LakeTables tables;
  private final QualityLog log;
  private final String runId;
  private final LocalDate date;
  private final List<Row> checks = new ArrayList<>();
  private final List<String> failures = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();

  /**
   * Held while a date's rejected rows are replaced, by this recorder and every {@link #part} of it: the sources of a
   * date share the quarantine table and its date partition, and two Delta commits that each replace rows of the same
   * partition conflict (the later one fails) even when their sources differ.
   */
  private final Object quarantineWrites;

  /** A recorder whose every flush is a commit of its own. */
  public QualityRecorder(LakeTables tables, String runId, LocalDate date) {
    this(tables, QualityLog.direct(tables), runId, date);
  }

  /** A recorder whose flushes go to {@code log} (a night's, held for one commit). */
  public QualityRecorder(LakeTables tables, QualityLog log, String runId, LocalDate date) {
    this(tables, log, runId, date, new Object());
  }

  private QualityRecorder(
      LakeTables tables, QualityLog log, String runId, LocalDate date, Object quarantineWrites) {
    this.tables = tables;
    this.log = log;
    this.runId = runId;
    this.date = date;
    this.quarantineWrites = quarantineWrites;
  }

  /**
   * A recorder for one source of this date while the date's sources ingest at once, each on a thread of its own: it
   * collects that source's checks apart from the others', to be taken back in source order ({@link #absorb}), so the
   * date's checks and its first failure do not depend on which source finished first. Its quarantine writes take turns
   * with this recorder's and its other parts'.
   */
  public QualityRecorder part() {
    return new QualityRecorder(tables, log, runId, date, quarantineWrites);
  }

  /** Takes a {@link #part}'s checks, failures and warnings, after this recorder's own. */
  public void absorb(QualityRecorder part) {
    if (!part.date.equals(date) || !part.runId.equals(runId)) {
      throw new IllegalArgumentException(
          "checks of run "
              + part.runId
              + " on "
              + part.date
              + " are not of "
              + runId
              + " on "
              + date);
    }
    checks.addAll(part.checks);
    failures.addAll(part.failures);
    warnings.addAll(part.warnings);
    part.checks.clear();
    part.failures.clear();
    part.warnings.clear();
  }

  public String runId() {
    return runId;
  }

  public LocalDate date() {
    return date;
  }

  /** Records the row accounting of a source and whether its quarantined share is within the threshold. */
  public void recordAccounting(SourceAccounting a, double maxQuarantineShare) {
    recordAccounting(a, maxQuarantineShare, null);
  }

  /**
   * As {@link #recordAccounting(SourceAccounting, double)}; {@code rejectedWhy} (null = nothing to add) says what was
   * rejected and why — a whole file, say — so a failed share names it instead of only counting rows.
   */
  public void recordAccounting(SourceAccounting a, double maxQuarantineShare, String rejectedWhy) {
    boolean balanced = a.balances();
    add(
        "rows_accounted",
        a.source(),
        a,
        null,
        null,
        balanced,
        balanced
            ? "read = used + quarantined + duplicate + ignored"
            : "rows unaccounted for: read "
                + a.rowsRead()
                + " != used "
                + a.rowsUsed()
                + " + quarantined "
                + a.rowsQuarantined()
                + " + duplicate "
                + a.rowsDuplicate()
                + " + ignored "
                + a.rowsIgnored());
    boolean shareOk = a.quarantinedShare() <= maxQuarantineShare;
    add(
        "quarantine_share",
        a.source(),
        a,
        a.quarantinedShare(),
        maxQuarantineShare,
        shareOk,
        shareOk
            ? ""
            : a.source()
                + ": "
                + a.rowsQuarantined()
                + " of "
                + a.rowsRead()
                + " rows quarantined, above quality.max_quarantine_share"
                + (rejectedWhy == null ? "" : "; " + rejectedWhy));
  }

  /** Records a check with a measured value (coverage, reconciliation delta, ...). */
  public void recordValue(
      String check, String source, double value, Double threshold, boolean passed, String detail) {
    add(check, source, null, value, threshold, passed, detail);
  }

  /**
   * Records something the run worked around but a person should fix (an instance type the catalog lacks, GPUs
   * no cluster knows): it passes, and when its value (how many) is not 0 it is kept for the run's log (see
   * {@link #warnings}); a 0 is recorded too, so a clean night says so.
   */
  public void recordWarning(String check, String source, double value, String detail) {
    add(check, source, null, value, null, true, detail);
    if (value != 0) {
      warnings.add(check + " (" + source + "): " + detail);
    }
  }

  private void add(
      String check,
      String source,
      SourceAccounting a,
      Double value,
      Double threshold,
      boolean passed,
      String detail) {
    checks.add(
        RowFactory.create(
            Date.valueOf(date),
            runId,
            check,
            source,
            a == null ? null : a.rowsRead(),
            a == null ? null : a.rowsUsed(),
            a == null ? null : a.rowsQuarantined(),
            a == null ? null : a.rowsDuplicate(),
            value,
            threshold,
            passed,
            detail,
            Timestamp.from(Instant.now())));
    if (!passed) {
      failures.add(check + " (" + source + "): " + detail);
    }
  }

  /**
   * Replaces this date's rejected rows of the source with {@code rejected} (columns of {@link QualityTables#QUARANTINE})
   * in one commit, so a re-run leaves the rows of its own read.
   */
  public void writeQuarantine(String source, Dataset<Row> rejected) {
    Column ofSource =
        col(Quarantine.DATE)
            .equalTo(lit(Date.valueOf(date)))
            .and(col(Quarantine.SOURCE).equalTo(lit(source)));
    synchronized (quarantineWrites) {
      tables.replaceWhere(
          QualityTables.QUARANTINE, rejected, ofSource, "the rows of " + source + " on " + date);
    }
  }

  /**
   * {@link #writeQuarantine(String, Dataset)} for a read that has counted what it rejected ({@code rejectedCount}:
   * rows quarantined plus files unusable). With none, the date's rows of the source are replaced by none without
   * building or running {@code rejected}'s query: a table that holds no file is not written at all, and a re-run over
   * a corrected input still takes the date's earlier rejects away.
   */
  public void writeQuarantine(String source, long rejectedCount, Supplier<Dataset<Row>> rejected) {
    if (rejectedCount > 0) {
      writeQuarantine(source, rejected.get());
    } else {
      clearQuarantine(source);
    }
  }

  /**
   * Takes away the date's rejected rows of the source (a read that rejected nothing): a DELETE when the quarantine
   * has files, nothing when it has none.
   */
  public void clearQuarantine(String source) {
    writeQuarantine(
        source, tables.spark().createDataFrame(List.of(), QualityTables.QUARANTINE.schema()));
  }

  /** Flushes the collected checks to the log (written now, or held for the night); then fails the run if any failed. */
  public void flushAndFailIfAnyFailed() {
    flush();
    if (!failures.isEmpty()) {
      throw new RunFailedException(
          failures.get(0)
              + (failures.size() > 1
                  ? " (and " + (failures.size() - 1) + " more failed checks in run_quality)"
                  : ""));
    }
  }

  public void flush() {
    log.add(checks);
    checks.clear();
  }

  public List<String> failures() {
    return List.copyOf(failures);
  }

  public List<String> warnings() {
    return List.copyOf(warnings);
  }
}
