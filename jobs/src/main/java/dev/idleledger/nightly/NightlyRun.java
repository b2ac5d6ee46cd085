package dev.idleledger.nightly;

import dev.idleledger.attribute.AttributeStage;
import dev.idleledger.attribute.CostAttribution;
import dev.idleledger.cli.Progress;
import dev.idleledger.config.InstanceCatalog;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.ingest.billing.BillingIngest;
import dev.idleledger.ingest.kube.KubeStateIngest;
import dev.idleledger.ingest.telemetry.TelemetryIngest;
import dev.idleledger.quality.QualityRecorder;
import dev.idleledger.quality.SourceAccounting;
import dev.idleledger.recommend.RecommendStage;
import dev.idleledger.rollup.RollupStage;
import dev.idleledger.tickets.TicketRunResult;
import dev.idleledger.tickets.TicketStage;
import dev.idleledger.spark.JobDescriptions;
import dev.idleledger.spark.LakeTables;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;

/**
 * One night: for date D and the lookback days before it (late telemetry, restated bills), oldest first,
 * ingest → attribute → rollup → recommend → tickets. Every write replaces whole dates, so running a night twice changes nothing.
 */
public final class NightlyRun {
  private final SparkSession spark;
  private final LedgerConfig config;
  private final InstanceCatalog catalog;
  private StageListener stageListener = (date, stage, seconds) -> {};

  /** Told the wall time of each stage of each date as it ends (the benchmark's per-stage breakdown). */
  @FunctionalInterface
  public interface StageListener {
    void stageDone(LocalDate date, String stage, double seconds);
  }

  public NightlyRun(SparkSession spark, LedgerConfig config) {
    this.spark = spark;
    this.config = config;
    this.catalog = InstanceCatalog.load(config);
  }

  public NightlyRun onStageDone(StageListener listener) {
    this.stageListener = listener;
    return this;
  }

  /** The dates a night covers: D − lookback … D, oldest first. */
  public static List<LocalDate> datesFor(LocalDate date, int lookbackDays) {
    List<LocalDate> dates = new ArrayList<>();
    for (int back = lookbackDays; back >= 0; back--) {
      dates.add(date.minusDays(back));
    }
    return dates;
  }

  public void run(LocalDate date, int lookbackDays) {
    runRange(date.minusDays(lookbackDays), date);
  }

  /** Every date from {@code from} to {@code to} inclusive, oldest first, under one run id (backfill, demo). */
  public void runRange(LocalDate from, LocalDate to) {
    String runId = newRunId();
    for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
      runDate(d, runId);
    }
  }

  /** Ingests, attributes and rolls up one date; fails (after writing the evidence) when a check fails. */
  public void runDate(LocalDate date, String runId) {
    long start = System.nanoTime();
    QualityRecorder quality = new QualityRecorder(new LakeTables(spark, config), runId, date);
    List<SourceAccounting> sources = new ArrayList<>();
    JobDescriptions.stage(spark, runId, "ingest telemetry", date);
    new TelemetryIngest(spark, config).run(date, quality).ifPresent(sources::add);
    JobDescriptions.stage(spark, runId, "ingest kube", date);
    new KubeStateIngest(spark, config).run(date, quality).ifPresent(sources::add);
    JobDescriptions.stage(spark, runId, "ingest billing", date);
    sources.addAll(new BillingIngest(spark, config).run(date, quality));
    for (SourceAccounting a : sources) {
      Progress.line("%s ingest %-14s read %,d used %,d quarantined %,d duplicate %,d", date, a.source(), a.rowsRead(), a.rowsUsed(),
          a.rowsQuarantined(), a.rowsDuplicate());
    }
    if (!quality.failures().isEmpty()) {
      quality.flushAndFailIfAnyFailed();
    }
    long ingested = System.nanoTime();
    JobDescriptions.stage(spark, runId, "attribute", date);
    CostAttribution.Result attribution = new AttributeStage(spark, config, catalog).run(date, quality);
    long attributed = System.nanoTime();
    try {
      JobDescriptions.stage(spark, runId, "rollup", date);
      new RollupStage(spark, config).run(date, attribution, quality);
    } finally {
      attribution.release();
    }
    long rolledUp = System.nanoTime();
    JobDescriptions.stage(spark, runId, "recommend", date);
    new RecommendStage(spark, config, catalog).run(date, quality);
    long recommended = System.nanoTime();
    JobDescriptions.stage(spark, runId, "tickets", date);
    TicketStage tickets = new TicketStage(spark, config);
    TicketRunResult ticketResult = tickets.run(date, tickets.defaultTable(), false);
    Progress.line("%s %s", date, ticketResult.summary());
    // A ticket that could not be filed does not stop the night; it is recorded as ERROR and fails the exit code.
    ticketResult.errors().forEach(e -> quality.recordValue("tickets", "tickets", 1, null, false, e));
    long ticketed = System.nanoTime();
    Map<String, Double> stageSeconds = new LinkedHashMap<>();
    stageSeconds.put("ingest", (ingested - start) / 1e9);
    stageSeconds.put("attribute", (attributed - ingested) / 1e9);
    stageSeconds.put("rollup", (rolledUp - attributed) / 1e9);
    stageSeconds.put("recommend", (recommended - rolledUp) / 1e9);
    stageSeconds.put("tickets", (ticketed - recommended) / 1e9);
    Progress.line("%s stages: %s", date, stageSeconds.entrySet().stream()
        .map(e -> String.format(Locale.ROOT, "%s %.1f s", e.getKey(), e.getValue())).collect(Collectors.joining(", ")));
    stageSeconds.forEach((stage, seconds) -> stageListener.stageDone(date, stage, seconds));
    JobDescriptions.stage(spark, runId, "run_quality", date);
    quality.flushAndFailIfAnyFailed();
    Progress.line("%s done in %.1f s (run %s)", date, (System.nanoTime() - start) / 1e9, runId);
  }

  public static String newRunId() {
    return Instant.now().toString().replaceAll("[^0-9T]", "").substring(0, 15) + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
