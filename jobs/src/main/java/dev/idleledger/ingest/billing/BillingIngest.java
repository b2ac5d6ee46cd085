package dev.idleledger.ingest.billing;

import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.upper;
import static org.apache.spark.sql.functions.when;

import dev.idleledger.Progress;
import dev.idleledger.RunFailedException;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.config.LedgerConfig.BillingSource;
import dev.idleledger.ingest.SilverTables;
import dev.idleledger.quality.QualityRecorder;
import dev.idleledger.quality.QualityTables;
import dev.idleledger.quality.QualityTables.Quarantine;
import dev.idleledger.quality.SourceAccounting;
import dev.idleledger.spark.LakeTables;
import dev.idleledger.spark.StageFrames;
import dev.idleledger.spark.WrittenRows;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.unsafe.types.UTF8String;
import scala.collection.JavaConverters;

/**
 * The billing stage: CUR 2.0 and/or FOCUS exports → silver {@code billing_hourly} (and CUR's split cost allocation rows →
 * {@code billing_pod_split}) for one UTC date, rejected rows →
 * {@code quarantine}, row accounting and the money that is not GPU time → {@code run_quality}. Bills are restated
 * during the month, so each run re-reads the current files and replaces the date's partition whole.
 *
 * <p>Usage: {@code new BillingIngest(spark, config).run(date, quality)} reads the export for that one date. A night of
 * several dates makes one {@code new BillingIngest(spark, config, dates)}: the export files of all its dates are read
 * and parsed once, on first use, and each date's rows are cut from that one read (by the files the date would read
 * on its own, so every date's accounting is what a run of that date alone gives). {@link #filesFor} is the one place
 * that says which files a date reads. An empty {@code input.billing.*} root means that source is absent.
 */
public final class BillingIngest implements AutoCloseable {
  /** True for an instance-hour that billing_hourly kept. */
  private static final String KEPT = "kept";

  /** True for a raw row whose money reached billing_hourly. */
  private static final String USED = "used";

  /** Accounting status of a raw row. */
  private static final String STATUS = "status";

  /** SHA-256 of the empty string, in lower-case hex as Spark's sha2 gives it. */
  private static final String SHA256_OF_NOTHING =
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  /** The status of a rejected row that is not a duplicate line: it goes to the quarantine. */
  private static final String QUARANTINED = "quarantined";

  private final SparkSession spark;
  private final LedgerConfig config;
  private final LakeTables tables;

  /** The night's dates; null when each {@link #run} reads for its own date. */
  private final List<LocalDate> dates;

  private final Map<BillingSource, Map<LocalDate, List<String>>> listings =
      new EnumMap<>(BillingSource.class);

  /**
   * How many good instance-time lines of each source reach a date, as {@link #run} counted them for it: the {@link
   * #linesFingerprint} of a source none of whose lines reaches the date needs no query.
   */
  private final Map<LocalDate, Map<BillingSource, Long>> linesReaching = new HashMap<>();

  private Map<BillingSource, SourceRead> reads;

  public BillingIngest(SparkSession spark, LedgerConfig config) {
    this(spark, config, null);
  }

  /** For a night of {@code dates}: the export is read once, for all of them. */
  public BillingIngest(SparkSession spark, LedgerConfig config, Collection<LocalDate> dates) {
    this.spark = spark;
    this.config = config;
    this.tables = new LakeTables(spark, config);
    this.dates = dates == null ? null : List.copyOf(new TreeSet<>(dates));
  }

  /** One source's read of the night: the raw rows of every file any date reads, parsed into charges once. */
  private record SourceRead(
      BillingSource source,
      String qualitySource,
      BillingExportReader.RawRows raw,
      Dataset<Row> charges,
      int partitions) {}

