package dev.idleledger.ingest.billing;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import dev.idleledger.cli.Progress;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.config.LedgerConfig.BillingSource;
import dev.idleledger.ingest.SilverTables;
import dev.idleledger.quality.QualityRecorder;
import dev.idleledger.quality.QualityTables;
import dev.idleledger.quality.SourceAccounting;
import dev.idleledger.spark.LakeTables;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import scala.collection.JavaConverters;

/**
 * The billing stage: CUR 2.0 and/or FOCUS exports → silver {@code billing_hourly} (and CUR's split cost allocation rows →
 * {@code billing_pod_split}) for one UTC date, rejected rows →
 * {@code quarantine}, row accounting and the money that is not GPU time → {@code run_quality}. Bills are restated
 * during the month, so each run re-reads the current files and replaces the date's partition whole.
 *
 * <p>Usage: {@code new BillingIngest(spark, config).run(date, quality)}. An empty {@code input.billing.*} root
 * means that source is absent.
 */
public final class BillingIngest {
  private final SparkSession spark;
  private final LedgerConfig config;
  private final LakeTables tables;

  public BillingIngest(SparkSession spark, LedgerConfig config) {
    this.spark = spark;
    this.config = config;
    this.tables = new LakeTables(spark, config);
  }

  /** What one source gave for the date, kept until the accounting is done. */
  private record SourceRun(BillingSource source, String qualitySource, BillingExportReader.RawRows raw,
      Dataset<Row> charges, Dataset<Row> slices, Dataset<Row> hours) {}

