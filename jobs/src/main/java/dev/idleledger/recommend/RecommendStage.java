package dev.idleledger.recommend;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import dev.idleledger.attribute.GpuHourlyTable;
import dev.idleledger.config.InstanceCatalog;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.ingest.SilverTables;
import dev.idleledger.quality.QualityRecorder;
import dev.idleledger.spark.GlobalAggregate;
import dev.idleledger.spark.LakeTables;
import dev.idleledger.spark.NightWrites;
import dev.idleledger.spark.StageFrames;
import dev.idleledger.spark.TableSpec;
import dev.idleledger.tables.RecommendationStatus;
import dev.idleledger.tables.RecommendationTables;
import dev.idleledger.tables.RecommendationTables.History;
import dev.idleledger.tables.RecommendationTables.Recommendations;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The nightly {@code recommend} stage, after the rollups: finds D's recommendations over the trailing window,
 * works out each one's status, replaces D's {@code recommendation_history} rows and MERGEs {@code recommendations}.
 * Re-running D changes nothing: the status comes from history before D, and the MERGE writes the same values.
 */
public final class RecommendStage {
  /**
   * One line of the demo's "top recommendations": its own savings, and what it still saves after the ones ranked
   * before it on the same subject ({@link CombinedSavings}); {@code overlapsWith} names those kinds, or is null.
   */
  public record TopRecommendation(
      String kind,
      String who,
      String action,
      double monthlySavings,
      String confidence,
      String currency,
      double remainingMonthlySavings,
      String overlapsWith,
      String ticketUrl) {}

  /** The run_quality check every recommend run writes for its night, with or without recommendations. */
  public static final String QUALITY_CHECK = "recommendations";

  /** Columns a night that did not trigger leaves as they were. */
  private static final List<String> REFRESHED =
      List.of(
          Recommendations.KIND,
          Recommendations.CLUSTER,
          Recommendations.NAMESPACE,
          Recommendations.WORKLOAD_KIND,
          Recommendations.WORKLOAD_NAME,
          Recommendations.WORKLOAD_TYPE,
          Recommendations.TEAM,
          Recommendations.NODE,
          Recommendations.INSTANCE_TYPE,
          Recommendations.WINDOW_DAYS,
          Recommendations.MONTHLY_SAVINGS,
          Recommendations.MONTHLY_SAVINGS_AT_LIST,
          Recommendations.CONFIDENCE,
          Recommendations.EVIDENCE,
          Recommendations.ACTION,
          Recommendations.PATCH,
          Recommendations.CURRENCY);

  /** Columns only the ticket stage writes: a new recommendation has none of them. */
  private static final Set<String> TICKET_COLUMNS =
      Set.of(
          Recommendations.TICKET_SYSTEM,
          Recommendations.TICKET_KEY,
          Recommendations.TICKET_URL,
          Recommendations.TICKET_STATE,
          Recommendations.TICKET_ERROR,
          Recommendations.TICKET_SYNCED_AT);

  /** The tables recommend reads over its window of days (a night may know them without the lake: {@link NightWrites}). */
  public static final List<TableSpec> WINDOW_TABLES =
      List.of(
          GpuHourlyTable.SPEC,
          SilverTables.BILLING_HOURLY,
          SilverTables.GPU_SAMPLES,
          SilverTables.POD_INFO);

  private final SparkSession spark;
  private final LakeTables tables;
  private final RecommendSettings settings;
  private final InstanceCatalog catalog;
  private final LedgerConfig config;

  /** A first night's recommendations that {@link #run} left for the ticket stage to write; null otherwise. */
  private Dataset<Row> unwritten;

  public RecommendStage(SparkSession spark, LedgerConfig config) {
    this(spark, config, InstanceCatalog.load(config));
  }

  public RecommendStage(SparkSession spark, LedgerConfig config, InstanceCatalog catalog) {
    this.spark = spark;
    this.config = config;
    this.tables = new LakeTables(spark, config);
    this.settings = RecommendSettings.from(config);
    this.catalog = catalog;
  }

  public RecommendSettings settings() {
    return settings;
  }

  public void run(LocalDate date, QualityRecorder quality) {
    run(date, quality, true);
  }

