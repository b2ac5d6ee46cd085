package dev.idleledger.nightly;

import dev.idleledger.Progress;
import dev.idleledger.attribute.AttributeStage;
import dev.idleledger.config.InstanceCatalog;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.ingest.billing.BillingIngest;
import dev.idleledger.ingest.kube.KubeStateIngest;
import dev.idleledger.ingest.telemetry.TelemetryIngest;
import dev.idleledger.quality.QualityLog;
import dev.idleledger.quality.QualityRecorder;
import dev.idleledger.quality.SourceAccounting;
import dev.idleledger.recommend.RecommendStage;
import dev.idleledger.rollup.RollupStage;
import dev.idleledger.spark.JobDescriptions;
import dev.idleledger.spark.LakeTables;
import dev.idleledger.spark.NightWrites;
import dev.idleledger.spark.QuerySettings;
import dev.idleledger.spark.WrittenRows;
import dev.idleledger.tables.RecommendationTables;
import dev.idleledger.tickets.TicketRunResult;
import dev.idleledger.tickets.TicketStage;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * One night. {@code nightly --date D}: ingest → attribute → rollup for each of D − lookback … D that needs it
 * (oldest first), then recommend for D, then tickets for D. {@code backfill --from A --to B}: the same for every
 * date of A … B, recommend for every night of the range (one {@code recommendation_history} night each, as if each
 * night had run), tickets once, for B.
 *
 * <p>A date needs recomputing when its inputs changed since it was last published: each published date's input
 * manifest is kept in {@code run_inputs} (its raw files with size and modification time, the billing lines that
 * price it, the money settings; see {@link InputManifest}). A date whose manifest is unchanged is kept as it is
 * ("inputs unchanged since run …, kept"); one without a manifest or with changed inputs is recomputed whole. When no
 * date changed, recommend and tickets do not run either, so an Airflow re-run of a night with nothing new publishes
 * nothing. {@link #force} recomputes every date regardless. The manifests are recorded last, after tickets: a run
 * that fails anywhere leaves its dates to be recomputed by the retry.
 *
 * <p>Tickets act only for the newest night seen ({@link NewestNight}): a night older than one already recommended,
 * or older than the archive's newest complete day (an Airflow catch-up), records its history but files, comments on
 * and closes nothing. Every write replaces whole dates, so running a night twice changes nothing.
 */
public final class NightlyRun {
  private final SparkSession spark;
  private final LedgerConfig config;
  private final InstanceCatalog catalog;
  private final LakeTables tables;
  private StageListener stageListener = (date, stage, seconds) -> {};
  private boolean force;

  /** Told the wall time of each stage of each date as it ends (the benchmark's per-stage breakdown). */
  @FunctionalInterface
  public interface StageListener {
    void stageDone(LocalDate date, String stage, double seconds);
  }

  /** What one night did: the dates it published (recomputed) and kept, the nights it recommended, and the night tickets acted for. */
  public record Night(
      String runId,
      List<LocalDate> published,
      List<LocalDate> kept,
      List<LocalDate> recommended,
      Optional<LocalDate> ticketsFor) {}

  public NightlyRun(SparkSession spark, LedgerConfig config) {
    this.spark = spark;
    this.config = config;
    this.catalog = InstanceCatalog.load(config);
    this.tables = new LakeTables(spark, config);
  }

  /** Recompute every date, recommend and act on tickets even when no input changed ({@code --force}). */
  public NightlyRun force(boolean recomputeAll) {
    this.force = recomputeAll;
    return this;
  }

  public NightlyRun onStageDone(StageListener listener) {
    this.stageListener = listener;
    return this;
  }

  /** The dates a night covers: D − lookback … D, oldest first. */
  public static List<LocalDate> datesFor(LocalDate date, int lookbackDays) {
    return datesBetween(date.minusDays(lookbackDays), date);
  }

  private static List<LocalDate> datesBetween(LocalDate from, LocalDate to) {
    List<LocalDate> dates = new ArrayList<>();
    for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
      dates.add(d);
    }
    return dates;
  }

  /** {@code nightly --date date --lookback lookbackDays}: recommend and tickets for {@code date} only. */
  public Night run(LocalDate date, int lookbackDays) {
    return night(datesFor(date, lookbackDays), List.of(date));
  }

  /** {@code backfill --from --to}: every date of the range, recommend for each night, tickets for {@code to}. */
  public Night runRange(LocalDate from, LocalDate to) {
    List<LocalDate> dates = datesBetween(from, to);
    return night(dates, dates);
  }

  private Night night(List<LocalDate> dates, List<LocalDate> nights) {
    // The night sets how queries run per date (QuerySettings); the session leaves it as it came.
    QuerySettings.Saved asCame = QuerySettings.save(spark);
    // Every date's and night's checks go to run_quality in one commit, at the end or when the night
    // fails: the evidence of a failed check is written before the failure goes on.
    QualityLog qualityLog = QualityLog.heldForNight(tables);
    try {
      return runNight(dates, nights, qualityLog);
    } catch (RuntimeException | Error failed) {
      try {
        qualityLog.write();
      } catch (RuntimeException notWritten) {
        failed.addSuppressed(notWritten);
      }
      throw failed;
    } finally {
      asCame.restore();
    }
  }

  private Night runNight(List<LocalDate> dates, List<LocalDate> nights, QualityLog qualityLog) {
    String runId = newRunId();
    LocalDate lastNight = nights.get(nights.size() - 1);
    JobDescriptions.stage(spark, runId, "prepare", lastNight);
    LakeSchema.upgrade(tables);
    // Asked before anything is written: whether a night is current depends on what earlier runs
    // recommended.
    Optional<LocalDate> newestRecommended = NewestNight.newestRecommended(tables);
    // On a new lake, recommend's window holds only what tonight writes: taken from memory where
    // tonight's dates kept it.
    NightWrites tonight = NightWrites.startingFrom(tables, RecommendStage.WINDOW_TABLES);
    RunInputs runInputs = new RunInputs(tables);
    List<LocalDate> published = new ArrayList<>();
    List<LocalDate> kept = new ArrayList<>();
    List<InputManifest> manifests = new ArrayList<>();
    RecommendStage recommend = new RecommendStage(spark, config, catalog);
    // The manifests of the dates tonight may recompute and of the dates recommend reads, in one
    // read.
    Set<LocalDate> read = new TreeSet<>(dates);
    nights.forEach(n -> read.addAll(recommendWindow(n, recommend)));
    Map<LocalDate, InputManifest> recorded = runInputs.recorded(read);
    try (BillingIngest billing = new BillingIngest(spark, config, dates)) {
      ManifestBuilder builder =
          new ManifestBuilder(config, spark.sparkContext().hadoopConfiguration(), billing);
      for (LocalDate d : dates) {
        JobDescriptions.stage(spark, runId, "input manifest", d);
        InputManifest current = builder.current(d);
        InputManifest before = recorded.get(d);
        Optional<String> change =
            before == null
                ? Optional.of("no input manifest yet")
                : current.changedSince(before, () -> billing.linesFingerprint(d));
        if (!force && change.isEmpty()) {
          Progress.line("%s: inputs unchanged since run %s, kept", d, before.runId());
          kept.add(d);
          continue;
        }
        Progress.line("%s: %s, recomputed", d, force ? "--force" : change.get());
        QuerySettings.forInput(spark, config, current.rawBytes());
        boolean small = QuerySettings.isSmall(config, current.rawBytes());
        tonight.published(d, publish(d, runId, billing, small, qualityLog));
        JobDescriptions.stage(spark, runId, "input manifest", d);
        manifests.add(builder.withBillingLines(current));
        published.add(d);
      }
    }
    if (published.isEmpty() && !force) {
      Progress.line(
          "%s: no date changed; recommend and tickets not run", nights.get(nights.size() - 1));
      return new Night(runId, List.of(), List.copyOf(kept), List.of(), Optional.empty());
    }
    LocalDate ticketNight = nights.get(nights.size() - 1);
    Map<LocalDate, QualityRecorder> recorders = new LinkedHashMap<>();
    Map<LocalDate, Long> rawBytes = new HashMap<>();
    recorded.forEach((d, m) -> rawBytes.put(d, m.rawBytes()));
    manifests.forEach(m -> rawBytes.put(m.date(), m.rawBytes()));
    for (LocalDate n : nights) {
      QualityRecorder quality =
          recorders.computeIfAbsent(n, d -> new QualityRecorder(tables, qualityLog, runId, d));
      boolean current = newestRecommended.isEmpty() || !n.isBefore(newestRecommended.get());
      // Recommend reads its whole window, not only the dates recomputed tonight: a small late date
      // over a fleet-sized week is a fleet-sized recommend. A date no run has read holds no rows.
      long windowBytes =
          recommendWindow(n, recommend).stream().mapToLong(d -> rawBytes.getOrDefault(d, 0L)).sum();
      QuerySettings.forInput(spark, config, windowBytes);
      JobDescriptions.stage(spark, runId, "recommend", n);
      // A new lake's first recommendations are written by tickets, with the tickets it files.
      boolean leaveToTickets = n.equals(ticketNight) && ticketsActOnRecommendations();
      timed(n, "recommend", () -> recommend.run(n, quality, current, tonight, leaveToTickets));
    }
    Optional<Dataset<Row>> unwritten = recommend.takeUnwritten();
    Optional<String> notNewest =
        NewestNight.whyNotNewest(
            tables,
            config,
            spark.sparkContext().hadoopConfiguration(),
            ticketNight,
            newestRecommended);
    Optional<LocalDate> ticketsFor = Optional.empty();
    if (notNewest.isPresent()) {
      unwritten.ifPresent(rows -> tables.append(RecommendationTables.RECOMMENDATIONS, rows));
      Progress.line(
          "%s tickets: none filed, commented or closed: not the newest night (%s); its history is recorded",
          ticketNight, notNewest.get());
    } else {
      QualityRecorder quality = recorders.get(ticketNight);
      JobDescriptions.stage(spark, runId, "tickets", ticketNight);
      timed(
          ticketNight,
          "tickets",
          () -> {
            TicketStage tickets = new TicketStage(spark, config);
            TicketRunResult result =
                tickets.run(ticketNight, tickets.defaultTable(), false, unwritten);
            Progress.line("%s %s", ticketNight, result.summary());
            // A ticket that could not be filed does not stop the night; it is recorded as ERROR and
            // fails the exit code.
            result
                .errors()
                .forEach(e -> quality.recordValue("tickets", "tickets", 1, null, false, e));
          });
      ticketsFor = Optional.of(ticketNight);
    }
    JobDescriptions.stage(spark, runId, "finish", lastNight);
    recorders.values().forEach(QualityRecorder::flush);
    qualityLog.write();
    recorders.values().forEach(QualityRecorder::flushAndFailIfAnyFailed);
    runInputs.record(manifests, runId);
    return new Night(
        runId, List.copyOf(published), List.copyOf(kept), List.copyOf(nights), ticketsFor);
  }

  /**
   * Whether the ticket stage acts on this lake's {@code recommendations} table ({@code tickets.table} may name
   * another).
   */
  private boolean ticketsActOnRecommendations() {
    return new TicketStage(spark, config)
        .defaultTable()
        .equals(tables.qualified(RecommendationTables.RECOMMENDATIONS));
  }

  /** The dates recommend reads for {@code night}: its window, ending that night. */
  private static List<LocalDate> recommendWindow(LocalDate night, RecommendStage recommend) {
    return datesBetween(night.minusDays(recommend.settings().windowDays() - 1L), night);
  }

  /**
   * Ingests, attributes and rolls up one date (publishes its silver and gold rows), whatever its inputs, and records no
   * manifest; fails (after writing the evidence) when a check fails. How queries run is set by the date's raw input,
   * as a night sets it for each date it recomputes, and put back after.
   */
  public void runDate(LocalDate date, String runId) {
    QuerySettings.Saved asCame = QuerySettings.save(spark);
    try (BillingIngest billing = new BillingIngest(spark, config, List.of(date))) {
      InputManifest input =
          new ManifestBuilder(config, spark.sparkContext().hadoopConfiguration(), billing)
              .current(date);
      QuerySettings.forInput(spark, config, input.rawBytes());
      publish(
          date,
          runId,
          billing,
          QuerySettings.isSmall(config, input.rawBytes()),
          QualityLog.direct(tables));
    } finally {
      asCame.restore();
    }
  }

  /**
   * {@code small}: the date's raw input is small ({@link QuerySettings#isSmall}), so its sources ingest at once ({@link
   * DateIngest}), its ingest keeps the silver rows it writes, and attribute and rollup take them from memory instead of
   * reading them back from the lake ({@link WrittenRows}). Returns what the date wrote, as far as it knows it.
   */
  private WrittenRows publish(
      LocalDate date, String runId, BillingIngest billing, boolean small, QualityLog qualityLog) {
    long start = System.nanoTime();
    QualityRecorder quality = new QualityRecorder(tables, qualityLog, runId, date);
    // What the date's ingest replaced with nothing, the attribute and rollup read as empty local
    // frames (no file listing, queries folded on the driver): a date without input runs few jobs.
    // A small date's rows they take as written, from memory.
    WrittenRows writtenRows = WrittenRows.forDate(small);
    // A small date's three sources ingest at once, a fleet-sized date's one after another.
    List<SourceAccounting> sources =
        DateIngest.run(
            List.of(
                described(
                    runId,
                    date,
                    TelemetryIngest.SOURCE,
                    part ->
                        new TelemetryIngest(spark, config)
                            .noting(writtenRows).run(date, part).stream().toList()),
                described(
                    runId,
                    date,
                    KubeStateIngest.SOURCE,
                    part ->
                        new KubeStateIngest(spark, config)
                            .noting(writtenRows).run(date, part).stream().toList()),
                described(runId, date, "billing", part -> billing.run(date, part, writtenRows))),
            quality,
            small);
    for (SourceAccounting a : sources) {
      Progress.line(
          "%s ingest %-14s read %,d used %,d quarantined %,d duplicate %,d",
          date, a.source(), a.rowsRead(), a.rowsUsed(), a.rowsQuarantined(), a.rowsDuplicate());
    }
    if (!quality.failures().isEmpty()) {
      quality.flushAndFailIfAnyFailed();
    }
    long ingested = System.nanoTime();
    JobDescriptions.stage(spark, runId, "attribute", date);
    AttributeStage.AttributedDate attribution =
        new AttributeStage(spark, config, catalog).run(date, quality, writtenRows);
    long attributed = System.nanoTime();
    JobDescriptions.stage(spark, runId, "rollup", date);
    new RollupStage(spark, config).run(date, attribution, quality);
    long rolledUp = System.nanoTime();
    Map<String, Double> stageSeconds = new LinkedHashMap<>();
    stageSeconds.put("ingest", (ingested - start) / 1e9);
    stageSeconds.put("attribute", (attributed - ingested) / 1e9);
    stageSeconds.put("rollup", (rolledUp - attributed) / 1e9);
    Progress.line(
        "%s stages: %s",
        date,
        stageSeconds.entrySet().stream()
            .map(e -> String.format(Locale.ROOT, "%s %.1f s", e.getKey(), e.getValue()))
            .collect(Collectors.joining(", ")));
    stageSeconds.forEach((stage, seconds) -> stageListener.stageDone(date, stage, seconds));
    quality.warnings().forEach(w -> Progress.line("%s WARNING %s", date, w));
    quality.flushAndFailIfAnyFailed();
    Progress.line(
        "%s published in %.1f s (run %s)", date, (System.nanoTime() - start) / 1e9, runId);
    return writtenRows;
  }

  /** A source's ingest whose Spark jobs are described as "ingest {source} {date}", on whichever thread it runs. */
  private DateIngest.Source described(
      String runId,
      LocalDate date,
      String source,
      Function<QualityRecorder, List<SourceAccounting>> ingest) {
    return new DateIngest.Source(
        source,
        part -> {
          JobDescriptions.stage(spark, runId, "ingest " + source, date);
          return ingest.apply(part);
        });
  }

  private void timed(LocalDate date, String stage, Runnable work) {
    long start = System.nanoTime();
    work.run();
    double seconds = (System.nanoTime() - start) / 1e9;
    Progress.line("%s %s %.1f s", date, stage, seconds);
    stageListener.stageDone(date, stage, seconds);
  }

  public static String newRunId() {
    return Instant.now().toString().replaceAll("[^0-9T]", "").substring(0, 15)
        + "-"
        + UUID.randomUUID().toString().substring(0, 8);
  }
}