  /** What one source gave for the date, kept until the accounting is done; {@code charges} without the duplicate lines. */
  private record SourceRun(
      BillingSource source,
      String qualitySource,
      BillingExportReader.RawRows raw,
      Dataset<Row> all,
      Dataset<Row> charges,
      Dataset<Row> slices,
      Dataset<Row> hours) {
    /**
     * This run with its slices and instance-hours as empty local frames of their columns, for a date no good
     * instance-time line of the source reaches ({@link RowClasses#instanceRowsReachingDate}): every query over them
     * then folds on the driver, and billing_hourly's write for the date becomes a DELETE or nothing.
     */
    SourceRun withoutHoursOfDate(SparkSession spark) {
      return new SourceRun(
          source,
          qualitySource,
          raw,
          all,
          charges,
          spark.createDataFrame(List.of(), slices.schema()),
          spark.createDataFrame(List.of(), hours.schema()));
    }
  }

  /** The billing files {@code date} reads, by quality source ({@code billing.cur}, {@code billing.focus}): listed, not opened. */
  public Map<String, List<String>> filesFor(LocalDate date) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (BillingSource source : BillingSource.values()) {
      if (!root(source).isEmpty()) {
        out.put(qualitySource(source), listing(source, date));
      }
    }
    return out;
  }

  /**
   * SHA-256 of the raw billing lines that price {@code date}: the good instance-time lines of each source whose usage
   * period overlaps the date, each as its raw text. The money of the date's billing_hourly is a function of exactly
   * these lines (and the settings), so two reads with the same fingerprint give the same money. The file a line came
   * from is left out on purpose: a restated export is a new delivery (a new execution folder) that repeats every
   * unchanged line, and only the days whose lines changed are to be recomputed (issue 17); a kept day's
   * {@code source_file} then still names the delivery it was read from. Reads the export (once).
   */
  public String linesFingerprint(LocalDate date) {
    StringBuilder all = new StringBuilder();
    Map<BillingSource, Long> counted = linesReaching.getOrDefault(date, Map.of());
    for (Map.Entry<BillingSource, SourceRead> e : reads().entrySet()) {
      all.append(e.getValue().qualitySource()).append(' ');
      if (counted.getOrDefault(e.getKey(), -1L) == 0) {
        // The query's answer over no line: a count of 0, and the hash of the empty string
        // (concat_ws over no hashes).
        all.append("0 ").append(SHA256_OF_NOTHING).append('\n');
        continue;
      }
      Row r =
          chargesOf(e.getValue(), date)
              .filter(not(col(DuplicateDeliveries.DUPLICATE_LINE)))
              .filter(instanceTimeReaching(date))
              .select(sha2(col(BillingCharges.RAW), 256).as("h"))
              .agg(sha2(concat_ws(",", array_sort(collect_list(col("h")))), 256), count(lit(1)))
              .first();
      all.append(r.getLong(1)).append(' ').append(r.getString(0)).append('\n');
    }
    return all.toString().isEmpty()
        ? "no billing source"
        : all.toString().lines().collect(Collectors.joining("; "));
  }

  /** Ingests billing for {@code date}; returns the row accounting of each configured source (already recorded). */
  public List<SourceAccounting> run(LocalDate date, QualityRecorder quality) {
    return run(date, quality, WrittenRows.none());
  }

  /**
   * As {@link #run(LocalDate, QualityRecorder)}; notes in {@code writtenRows} what replaced the date's billing_hourly
   * and billing_pod_split: nothing when the coverage check counted no instance-hour of the date (a date without bill
   * lines), the rows kept when the date keeps what it writes.
   */
  public List<SourceAccounting> run(
      LocalDate date, QualityRecorder quality, WrittenRows writtenRows) {
    if (dates == null) {
      try (BillingIngest one = new BillingIngest(spark, config, List.of(date))) {
        return one.run(date, quality, writtenRows);
      }
    }
    Map<BillingSource, SourceRun> runs = new EnumMap<>(BillingSource.class);
    reads().forEach((source, read) -> runs.put(source, cut(read, date)));
    // One query per source over its rows: each row's status (for the accounting), the classes that
    // are not GPU time (non_gpu_cost), and the first line in another currency, which stops the
    // night before anything is written.
    Map<BillingSource, RowClasses> classes = new EnumMap<>(BillingSource.class);
    runs.forEach((source, run) -> classes.put(source, classify(run, date)));
    runs.forEach((source, run) -> refuseOtherCurrency(run, classes.get(source)));
    Map<BillingSource, Long> reaching = new EnumMap<>(BillingSource.class);
    classes.forEach((source, c) -> reaching.put(source, c.instanceRowsReachingDate()));
    linesReaching.put(date, reaching);
    // A date the bill does not reach yet (the newest day before its export lands, a day before the
    // fleet existed): counted in the classification's one query, its instance-hours are known to be
    // none, and the writes and checks over them need no job.
    runs.replaceAll(
        (source, run) ->
            classes.get(source).instanceRowsReachingDate() == 0
                ? run.withoutHoursOfDate(spark)
                : run);

    // The date's instance-hours are fewer rows than the export they are summed from: held in no
    // more partitions than it.
    int partitions = reads().values().stream().mapToInt(SourceRead::partitions).max().orElse(1);
    Dataset<Row> hours =
        BillingSourceMerge.merge(
            hoursOf(runs, BillingSource.CUR),
            hoursOf(runs, BillingSource.FOCUS),
            config.preferredBilling);
    // Known to be empty (no source reaches the date), it stays the empty local frame Spark folds:
    // a coalesce would hide that from the writes and checks below.
    Dataset<Row> held =
        StageFrames.knownEmptyOverLocalData(hours)
            ? hours
            : hours.coalesce(partitions).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Dataset<Row> merged = writtenRows.toWrite(held);
      tables.replaceDates(SilverTables.BILLING_HOURLY, merged, List.of(date));
      writtenRows.wrote(SilverTables.BILLING_HOURLY, merged);
      Dataset<Row> splits = writtenRows.toWrite(podSplits(runs.get(BillingSource.CUR), date));
      tables.replaceDates(SilverTables.BILLING_POD_SPLIT, splits, List.of(date));
      writtenRows.wrote(SilverTables.BILLING_POD_SPLIT, splits);
      List<SourceAccounting> accountings = new ArrayList<>();
      for (SourceRun run : runs.values()) {
        RowClasses rowClasses = classes.get(run.source());
        // The classification counted the rejected lines: with none, and no file rejected, the
        // (empty) rejects are not looked for again, nor written.
        quality.writeQuarantine(
            run.qualitySource(),
            rowClasses.quarantinedRows() + run.raw().rejected().size(),
            () -> quarantineRows(run, date, quality.runId()));
        SourceAccounting accounting = account(run, rowClasses.byStatus(), merged);
        String rejectedWhy = rejectedFiles(run);
        quality.recordAccounting(accounting, config.maxQuarantineShare, rejectedWhy);
        // A telemetry file lost is time unobserved, still priced; a bill file lost is money missing
        // from every total, however few rows it counts for in the quarantine share. The night
        // stops, naming the file.
        quality.recordValue(
            "rejected_bill_files",
            run.qualitySource(),
            run.raw().rejected().size(),
            0.0,
            run.raw().rejected().isEmpty(),
            rejectedWhy == null
                ? ""
                : rejectedWhy
                    + "; its money would be left out of every total: fix or remove the file, then re-run");
        NotAttributedCharges.record(
            rowClasses.notGpuKinds(), run.slices(), run.qualitySource(), quality);
        accountings.add(accounting);
      }
      long instanceHours = recordSourceCoverage(runs, merged, quality);
      if (instanceHours == 0) {
        // Counted, not guessed: the rows just written to billing_hourly for the date are none.
        writtenRows.wroteNothing(SilverTables.BILLING_HOURLY);
      }
      return accountings;
    } finally {
      held.unpersist();
    }
  }

  /** Lets go of the parsed export. */
  @Override
  public void close() {
    if (reads != null) {
      reads.values().forEach(r -> r.charges().unpersist());
      reads = null;
    }
  }

  private Map<BillingSource, SourceRead> reads() {
    if (dates == null) {
      throw new IllegalStateException(
          "a BillingIngest without its night's dates reads per run(date)");
    }
    if (reads == null) {
      reads = new EnumMap<>(BillingSource.class);
      for (BillingSource source : BillingSource.values()) {
        if (!root(source).isEmpty()) {
          reads.put(source, read(source));
        }
      }
    }
    return reads;
  }

  private SourceRead read(BillingSource source) {
    TreeSet<String> files = new TreeSet<>();
    dates.forEach(d -> files.addAll(listing(source, d)));
    BillingExportReader.RawRows raw = reader(source).read(List.copyOf(files));
    // Held in as many partitions as the files were read in, not the spark.shuffle_partitions the
    // duplicate mark's shuffle leaves: every date's checks and writes read this frame, and a few
    // CUR lines in 64 partitions made each of them a job of 64 tasks. The read's partitions grow
    // with the export (a split or a gzip file each), so a
    // large bill stays spread as it was read.
    int readPartitions = Math.max(1, raw.rows().rdd().getNumPartitions());
    Dataset<Row> charges =
        DuplicateDeliveries.mark(
                source == BillingSource.CUR
                    ? CurLineItems.toCharges(raw.rows())
                    : FocusCharges.toCharges(raw.rows()),
                files.size())
            .coalesce(readPartitions)
            .persist(StorageLevel.MEMORY_AND_DISK());
    return new SourceRead(source, qualitySource(source), raw, charges, readPartitions);
  }

  /** The date's share of the night's read: the rows and rejected files of the files the date reads. */
  private SourceRun cut(SourceRead read, LocalDate date) {
    List<String> files = listing(read.source(), date);
    BillingExportReader.RawRows raw =
        new BillingExportReader.RawRows(
            read.raw().rows(),
            read.raw().rejected().stream().filter(f -> files.contains(f.file())).toList());
    Dataset<Row> all = chargesOf(read, date);
    Dataset<Row> charges = all.filter(not(col(DuplicateDeliveries.DUPLICATE_LINE)));
    Dataset<Row> slices = InstanceHours.spread(charges, date);
    Dataset<Row> hours = InstanceHours.total(slices, BillingSourceMerge.sourceName(read.source()));
    return new SourceRun(read.source(), read.qualitySource(), raw, all, charges, slices, hours);
  }

  private Dataset<Row> chargesOf(SourceRead read, LocalDate date) {
    List<String> files = listing(read.source(), date);
    boolean allFiles = dates.stream().allMatch(d -> listing(read.source(), d).equals(files));
    // Dates of one billing period read the same files: then the cut is the whole read, and no
    // filter is planned.
    return allFiles
        ? read.charges()
        : read.charges().filter(col(BillingCharges.FILE).isin(files.toArray()));
  }

  private List<String> listing(BillingSource source, LocalDate date) {
    return listings
        .computeIfAbsent(source, s -> new LinkedHashMap<>())
        .computeIfAbsent(date, d -> reader(source).listFiles(root(source), d));
  }

  private BillingExportReader reader(BillingSource source) {
    return source == BillingSource.CUR
        ? new BillingExportReader(
            spark, CurLineItems.SOURCE, CurLineItems.REQUIRED, CurLineItems.OPTIONAL)
        : new BillingExportReader(
            spark, FocusCharges.SOURCE, FocusCharges.REQUIRED, FocusCharges.OPTIONAL);
  }

  private String root(BillingSource source) {
    return source == BillingSource.CUR ? config.curRoot : config.focusRoot;
  }

  private static String qualitySource(BillingSource source) {
    return source == BillingSource.CUR ? CurLineItems.SOURCE : FocusCharges.SOURCE;
  }

  /** AWS's own per-pod split of instances from CUR's split cost allocation rows (none without CUR): a cross-check only. */
  private Dataset<Row> podSplits(SourceRun cur, LocalDate date) {
    return cur == null
        ? spark.createDataFrame(List.of(), SilverTables.BILLING_POD_SPLIT.schema())
        : PodSplitCosts.of(cur.raw().rows(), date);
  }

  /** The files rejected whole, each on a stderr line of its own; the first named for a failed quarantine share. */
  private static String rejectedFiles(SourceRun run) {
    List<BillingExportReader.RejectedFile> files = run.raw().rejected();
    files.forEach(
        f -> Progress.line("%s rejected file %s: %s", run.qualitySource(), f.file(), f.reason()));
    if (files.isEmpty()) {
      return null;
    }
    BillingExportReader.RejectedFile first = files.get(0);
    return "rejected file "
        + first.file()
        + ": "
        + first.reason()
        + (files.size() > 1 ? " (and " + (files.size() - 1) + " more files, see quarantine)" : "");
  }

  private Dataset<Row> hoursOf(Map<BillingSource, SourceRun> runs, BillingSource source) {
    SourceRun run = runs.get(source);
    if (run != null) {
      return run.hours();
    }
    // InstanceHours.sum gives exactly the billing_hourly columns, so an absent source is an empty
    // frame of them.
    return spark.createDataFrame(List.of(), SilverTables.BILLING_HOURLY.schema());
  }

  private Dataset<Row> quarantineRows(SourceRun run, LocalDate date, String runId) {
    Dataset<Row> rows =
        run.charges()
            .filter(col(BillingCharges.REJECT_REASON).isNotNull())
            .select(
                lit(Date.valueOf(date)).as(Quarantine.DATE),
                lit(runId).as(Quarantine.RUN_ID),
                lit(run.qualitySource()).as(Quarantine.SOURCE),
                col(BillingCharges.FILE).as(Quarantine.FILE),
                col(BillingCharges.LINE).as(Quarantine.LINE),
                col(BillingCharges.REJECT_REASON).as(Quarantine.REASON),
                col(BillingCharges.RAW).as(Quarantine.RAW));
    List<Row> files =
        run.raw().rejected().stream()
            .map(
                f ->
                    RowFactory.create(
                        Date.valueOf(date),
                        runId,
                        run.qualitySource(),
                        f.file(),
                        null,
                        f.reason(),
                        f.reason()))
            .toList();
    return rows.unionByName(spark.createDataFrame(files, QualityTables.QUARANTINE.schema()));
  }

  /**
   * read = used + quarantined + duplicate + ignored, per raw row: used when at least one of its hours of the date
   * went into billing_hourly; duplicate when all of them were covered by the preferred other source; ignored when it
   * is not instance time, or instance time on other days of the billing period. The rows by status (duplicate lines
   * among them) come from {@link #classify}; one query here: the date's instance-time rows with whether any of their
   * hours was kept.
   */
  private SourceAccounting account(SourceRun run, Map<String, Long> byStatus, Dataset<Row> merged) {
    long duplicateLines = byStatus.getOrDefault("duplicate", 0L);
    long quarantinedRows = byStatus.getOrDefault(QUARANTINED, 0L);
    long instanceRows = byStatus.getOrDefault("instance", 0L);
    long notGpuRows = byStatus.getOrDefault("not_gpu", 0L);
    long rejectedFiles = run.raw().rejected().size();

    long instanceRowsOfDate = 0;
    long usedRows = 0;
    // No slices (a date the bill does not reach): no row of the date, none used, and no query.
    if (!StageFrames.knownEmptyOverLocalData(run.slices())) {
      // A raw row is used when at least one of its hours of the date is among the hours
      // billing_hourly kept from this source.
      Dataset<Row> kept =
          merged
              .filter(
                  col(InstanceHours.SOURCE).equalTo(BillingSourceMerge.sourceName(run.source())))
              .select(col(InstanceHours.HOUR), col(BillingCharges.INSTANCE_ID), lit(true).as(KEPT));
      Row rows =
          run.slices()
              .join(
                  kept,
                  JavaConverters.asScalaBuffer(
                          List.of(InstanceHours.HOUR, BillingCharges.INSTANCE_ID))
                      .toSeq(),
                  "left")
              .groupBy(BillingCharges.FILE, BillingCharges.LINE)
              .agg(max(coalesce(col(KEPT), lit(false))).as(USED))
              .agg(count(lit(1)), sum(when(col(USED), 1L).otherwise(0L)))
              .first();
      instanceRowsOfDate = rows.getLong(0);
      usedRows = rows.isNullAt(1) ? 0 : rows.getLong(1);
    }

    long read = quarantinedRows + instanceRows + notGpuRows + rejectedFiles + duplicateLines;
    long ignored = notGpuRows + (instanceRows - instanceRowsOfDate);
    return new SourceAccounting(
        run.qualitySource(),
        read,
        usedRows,
        quarantinedRows + rejectedFiles,
        instanceRowsOfDate - usedRows + duplicateLines,
        ignored);
  }

  /**
   * A source's rows of the date in one aggregation: how many rows have each status (duplicate, quarantined,
   * instance, not_gpu: {@link #account}), the date's classes that are not GPU time ({@link NotAttributedCharges}),
   * the first good line (by file and line) in a currency other than {@code input.billing.currency}, and how many good
   * instance-time lines reach the date. A line reaches it when its usage starts before the date ends and ends after
   * it starts: exactly the lines {@link InstanceHours#spread} gives an hour of the date, or a zero-length line it
   * gives none, so 0 means the date's slices are none.
   */
  record RowClasses(
      Map<String, Long> byStatus,
      List<Row> notGpuKinds,
      Row otherCurrency,
      long instanceRowsReachingDate) {
    /** Rows rejected (not duplicate lines): exactly the rows the date's quarantine gets from this source. */
    long quarantinedRows() {
      return byStatus.getOrDefault(QUARANTINED, 0L);
    }
  }

  private RowClasses classify(SourceRun run, LocalDate date) {
    Column duplicate = col(DuplicateDeliveries.DUPLICATE_LINE);
    // True only where a filter of run.charges() (no duplicate lines) would keep the row.
    Column notGpuOfDate =
        coalesce(not(duplicate).and(NotAttributedCharges.ofDate(date)), lit(false));
    Column instanceReachingDate =
        coalesce(not(duplicate).and(instanceTimeReaching(date)), lit(false));
    Column otherCurrency =
        coalesce(
            not(duplicate)
                .and(col(BillingCharges.REJECT_REASON).isNull())
                .and(col(BillingCharges.CURRENCY).isNotNull())
                .and(
                    upper(col(BillingCharges.CURRENCY))
                        .notEqual(lit(config.billingCurrency.toUpperCase(Locale.ROOT)))),
            lit(false));
    List<Row> groups =
        run.all()
            .groupBy(
                when(duplicate, lit("duplicate"))
                    .when(col(BillingCharges.REJECT_REASON).isNotNull(), lit(QUARANTINED))
                    .when(col(BillingCharges.IS_INSTANCE_HOUR), lit("instance"))
                    .otherwise(lit("not_gpu"))
                    .as(STATUS),
                notGpuOfDate.as("not_gpu_of_date"),
                when(notGpuOfDate, col(BillingCharges.CHARGE_KIND)).as("kind"))
            .agg(
                count(lit(1)),
                sum(when(notGpuOfDate, col(BillingCharges.CHARGE_COST))),
                max(when(notGpuOfDate, col(BillingCharges.CURRENCY))),
                min(
                    when(
                        otherCurrency,
                        struct(
                            col(BillingCharges.FILE),
                            col(BillingCharges.LINE),
                            col(BillingCharges.CURRENCY)))),
                sum(when(instanceReachingDate, 1L).otherwise(0L)))
            .collectAsList();
    Map<String, Long> byStatus = new LinkedHashMap<>();
    List<Row> kinds = new ArrayList<>();
    Row other = null;
    long reaching = 0;
    for (Row g : groups) {
      reaching += g.getLong(7);
      byStatus.merge(g.getString(0), g.getLong(3), Long::sum);
      if (g.getBoolean(1)) {
        kinds.add(RowFactory.create(g.get(2), g.get(4), g.getLong(3), g.get(5)));
      }
      if (!g.isNullAt(6) && (other == null || byFileAndLine(g.getStruct(6), other) < 0)) {
        other = g.getStruct(6);
      }
    }
    // In the order Spark sorts the class names (nulls first), as the checks always listed them.
    kinds.sort(
        Comparator.comparing(
            (Row r) -> r.isNullAt(0) ? null : UTF8String.fromString(r.getString(0)),
            Comparator.nullsFirst(Comparator.naturalOrder())));
    return new RowClasses(byStatus, kinds, other, reaching);
  }

  /**
   * A good instance-time line whose usage starts before {@code date} ends and ends after it starts: the lines whose
   * money can reach the date's instance-hours.
   */
  private static Column instanceTimeReaching(LocalDate date) {
    Timestamp dayStart = Timestamp.from(date.atStartOfDay(ZoneOffset.UTC).toInstant());
    Timestamp dayEnd = Timestamp.from(date.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant());
    return col(BillingCharges.REJECT_REASON)
        .isNull()
        .and(col(BillingCharges.IS_INSTANCE_HOUR))
        .and(col(BillingCharges.USAGE_START).lt(lit(dayEnd)))
        .and(col(BillingCharges.USAGE_END).gt(lit(dayStart)));
  }

  /** Spark's order of (file, line): the file's UTF-8 bytes, then the line. */
  private static int byFileAndLine(Row a, Row b) {
    int byFile =
        UTF8String.fromString(a.getString(0)).compareTo(UTF8String.fromString(b.getString(0)));
    return byFile != 0 ? byFile : Long.compare(a.getLong(1), b.getLong(1));
  }

  /**
   * Stops the night, before anything is written, at the first good line whose currency is not
   * {@code input.billing.currency}: summed with the others its amount would be money in no currency at all.
   */
  private void refuseOtherCurrency(SourceRun run, RowClasses classes) {
    List<Row> other =
        classes.otherCurrency() == null ? List.of() : List.of(classes.otherCurrency());
    if (!other.isEmpty()) {
      Row r = other.get(0);
      throw new RunFailedException(
          String.format(
              "%s: %s line %d: currency %s, but input.billing.currency is %s; amounts in two "
                  + "currencies cannot be summed: set input.billing.currency = %s if the whole bill is in %s, else re-export it in %s",
              run.qualitySource(),
              r.getString(0),
              r.getLong(1),
              r.getString(2),
              config.billingCurrency,
              r.getString(2),
              r.getString(2),
              config.billingCurrency));
    }
  }

  /**
   * How many instance-hours each source gave, and how many both covered (counted once, from the preferred source).
   * Returns the date's instance-hours (rows of {@code merged}); -1 when there is no billing source (not counted).
   */
  private long recordSourceCoverage(
      Map<BillingSource, SourceRun> runs, Dataset<Row> merged, QualityRecorder quality) {
    if (runs.isEmpty()) {
      return -1;
    }
    List<Row> counts =
        merged.groupBy(InstanceHours.SOURCE, BillingSourceMerge.OVERLAPPED).count().collectAsList();
    for (SourceRun run : runs.values()) {
      String name = BillingSourceMerge.sourceName(run.source());
      long n =
          counts.stream()
              .filter(r -> name.equals(r.getString(0)))
              .mapToLong(r -> r.getLong(2))
              .sum();
      quality.recordValue(
          "billing_instance_hours",
          run.qualitySource(),
          n,
          null,
          true,
          "instance-hours of the date taken from " + name);
    }
    if (runs.size() == 2) {
      long overlapped =
          counts.stream().filter(r -> r.getBoolean(1)).mapToLong(r -> r.getLong(2)).sum();
      quality.recordValue(
          "billing_overlap_instance_hours",
          "billing",
          overlapped,
          null,
          true,
          "instance-hours covered by both CUR and FOCUS, counted once from "
              + BillingSourceMerge.sourceName(config.preferredBilling));
    }
    return counts.stream().mapToLong(r -> r.getLong(2)).sum();
  }
}