  /**
   * Recommends night {@code date}. When {@code current} is false (a night older than one already recommended: a re-run
   * of an old date) only its history rows are replaced; {@code recommendations} keeps the state of the newest night.
   */
  public void run(LocalDate date, QualityRecorder quality, boolean current) {
    run(date, quality, current, NightWrites.none(tables));
  }

  /**
   * As {@link #run(LocalDate, QualityRecorder, boolean)}; a window of a table the night knows without the lake
   * ({@link NightWrites}: on a new lake, what the night just wrote) is taken from memory.
   */
  public void run(LocalDate date, QualityRecorder quality, boolean current, NightWrites tonight) {
    run(date, quality, current, tonight, false);
  }

  /**
   * As {@link #run(LocalDate, QualityRecorder, boolean, NightWrites)}. With {@code leaveFirstRowsToTickets}, rows for a
   * {@code recommendations} table that holds no file yet (a new lake's first night) are not appended: they are left
   * ({@link #takeUnwritten}) for the ticket stage, which reads them from memory and appends them with the tickets it
   * filed, in one commit. Otherwise the ticket stage would read the table through Delta just after it was written
   * and MERGE its outcomes into it: a replay of the table's log, the file scans of a MERGE and a second commit, the
   * only Delta reads of a new lake's first night (2–3 s of a cold tiny night's 35–40).
   */
  public void run(
      LocalDate date,
      QualityRecorder quality,
      boolean current,
      NightWrites tonight,
      boolean leaveFirstRowsToTickets) {
    LocalDate start = date.minusDays(settings.windowDays() - 1L);
    // Read from Delta once: the day count, the unit-hour rates, the currency and the node and
    // commitment kinds each scan these two windows (billing six times over), and each scan would
    // replay the Delta log and re-read the Parquet. Both are small (one row per unit-hour, per
    // instance-hour), so holding them costs little.
    Dataset<Row> gpuHourly =
        window(GpuHourlyTable.SPEC, start, date, tonight).transform(StageFrames::keep);
    Dataset<Row> billing =
        window(SilverTables.BILLING_HOURLY, start, date, tonight).transform(StageFrames::keep);
    int daysWithData = (int) gpuHourly.select(GpuHourlyTable.DATE).distinct().count();
    RecommendationFinder.Window window =
        new RecommendationFinder.Window(date, settings.windowDays(), daysWithData);

    // Held inside (checkpointed rather than cached: the six kinds read it a dozen times, and a
    // cached frame drags its whole lineage into every plan that uses it, megabytes of plan text
    // re-rendered on each adaptive re-plan).
    WorkloadSeconds seconds =
        WorkloadSeconds.of(
            window(SilverTables.GPU_SAMPLES, start, date, tonight),
            window(SilverTables.POD_INFO, start, date, tonight),
            UnitHourRates.of(gpuHourly, billing),
            config.classifier,
            settings.activityThreshold(),
            RecommendationFinder.migModels(catalog));
    Dataset<Row> triggers =
        new RecommendationFinder(spark, settings, catalog)
            .find(window, seconds, gpuHourly, billing);
    // Materialized before D's history is replaced: the status must come from the history as it was
    // before this run.
    Dataset<Row> night =
        RecommendationLifecycle.night(
                date, triggers, tables.read(RecommendationTables.HISTORY), settings)
            .transform(StageFrames::keep);
    night = withRealizedSavings(night, date, tonight);
    tables.replaceDates(RecommendationTables.HISTORY, night, List.of(date));
    if (current) {
      merge(
          night.withColumn(Recommendations.WINDOW_DAYS, lit(settings.windowDays())),
          leaveFirstRowsToTickets);
      CombinedSavings.publish(tables);
    }

    // Both counts in one query over the kept night.
    Row counts =
        GlobalAggregate.of(
            night,
            count(when(col(History.TRIGGERED), lit(1))),
            count(when(col(History.STATUS).equalTo(RecommendationStatus.RESOLVED.name()), lit(1))));
    long triggered = counts.getLong(0);
    long resolved = counts.getLong(1);
    quality.recordValue(
        QUALITY_CHECK,
        "recommend",
        triggered,
        null,
        true,
        triggered
            + " recommendations triggered over "
            + start
            + ".."
            + date
            + " ("
            + daysWithData
            + " of "
            + settings.windowDays()
            + " days with data), "
            + resolved
            + " resolved tonight"
            + (current ? "" : "; history only, a newer night is already recommended"));
  }

