package dev.idleledger.recommend;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The money per observed second of each GPU unit-hour, recovered from {@code gpu_hourly} (where the cost model
 * already applied the bill), so recommendations price seconds exactly as attribution did: on every observed row
 * money = r × hold / |holders| and GPU-equivalent seconds = hold × slice_share / |holders|, hence
 * r = slice_share × observed money / observed GPU-equivalent seconds. {@code list_factor} turns amortized money
 * into money at list (on-demand) prices for the same hour.
 */
final class UnitHourRates {
  private UnitHourRates() {}

  /** (cluster, unit_id, hour) → rate, list_factor. Small: one row per unit-hour of the window. */
  static Dataset<Row> of(Dataset<Row> gpuHourly, Dataset<Row> billing) {
    Column observedMoney = col("active_cost").plus(col("idle_cost")).plus(col("unallocated_cost"));
    Column observedSeconds = col("state_seconds_active").plus(col("state_seconds_idle")).plus(col("state_seconds_unallocated"));
    Dataset<Row> rates = gpuHourly.groupBy("cluster", "unit_id", "hour").agg(
            sum(observedMoney).as("money"), sum(observedSeconds).as("eq_seconds"), max("slice_share").as("slice_share"),
            max("instance_id").as("instance_id"))
        .where(col("eq_seconds").gt(0))
        .withColumn("rate", col("slice_share").multiply(col("money")).divide(col("eq_seconds")));
    Dataset<Row> listFactors = listFactors(billing);
    return rates.join(broadcast(listFactors), new String[] {"instance_id", "hour"}, "left")
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
