package dev.idleledger.attribute;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.idleledger.config.InstanceCatalog;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.ingest.SilverTables;
import dev.idleledger.quality.QualityRecorder;
import dev.idleledger.spark.LakeTables;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Reads a day's silver tables, applies the cost model, writes gpu_hourly and the reconciliation checks. */
public final class AttributeStage {
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

  /** Attributes the date; returns the result whose gpuHourly (kept in memory) are the rows written to the table. */
  public CostAttribution.Result run(LocalDate date, QualityRecorder quality) {
    CostAttribution.Result result = new CostAttribution(spark, new CostAttribution.Settings(date, config.idleActivityThreshold,
        config.memoryHeldThreshold, config.gpuShare, catalog, config.classifier))
        .attribute(silver(SilverTables.GPU_SAMPLES, date), silver(SilverTables.NODE_INFO, date),
            silver(SilverTables.BILLING_HOURLY, date), silver(SilverTables.POD_INFO, date));
    tables.replaceDates(GpuHourlyTable.SPEC, result.gpuHourly(), List.of(date));
    recordReconciliation(result.instanceHours(), quality);
    CatalogGaps.record(result.instances(), result.gpuHourly(), quality);
    return result;
  }

  private Dataset<Row> silver(dev.idleledger.spark.TableSpec spec, LocalDate date) {
    return tables.read(spec).where(col("date").equalTo(java.sql.Date.valueOf(date)));
  }

  /** Money is conserved per instance-hour; hours priced from the catalog or not at all are counted so they are seen. */
  private void recordReconciliation(Dataset<Row> instanceHours, QualityRecorder quality) {
    Row r = instanceHours.agg(
        max(abs(col("gpu_cost").minus(col("attributed")))).as("max_delta"),
        sum(when(col("price_source").equalTo(UnitHourRate.BILL), 1).otherwise(0)).as("billed"),
        sum(when(col("price_source").equalTo(UnitHourRate.CATALOG), 1).otherwise(0)).as("catalog"),
        sum(when(col("price_source").equalTo(UnitHourRate.NONE), 1).otherwise(0)).as("unpriced"),
        count("*").as("hours")).first();
    double maxDelta = r.isNullAt(0) ? 0.0 : r.getDouble(0);
    boolean conserved = maxDelta <= config.maxReconciliationDelta;
    quality.recordValue("reconciliation", "attribute", maxDelta, config.maxReconciliationDelta, conserved,
        conserved ? "allocated + unallocated + unobserved = GPU cost on every instance-hour"
            : "largest |GPU cost - attributed| on an instance-hour is " + maxDelta + ": money is not conserved");
    long hours = r.getLong(4);
    // A date with no instance-hour at all (a lookback date before the fleet's first day) sums to null, not 0.
    long catalogPriced = r.isNullAt(2) ? 0 : r.getLong(2);
    long unpriced = r.isNullAt(3) ? 0 : r.getLong(3);
    quality.recordValue("catalog_priced_instance_hours", "attribute", catalogPriced, null, true,
        catalogPriced + " of " + hours + " GPU instance-hours had telemetry but no bill; priced from the catalog (price_source = catalog)");
    quality.recordValue("unpriced_instance_hours", "attribute", unpriced, null, true,
        unpriced + " of " + hours + " GPU instance-hours had neither a bill nor a catalog price; cost 0 (price_source = none)");
  }
}
