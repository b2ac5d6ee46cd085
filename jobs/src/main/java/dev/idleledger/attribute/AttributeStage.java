package dev.idleledger.attribute;

import static dev.idleledger.attribute.GpuHourlyTable.HOUR;
import static dev.idleledger.attribute.GpuHourlyTable.INSTANCE_ID;
import static dev.idleledger.attribute.GpuHourlyTable.PRICE_SOURCE;
import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.idleledger.config.InstanceCatalog;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.ingest.SilverTables;
import dev.idleledger.quality.QualityRecorder;
import dev.idleledger.spark.GlobalAggregate;
import dev.idleledger.spark.LakeTables;
import dev.idleledger.spark.StageFrames;
import dev.idleledger.spark.TableSpec;
import dev.idleledger.spark.WrittenRows;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/** Reads a day's silver tables, applies the cost model, writes gpu_hourly and the reconciliation checks. */
public final class AttributeStage {
  /** What the GPUs of an instance-hour cost (CostAttribution.Result#instanceHours). */
  private static final String GPU_COST = "gpu_cost";

  /** Σ gpu_hourly cost of the instance-hour. */
  private static final String ATTRIBUTED = "attributed";

  private final SparkSession spark;
  private final LedgerConfig config;
  private final LakeTables tables;
  private final InstanceCatalog catalog;

  public AttributeStage(SparkSession spark, LedgerConfig config, InstanceCatalog catalog) {
    this.spark = spark;
    this.config = config;
    this.tables = new LakeTables(spark, config);
    this.catalog = catalog;
  }

  /**
   * The attributed date as the rollups read it. Its per-sample frame ({@code heldSamples} derives from it) is cached
   * for them: the rollups are its last readers and free it with {@link #freeSamples} when they are done.
   */
  public record AttributedDate(
      CostAttribution.Result attribution, List<Dataset<Row>> keptSamples, WrittenRows writtenRows) {
    public void freeSamples() {
      keptSamples.forEach(Dataset::unpersist);
    }
  }

  /** Attributes the date and writes gpu_hourly; the returned date's gpuHourly (kept) are the rows written to the table. */
  public AttributedDate run(LocalDate date, QualityRecorder quality) {
    return run(date, quality, WrittenRows.none());
  }

  /**
   * As {@link #run(LocalDate, QualityRecorder)}; a silver table the date's ingest left without rows of the date is
   * read as an empty local frame, and one whose rows it kept is read from memory, not from the lake ({@link
   * WrittenRows}).
   */
  public AttributedDate run(LocalDate date, QualityRecorder quality, WrittenRows writtenRows) {
    // The classified samples are read by the unit-hours, gpu_hourly and, in the rollups, the
    // workloads' per-second statistics: cached once (spilling to disk at fleet scale), so the raw
    // scan, the MIG union and the joins run once.
    List<Dataset<Row>> kept = new ArrayList<>();
    CostAttribution.Keeping keeping =
        new CostAttribution.Keeping(
            StageFrames::keep,
            samples -> {
              // A date without samples: the frame is an empty local relation, which its readers
              // fold on the driver; a cache would hide that.
              if (StageFrames.knownEmptyOverLocalData(samples)) {
                return samples;
              }
              Dataset<Row> cached = samples.persist(StorageLevel.MEMORY_AND_DISK());
              kept.add(cached);
              return cached;
            });
    try {
      CostAttribution.Result result =
          new CostAttribution(
                  spark,
                  new CostAttribution.Settings(
                      date,
                      config.idleActivityThreshold,
                      config.memoryHeldThreshold,
                      config.gpuShare,
                      catalog,
                      config.classifier,
                      config.chargebackLabels),
                  keeping)
              .attribute(
                  silver(SilverTables.GPU_SAMPLES, date, writtenRows),
                  silver(SilverTables.NODE_INFO, date, writtenRows),
                  silver(SilverTables.BILLING_HOURLY, date, writtenRows),
                  silver(SilverTables.POD_INFO, date, writtenRows));
      tables.replaceDates(GpuHourlyTable.SPEC, result.gpuHourly(), List.of(date));
      // Kept either way (the rollups read it): a small date's recommend may take it from here too.
      writtenRows.wrote(GpuHourlyTable.SPEC, result.gpuHourly());
      recordReconciliation(result.instanceHours(), quality, config.maxReconciliationDelta);
      CatalogGaps.record(result.instances(), result.gpuHourly(), quality);
      return new AttributedDate(result, List.copyOf(kept), writtenRows);
    } catch (RuntimeException e) {
      // No rollup will run to free them.
      kept.forEach(Dataset::unpersist);
      throw e;
    }
  }

