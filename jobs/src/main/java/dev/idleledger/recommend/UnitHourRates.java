package dev.idleledger.recommend;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.idleledger.attribute.GpuHourlyTable;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The rate of each GPU unit-hour of the window as attribution kept it ({@code gpu_hourly.rate_per_second}), so
 * recommendations price seconds exactly as the ledger did. {@code list_factor} turns amortized money into money at list
 * (on-demand) prices for the same hour.
 */
final class UnitHourRates {
  private UnitHourRates() {}

  /** (cluster, unit_id, hour) → instance_id, rate, list_factor. Small: one row per unit-hour of the window. */
  static Dataset<Row> of(Dataset<Row> gpuHourly, Dataset<Row> billing) {
    // Every row of a unit-hour carries its rate; the max reads it once per unit-hour. Rows a release before
    // rate_per_second wrote have it null (the upgrade adds the column, it does not rewrite rows): for those unit-hours
    // alone the rate is recovered from the hour's observed money and seconds, so an upgraded lake's first windows are
    // not priced at zero. A backfill --force of those dates writes the column and retires this path.
    Column observedMoney = col("active_cost").plus(col("idle_cost")).plus(col("unallocated_cost"));
    Column observedSeconds = col("state_seconds_active").plus(col("state_seconds_idle")).plus(col("state_seconds_unallocated"));
    Dataset<Row> rates = gpuHourly.groupBy("cluster", "unit_id", "hour")
        .agg(max(GpuHourlyTable.RATE_PER_SECOND).as("kept_rate"), sum(observedMoney).as("money"), sum(observedSeconds).as("eq_seconds"),
            max("slice_share").as("slice_share"), max("instance_id").as("instance_id"))
        .withColumn("rate", coalesce(col("kept_rate"),
            when(col("eq_seconds").gt(0), col("slice_share").multiply(col("money")).divide(col("eq_seconds")))));
    return rates.join(broadcast(listFactors(billing)), new String[] {"instance_id", "hour"}, "left")
        .withColumn("list_factor", coalesce(col("list_factor"), lit(1.0)))
        .select("cluster", "unit_id", "hour", "instance_id", "rate", "list_factor");
  }

  /** (instance_id, hour) → list_cost / node_cost; hours priced from the catalog are at list already (factor 1). */
  static Dataset<Row> listFactors(Dataset<Row> billing) {
    return billing.groupBy("instance_id", "hour").agg(sum("node_cost").as("node_cost"), sum("list_cost").as("list_cost"))
        .withColumn("list_factor", when(col("node_cost").gt(0).and(col("list_cost").isNotNull()), col("list_cost").divide(col("node_cost"))))
        .select("instance_id", "hour", "list_factor");
  }
}
