package dev.idleledger.attribute;

import static dev.idleledger.attribute.GpuHourlyTable.CLUSTER;
import static dev.idleledger.attribute.GpuHourlyTable.CURRENCY;
import static dev.idleledger.attribute.GpuHourlyTable.HOUR;
import static dev.idleledger.attribute.GpuHourlyTable.INSTANCE_ID;
import static dev.idleledger.attribute.GpuHourlyTable.PRICE_SOURCE;
import static dev.idleledger.attribute.GpuHourlyTable.SLICE_SHARE;
import static dev.idleledger.attribute.GpuHourlyTable.UNIT_ID;
import static java.util.Map.entry;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import dev.idleledger.ingest.SilverTables.BillingHourly;
import dev.idleledger.model.Periods;
import dev.idleledger.spark.OrderedColumns;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The rate of one GPU unit in one hour (COST_MODEL.md §2):
 * {@code r = gpu_cost × slice_share / max(billed_seconds, observed_seconds)}, so that observed money plus
 * unobserved money is exactly the unit's share of the bill even when clocks disagree. Where no bill covers
 * the hour, the catalog's on-demand price per GPU-second is used ({@code price_source = 'catalog'}), else 0.
 */
final class UnitHourRate {
  /** Catalog on-demand price of the instance per hour. */
  private static final String CAT_ON_DEMAND_HOURLY = "cat_on_demand_hourly";

  /** Seconds of a unit-hour that telemetry covers. */
  private static final String OBSERVED_SECONDS = "observed_seconds";

  static final String BILL = "bill";
  static final String CATALOG = "catalog";
  static final String NONE = "none";

  /** Catalog prices are list prices in US dollars. */
  private static final String CATALOG_CURRENCY = "USD";

  private UnitHourRate() {}

  /**
   * @param units cluster, node, gpu_uuid, unit_id, gpu_model, mig_profile, mig_instance_id, slice_share, instance_id, instance_type, gpus, gpu_share, cat_on_demand_hourly, cat_gpus
   * @param billedHours instance_id, hour, gpu_cost_per_gpu, billed_seconds, currency
   * @param observed cluster, unit_id, hour, observed_seconds
   * @return one row per unit-hour that was billed or observed, with rate, unobserved_seconds, price_source
   */
  static Dataset<Row> compute(Dataset<Row> units, Dataset<Row> billedHours, Dataset<Row> observed) {
    Dataset<Row> billedUnitHours =
        units
            .join(billedHours.drop(CLUSTER), INSTANCE_ID)
            .select(
                CLUSTER, UNIT_ID, HOUR, "gpu_cost_per_gpu", BillingHourly.BILLED_SECONDS, CURRENCY);
    Dataset<Row> unitHours =
        billedUnitHours
            .join(observed, new String[] {CLUSTER, UNIT_ID, HOUR}, "full_outer")
            .join(units, new String[] {CLUSTER, UNIT_ID}, "left")
            .withColumn(OBSERVED_SECONDS, coalesce(col(OBSERVED_SECONDS), lit(0.0)));

    Column billed = col(BillingHourly.BILLED_SECONDS).isNotNull();
    Column denominator = greatest(col(BillingHourly.BILLED_SECONDS), col(OBSERVED_SECONDS));
    Column billRate =
        when(
                denominator.gt(0),
                col("gpu_cost_per_gpu").multiply(col(SLICE_SHARE)).divide(denominator))
            .otherwise(lit(0.0));
    Column catalogRate =
        col(CAT_ON_DEMAND_HOURLY)
            .multiply(col("gpu_share"))
            .divide(col("cat_gpus"))
            .divide((double) Periods.SECONDS_PER_HOUR)
            .multiply(col(SLICE_SHARE));
    return unitHours.withColumns(
        OrderedColumns.of(
            entry(
                PRICE_SOURCE,
                when(billed, lit(BILL))
                    .when(col(CAT_ON_DEMAND_HOURLY).isNotNull(), lit(CATALOG))
                    .otherwise(lit(NONE))),
            entry(
                "rate",
                when(billed, billRate)
                    .when(col(CAT_ON_DEMAND_HOURLY).isNotNull(), catalogRate)
                    .otherwise(lit(0.0))),
            entry(
                "unobserved_seconds",
                when(
                        billed,
                        greatest(
                            lit(0.0),
                            col(BillingHourly.BILLED_SECONDS).minus(col(OBSERVED_SECONDS))))
                    .otherwise(lit(0.0))),
            entry(CURRENCY, when(billed, col(CURRENCY)).otherwise(lit(CATALOG_CURRENCY)))));
  }
}