  /** Ingests billing for {@code date}; returns the row accounting of each configured source (already recorded). */
  public List<SourceAccounting> run(LocalDate date, QualityRecorder quality) {
    Map<BillingSource, SourceRun> runs = new EnumMap<>(BillingSource.class);
    read(BillingSource.CUR, config.curRoot, CurLineItems.SOURCE, CurLineItems.REQUIRED, CurLineItems.OPTIONAL, date, runs);
    read(BillingSource.FOCUS, config.focusRoot, FocusCharges.SOURCE, FocusCharges.REQUIRED, FocusCharges.OPTIONAL, date, runs);

    Dataset<Row> merged = BillingSourceMerge.merge(hoursOf(runs, BillingSource.CUR), hoursOf(runs, BillingSource.FOCUS),
        config.preferredBilling).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      tables.replaceDates(SilverTables.BILLING_HOURLY, merged, List.of(date));
      tables.replaceDates(SilverTables.BILLING_POD_SPLIT, podSplits(runs.get(BillingSource.CUR), date), List.of(date));
      List<SourceAccounting> accountings = new ArrayList<>();
      for (SourceRun run : runs.values()) {
        quality.writeQuarantine(run.qualitySource(), quarantineRows(run, date, quality.runId()));
        SourceAccounting accounting = account(run, merged);
        quality.recordAccounting(accounting, config.maxQuarantineShare, rejectedFiles(run));
        recordNonGpuCost(run, date, quality);
        accountings.add(accounting);
      }
      recordSourceCoverage(runs, merged, quality);
      return accountings;
    } finally {
      merged.unpersist();
      runs.values().forEach(r -> r.charges().unpersist());
    }
  }

  private void read(BillingSource source, String root, String qualitySource, List<String> required, List<String> optional,
      LocalDate date, Map<BillingSource, SourceRun> runs) {
    if (root.isEmpty()) {
      return;
    }
    BillingExportReader.RawRows raw = new BillingExportReader(spark, qualitySource, required, optional).read(root, date);
    Dataset<Row> charges = (source == BillingSource.CUR ? CurLineItems.toCharges(raw.rows()) : FocusCharges.toCharges(raw.rows()))
        .persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> slices = InstanceHours.spread(charges, date);
    Dataset<Row> hours = InstanceHours.total(slices, BillingSourceMerge.sourceName(source));
    runs.put(source, new SourceRun(source, qualitySource, raw, charges, slices, hours));
  }

  /** AWS's own per-pod split of instances from CUR's split cost allocation rows (none without CUR): a cross-check only. */
  private Dataset<Row> podSplits(SourceRun cur, LocalDate date) {
    return cur == null ? spark.createDataFrame(List.of(), SilverTables.BILLING_POD_SPLIT.schema()) : PodSplitCosts.of(cur.raw().rows(), date);
  }

  /** The files rejected whole, each on a stderr line of its own; the first named for a failed quarantine share. */
  private static String rejectedFiles(SourceRun run) {
    List<BillingExportReader.RejectedFile> files = run.raw().rejected();
    files.forEach(f -> Progress.line("%s rejected file %s: %s", run.qualitySource(), f.file(), f.reason()));
    if (files.isEmpty()) {
      return null;
    }
    BillingExportReader.RejectedFile first = files.get(0);
    return "rejected file " + first.file() + ": " + first.reason()
        + (files.size() > 1 ? " (and " + (files.size() - 1) + " more files, see quarantine)" : "");
  }

  private Dataset<Row> hoursOf(Map<BillingSource, SourceRun> runs, BillingSource source) {
    SourceRun run = runs.get(source);
    if (run != null) {
      return run.hours();
    }
    // InstanceHours.sum gives exactly the billing_hourly columns, so an absent source is an empty frame of them.
    return spark.createDataFrame(List.of(), SilverTables.BILLING_HOURLY.schema());
  }

  private Dataset<Row> quarantineRows(SourceRun run, LocalDate date, String runId) {
    Dataset<Row> rows = run.charges().filter(col(BillingCharges.REJECT_REASON).isNotNull()).select(
        lit(Date.valueOf(date)).as("date"), lit(runId).as("run_id"), lit(run.qualitySource()).as("source"),
        col(BillingCharges.FILE).as("file"), col(BillingCharges.LINE).as("line"),
        col(BillingCharges.REJECT_REASON).as("reason"), col(BillingCharges.RAW).as("raw"));
    List<Row> files = run.raw().rejected().stream()
        .map(f -> RowFactory.create(Date.valueOf(date), runId, run.qualitySource(), f.file(), null, f.reason(), f.reason()))
        .toList();
    return rows.unionByName(spark.createDataFrame(files, QualityTables.QUARANTINE.schema()));
  }

  /**
   * read = used + quarantined + duplicate + ignored, per raw row: used when at least one of its hours of the date
   * went into billing_hourly; duplicate when all of them were covered by the preferred other source; ignored when it
   * is not instance time, or instance time on other days of the billing period.
   */
  private SourceAccounting account(SourceRun run, Dataset<Row> merged) {
    Map<String, Long> byStatus = run.charges()
        .select(when(col(BillingCharges.REJECT_REASON).isNotNull(), lit("quarantined"))
            .when(col(BillingCharges.IS_INSTANCE_HOUR), lit("instance")).otherwise(lit("not_gpu")).as("status"))
        .groupBy("status").count().collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getString(0), r -> r.getLong(1)));
    long quarantinedRows = byStatus.getOrDefault("quarantined", 0L);
    long instanceRows = byStatus.getOrDefault("instance", 0L);
    long notGpuRows = byStatus.getOrDefault("not_gpu", 0L);
    long rejectedFiles = run.raw().rejected().size();

    Dataset<Row> rowKeys = run.slices().select(BillingCharges.FILE, BillingCharges.LINE);
    long instanceRowsOfDate = rowKeys.distinct().count();
    Dataset<Row> kept = merged.filter(col(InstanceHours.SOURCE).equalTo(BillingSourceMerge.sourceName(run.source())))
        .select(InstanceHours.HOUR, BillingCharges.INSTANCE_ID);
    long usedRows = run.slices().join(kept, JavaConverters.asScalaBuffer(List.of(InstanceHours.HOUR, BillingCharges.INSTANCE_ID)).toSeq(), "left_semi")
        .select(BillingCharges.FILE, BillingCharges.LINE).distinct().count();

    long read = quarantinedRows + instanceRows + notGpuRows + rejectedFiles;
    long ignored = notGpuRows + (instanceRows - instanceRowsOfDate);
    return new SourceAccounting(run.qualitySource(), read, usedRows, quarantinedRows + rejectedFiles,
        instanceRowsOfDate - usedRows, ignored);
  }

  /** Money on lines of the date that are not GPU time (RIFee, SP negation, tax, credits, storage, network...): recorded, never attributed. */
  private void recordNonGpuCost(SourceRun run, LocalDate date, QualityRecorder quality) {
    List<Row> kinds = run.charges()
        .filter(col(BillingCharges.REJECT_REASON).isNull().and(not(col(BillingCharges.IS_INSTANCE_HOUR)))
            .and(to_date(col(BillingCharges.USAGE_START)).equalTo(lit(Date.valueOf(date)))))
        .groupBy(BillingCharges.CHARGE_KIND)
        .agg(sum(BillingCharges.CHARGE_COST).as("cost"), count(lit(1)).as("rows"))
        .orderBy(BillingCharges.CHARGE_KIND)
        .collectAsList();
    double total = kinds.stream().mapToDouble(r -> r.getDouble(1)).sum();
    String detail = kinds.isEmpty() ? "no lines that are not GPU time"
        : kinds.stream().map(r -> String.format(Locale.ROOT, "%s %.6f (%d rows)", r.getString(0), r.getDouble(1), r.getLong(2)))
            .collect(Collectors.joining("; "));
    quality.recordValue("non_gpu_cost", run.qualitySource(), total, null, true, detail);
  }

  /** How many instance-hours each source gave, and how many both covered (counted once, from the preferred source). */
  private void recordSourceCoverage(Map<BillingSource, SourceRun> runs, Dataset<Row> merged, QualityRecorder quality) {
    if (runs.isEmpty()) {
      return;
    }
    List<Row> counts = merged.groupBy(InstanceHours.SOURCE, BillingSourceMerge.OVERLAPPED).count().collectAsList();
    for (SourceRun run : runs.values()) {
      String name = BillingSourceMerge.sourceName(run.source());
      long n = counts.stream().filter(r -> name.equals(r.getString(0))).mapToLong(r -> r.getLong(2)).sum();
      quality.recordValue("billing_instance_hours", run.qualitySource(), n, null, true,
          "instance-hours of the date taken from " + name);
    }
    if (runs.size() == 2) {
      long overlapped = counts.stream().filter(r -> r.getBoolean(1)).mapToLong(r -> r.getLong(2)).sum();
      quality.recordValue("billing_overlap_instance_hours", "billing", overlapped, null, true,
          "instance-hours covered by both CUR and FOCUS, counted once from " + BillingSourceMerge.sourceName(config.preferredBilling));
    }
  }
}