  /** The top {@code n} open recommendations by monthly savings, for the demo, with what each adds after its overlaps. */
  public List<TopRecommendation> top(int n) {
    Dataset<Row> open =
        combined()
            .withColumn("who", CombinedSavings.who())
            .orderBy(desc(Recommendations.MONTHLY_SAVINGS), col(Recommendations.RECOMMENDATION_ID))
            .limit(n);
    List<TopRecommendation> out = new ArrayList<>();
    for (Row r :
        open.select(
                Recommendations.KIND,
                "who",
                Recommendations.ACTION,
                Recommendations.MONTHLY_SAVINGS,
                Recommendations.CONFIDENCE,
                Recommendations.CURRENCY,
                CombinedSavings.REMAINING_MONTHLY_SAVINGS,
                CombinedSavings.OVERLAPS_WITH,
                Recommendations.TICKET_URL)
            .collectAsList()) {
      out.add(
          new TopRecommendation(
              r.getString(0),
              r.getString(1),
              r.getString(2),
              r.getDouble(3),
              r.getString(4),
              r.getString(5),
              r.getDouble(6),
              r.getString(7),
              r.getString(8)));
    }
    return out;
  }

  /** What the open recommendations save together, overlaps on a subject counted once; overall and per team. */
  public CombinedSavings.Totals savingsTotals() {
    return CombinedSavings.totals(combined());
  }

  private Dataset<Row> combined() {
    return CombinedSavings.of(spark, tables.read(RecommendationTables.RECOMMENDATIONS));
  }

  private Dataset<Row> window(TableSpec spec, LocalDate start, LocalDate end, NightWrites tonight) {
    return tonight
        .window(spec, start, end)
        .orElseGet(
            () ->
                tables
                    .read(spec)
                    .where(
                        col(spec.partitionColumn())
                            .between(Date.valueOf(start), Date.valueOf(end))));
  }

  /**
   * The rows the last {@link #run} left unwritten for the ticket stage (the table's columns, the ticket columns null),
   * handed over once: whoever takes them must append them to {@code recommendations}.
   */
  public Optional<Dataset<Row>> takeUnwritten() {
    Optional<Dataset<Row>> rows = Optional.ofNullable(unwritten);
    unwritten = null;
    return rows;
  }

  /** The night's rows as the MERGE inserts a new one: the table's columns, the ticket columns null. */
  private static Dataset<Row> asInserted(Dataset<Row> night) {
    return night.select(
        Arrays.stream(RecommendationTables.RECOMMENDATIONS.schema().fields())
            .map(
                f ->
                    TICKET_COLUMNS.contains(f.name())
                        ? lit(null).cast(f.dataType()).as(f.name())
                        : col(f.name()))
            .toArray(Column[]::new));
  }

  /** Adds realized_monthly_savings (null but on the night a recommendation resolves). */
  private Dataset<Row> withRealizedSavings(
      Dataset<Row> night, LocalDate date, NightWrites tonight) {
    List<RealizedSavings.Resolving> resolving = new ArrayList<>();
    for (Row r :
        night
            .where(
                col(History.STATUS)
                    .equalTo(RecommendationStatus.RESOLVED.name())
                    .and(col(History.RESOLVED_ON).equalTo(Date.valueOf(date))))
            .select(History.RECOMMENDATION_ID, History.KIND, History.SUBJECT, History.FIRST_SEEN)
            .collectAsList()) {
      resolving.add(
          new RealizedSavings.Resolving(
              r.getString(0), r.getString(1), r.getString(2), r.getDate(3).toLocalDate()));
    }
    Map<String, Double> realized = Map.of();
    if (!resolving.isEmpty()) {
      LocalDate from =
          resolving.stream()
              .map(RealizedSavings.Resolving::firstSeen)
              .min(LocalDate::compareTo)
              .orElseThrow()
              .minusDays(settings.windowDays() - 1L);
      Dataset<Row> gpuHourly = window(GpuHourlyTable.SPEC, from, date, tonight);
      Set<LocalDate> dataDays = new TreeSet<>();
      gpuHourly
          .select(GpuHourlyTable.DATE)
          .distinct()
          .collectAsList()
          .forEach(r -> dataDays.add(r.getDate(0).toLocalDate()));
      Map<String, Map<LocalDate, Double>> costs = new HashMap<>();
      RealizedSavings.subjectDailyCost(
              gpuHourly, window(SilverTables.BILLING_HOURLY, from, date, tonight))
          .where(
              concat_ws("|", col("family"), col("subject"))
                  .isin(RealizedSavings.keys(resolving).toArray()))
          .collectAsList()
          .forEach(
              r ->
                  costs
                      .computeIfAbsent(r.getString(0) + "|" + r.getString(1), k -> new HashMap<>())
                      .put(r.getDate(2).toLocalDate(), r.getDouble(3)));
      realized = RealizedSavings.compute(resolving, date, settings.windowDays(), costs, dataDays);
    }
    List<Row> rows =
        realized.entrySet().stream()
            .map(e -> RowFactory.create(e.getKey(), e.getValue()))
            .collect(Collectors.toList());
    Dataset<Row> realizedRows =
        spark.createDataFrame(
            rows,
            new StructType()
                .add(Recommendations.RECOMMENDATION_ID, DataTypes.StringType)
                .add(Recommendations.REALIZED_MONTHLY_SAVINGS, DataTypes.DoubleType));
    return night.join(
        broadcast(realizedRows), new String[] {Recommendations.RECOMMENDATION_ID}, "left");
  }