  private Dataset<Row> silver(TableSpec spec, LocalDate date, WrittenRows writtenRows) {
    return writtenRows.ofDate(tables, spec, date);
  }

  /**
   * Money is conserved per instance-hour; hours priced from the catalog or not at all are counted so they are seen.
   * A day without GPU instance-hours reconciles to 0. An instance-hour whose money is null (a bill without a cost,
   * a share or GPU count missing) fails the check: a null would otherwise drop out of the max and pass as 0.
   */
  static void recordReconciliation(
      Dataset<Row> instanceHours, QualityRecorder quality, double maxReconciliationDelta) {
    Column nullMoney = col(GPU_COST).isNull().or(col(ATTRIBUTED).isNull());
    Row r =
        GlobalAggregate.of(
            instanceHours,
            max(abs(col(GPU_COST).minus(col(ATTRIBUTED)))).as("max_delta"),
            countWhere(col(PRICE_SOURCE).equalTo(UnitHourRate.BILL)).as("billed"),
            countWhere(col(PRICE_SOURCE).equalTo(UnitHourRate.CATALOG)).as("catalog"),
            countWhere(col(PRICE_SOURCE).equalTo(UnitHourRate.NONE)).as("unpriced"),
            count("*").as("hours"),
            countWhere(nullMoney).as("null_money"),
            first(when(nullMoney, concat_ws(" ", col(INSTANCE_ID), col(HOUR).cast("string"))), true)
                .as("null_example"));
    double maxDelta = r.isNullAt(0) ? 0.0 : r.getDouble(0);
    long nullMoneyHours = r.getLong(5);
    boolean conserved = maxDelta <= maxReconciliationDelta && nullMoneyHours == 0;
    String detail =
        nullMoneyHours > 0
            ? nullMoneyHours
                + " GPU instance-hours have no money figure (null GPU cost or attributed cost), e.g. "
                + r.getString(6)
                + ": money is not conserved"
            : conserved
                ? "allocated + unallocated + unobserved = GPU cost on every instance-hour"
                : "largest |GPU cost - attributed| on an instance-hour is "
                    + maxDelta
                    + ": money is not conserved";
    quality.recordValue(
        "reconciliation", "attribute", maxDelta, maxReconciliationDelta, conserved, detail);
    long hours = r.getLong(4);
    // A date with no instance-hour at all (a lookback date before the fleet's first day) sums to
    // null, not 0.
    long catalogPriced = r.isNullAt(2) ? 0 : r.getLong(2);
    long unpriced = r.isNullAt(3) ? 0 : r.getLong(3);
    quality.recordValue(
        "catalog_priced_instance_hours",
        "attribute",
        catalogPriced,
        null,
        true,
        catalogPriced
            + " of "
            + hours
            + " GPU instance-hours had telemetry but no bill; priced from the catalog (price_source = catalog)");
    quality.recordValue(
        "unpriced_instance_hours",
        "attribute",
        unpriced,
        null,
        true,
        unpriced
            + " of "
            + hours
            + " GPU instance-hours had neither a bill nor a catalog price; cost 0 (price_source = none)");
  }

  /** A count that is 0, not null, over no rows (a day without GPU instance-hours). */
  private static Column countWhere(Column condition) {
    return coalesce(sum(when(condition, 1L).otherwise(0L)), lit(0L));
  }
}
