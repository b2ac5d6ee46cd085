package dev.idleledger.recommend;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.idleledger.attribute.GpuHourlyTable;
import dev.idleledger.ingest.SilverTables.BillingHourly;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The rate of each GPU unit-hour of the window as attribution kept it ({@code gpu_hourly.rate_per_second}), so
 * recommendations price seconds exactly as the ledger did. {@code list_factor} turns amortized money into money at list
 * (on-demand) prices for the same hour.
 */
final class UnitHourRates {
  /** The rate attribution kept on gpu_hourly (rate_per_second), null on older rows. */
  private static final String KEPT_RATE = "kept_rate";

  /** Money of the unit-hour's observed seconds. */
  private static final String MONEY = "money";

  /** GPU-equivalent seconds of the unit-hour. */
  private static final String EQ_SECONDS = "eq_seconds";

  /** Money per second of the unit-hour. */
  private static final String RATE = "rate";

  /** List price / paid price of the instance-hour (1 when unknown). */
  private static final String LIST_FACTOR = "list_factor";

  private UnitHourRates() {}

  /** (cluster, unit_id, hour) → instance_id, rate, list_factor. Small: one row per unit-hour of the window. */
  static Dataset<Row> of(Dataset<Row> gpuHourly, Dataset<Row> billing) {
    // Every row of a unit-hour carries its rate; the max reads it once per unit-hour. Rows a
    // release before rate_per_second wrote have it null (the upgrade adds the column, it does not
    // rewrite rows): for those unit-hours alone the rate is recovered from the hour's observed
    // money and seconds, so an upgraded lake's first windows are
    // not priced at zero. A backfill --force of those dates writes the column and retires this
    // path.
    Column observedMoney =
        col(GpuHourlyTable.ACTIVE_COST)
            .plus(col(GpuHourlyTable.IDLE_COST))
            .plus(col(GpuHourlyTable.UNALLOCATED_COST));
    Column observedSeconds =
        col(GpuHourlyTable.STATE_SECONDS_ACTIVE)
            .plus(col(GpuHourlyTable.STATE_SECONDS_IDLE))
            .plus(col(GpuHourlyTable.STATE_SECONDS_UNALLOCATED));
    Dataset<Row> rates =
        gpuHourly
            .groupBy(GpuHourlyTable.CLUSTER, GpuHourlyTable.UNIT_ID, GpuHourlyTable.HOUR)
            .agg(
                max(GpuHourlyTable.RATE_PER_SECOND).as(KEPT_RATE),
                sum(observedMoney).as(MONEY),
                sum(observedSeconds).as(EQ_SECONDS),
                max(GpuHourlyTable.SLICE_SHARE).as(GpuHourlyTable.SLICE_SHARE),
                max(GpuHourlyTable.INSTANCE_ID).as(GpuHourlyTable.INSTANCE_ID))
            .withColumn(
                RATE,
                coalesce(
                    col(KEPT_RATE),
                    when(
                        col(EQ_SECONDS).gt(0),
                        col(GpuHourlyTable.SLICE_SHARE)
                            .multiply(col(MONEY))
                            .divide(col(EQ_SECONDS)))));
    return rates
        .join(
            broadcast(listFactors(billing)),
            new String[] {GpuHourlyTable.INSTANCE_ID, GpuHourlyTable.HOUR},
            "left")
        .withColumn(LIST_FACTOR, coalesce(col(LIST_FACTOR), lit(1.0)))
        .select(
            GpuHourlyTable.CLUSTER,
            GpuHourlyTable.UNIT_ID,
            GpuHourlyTable.HOUR,
            GpuHourlyTable.INSTANCE_ID,
            RATE,
            LIST_FACTOR);
  }

  /** (instance_id, hour) → list_cost / node_cost; hours priced from the catalog are at list already (factor 1). */
  static Dataset<Row> listFactors(Dataset<Row> billing) {
    Column nodeCost = col(BillingHourly.NODE_COST);
    Column listCost = col(BillingHourly.LIST_COST);
    return billing
        .groupBy(BillingHourly.INSTANCE_ID, BillingHourly.HOUR)
        .agg(sum(nodeCost).as(BillingHourly.NODE_COST), sum(listCost).as(BillingHourly.LIST_COST))
        .withColumn(
            LIST_FACTOR, when(nodeCost.gt(0).and(listCost.isNotNull()), listCost.divide(nodeCost)))
        .select(BillingHourly.INSTANCE_ID, BillingHourly.HOUR, LIST_FACTOR);
  }
}
