package dev.idleledger.recommend;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.idleledger.attribute.GpuHourlyTable;
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
    // Every row of a unit-hour carries its rate; the max reads it once per unit-hour.
    Dataset<Row> rates = gpuHourly.groupBy("cluster", "unit_id", "hour")
        .agg(max(GpuHourlyTable.RATE_PER_SECOND).as("rate"), max("instance_id").as("instance_id"));
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