  /**
   * MERGE by recommendation_id: insert what is new; on a match set the lifecycle columns, refresh the details
   * only when it triggered tonight, and leave the ticket columns to the ticket stage.
   *
   * <p>Into a table that {@link LakeTables#holdsNoFiles holds no file} (on a new lake, the first night) every row
   * is new: they are appended as the MERGE would insert them, without the MERGE's source materialization and file
   * scans, which are Spark jobs over nothing.
   */
  private void merge(Dataset<Row> night, boolean leaveFirstRowsToTickets) {
    tables.ensure(RecommendationTables.RECOMMENDATIONS);
    if (tables.holdsNoFiles(RecommendationTables.RECOMMENDATIONS)) {
      if (leaveFirstRowsToTickets) {
        // Read twice (the ticket candidates, then the append): kept.
        unwritten = asInserted(night).transform(StageFrames::keep);
      } else {
        tables.append(RecommendationTables.RECOMMENDATIONS, asInserted(night));
      }
      return;
    }
    String view = "recommend_night_" + Long.toHexString(System.nanoTime());
    night.createOrReplaceTempView(view);
    try {
      List<String> sets = new ArrayList<>();
      for (String c :
          List.of(
              Recommendations.STATUS,
              Recommendations.FIRST_SEEN,
              Recommendations.LAST_SEEN,
              Recommendations.RESOLVED_ON)) {
        sets.add("t." + c + " = s." + c);
      }
      String realized = Recommendations.REALIZED_MONTHLY_SAVINGS;
      sets.add(
          "t."
              + realized
              + " = CASE WHEN s."
              + Recommendations.STATUS
              + " = '"
              + RecommendationStatus.RESOLVED
              + "' THEN s."
              + realized
              + " "
              + "WHEN s."
              + Recommendations.STATUS
              + " = '"
              + RecommendationStatus.REOPENED
              + "' THEN NULL ELSE t."
              + realized
              + " END");
      for (String c : REFRESHED) {
        sets.add(
            "t."
                + c
                + " = CASE WHEN s."
                + History.TRIGGERED
                + " THEN s."
                + c
                + " ELSE t."
                + c
                + " END");
      }
      String[] columns = RecommendationTables.RECOMMENDATIONS.columnNames();
      List<String> values = new ArrayList<>();
      for (String c : columns) {
        values.add(TICKET_COLUMNS.contains(c) ? "NULL" : "s." + c);
      }
      // asInserted says the same for the append into a table without files.
      spark.sql(
          "MERGE INTO "
              + tables.qualified(RecommendationTables.RECOMMENDATIONS)
              + " t USING "
              + view
              + " s "
              + "ON t."
              + Recommendations.RECOMMENDATION_ID
              + " = s."
              + Recommendations.RECOMMENDATION_ID
              + " "
              + "WHEN MATCHED THEN UPDATE SET "
              + String.join(", ", sets)
              + " "
              + "WHEN NOT MATCHED THEN INSERT ("
              + String.join(", ", columns)
              + ") VALUES ("
              + String.join(", ", values)
              + ")");
    } finally {
      spark.catalog().dropTempView(view);
    }
  }
}
