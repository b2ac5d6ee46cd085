package dev.idleledger.report;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;

import dev.idleledger.attribute.GpuHourlyTable;
import dev.idleledger.rollup.GoldTables;
import dev.idleledger.spark.LakeTables;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** The figures a platform lead reads first, from the published tables for a range of dates. */
public record WasteSummary(LocalDate from, LocalDate to, String currency, double gpuCost, double idleCost, double unallocatedCost,
    double unobservedCost, double gpuHours, List<TopWorkload> topWorkloads, List<TypeWaste> wasteByType, List<UnknownGpuInstance> billOnlyGpus) {

  public record TopWorkload(String namespace, String kind, String name, String type, String team, double gpuHours,
      double efficiency, double idleHours, double idleCost, double cost) {}

  public record TypeWaste(String type, double idleCost, double cost) {}

  /**
   * A GPU instance on the bill that no cluster knows (gpu_hourly cluster 'unattributed', no node): paid-for GPUs
   * nobody can see, let alone use. {@code cost} is all its GPU money over the range.
   */
  public record UnknownGpuInstance(String instanceId, String instanceType, long gpus, double cost) {}

  /** The cluster name gpu_hourly gives GPU instances that are only on the bill. */
  static final String UNATTRIBUTED_CLUSTER = "unattributed";

  public double wasteCost() {
    return idleCost + unallocatedCost;
  }

  public double wasteShare() {
    return gpuCost == 0 ? 0 : wasteCost() / gpuCost;
  }

  public static WasteSummary read(LakeTables tables, LocalDate from, LocalDate to, int top) {
    Dataset<Row> clusters = inRange(tables.read(GoldTables.CLUSTER_DAILY), from, to);
    Row c = clusters.agg(sum("gpu_cost"), sum("idle_cost"), sum("unallocated_cost"), sum("unobserved_cost"), sum("billed_gpu_hours"), max("currency")).first();
    Dataset<Row> workloads = inRange(tables.read(GoldTables.WORKLOAD_DAILY), from, to)
        .groupBy("namespace", "workload_kind", "workload_name").agg(
            max("workload_type").as("workload_type"), max("team").as("team"), sum("gpu_hours").as("gpu_hours"),
            sum("idle_gpu_hours").as("idle_gpu_hours"), sum("idle_cost").as("idle_cost"), sum("cost").as("cost"),
            sum("unused_capacity_cost").as("unused_capacity_cost"));
    List<TopWorkload> topWorkloads = workloads.orderBy(desc("idle_cost"), col("workload_name")).limit(top).collectAsList().stream()
        .map(r -> new TopWorkload(r.getAs("namespace"), r.getAs("workload_kind"), r.getAs("workload_name"), r.getAs("workload_type"),
            r.getAs("team"), r.<Double>getAs("gpu_hours"), efficiency(r), r.<Double>getAs("idle_gpu_hours"), r.<Double>getAs("idle_cost"),
            r.<Double>getAs("cost")))
        .toList();
    List<TypeWaste> byType = workloads.groupBy("workload_type").agg(sum("idle_cost").as("idle_cost"), sum("cost").as("cost"))
        .orderBy(desc("idle_cost")).collectAsList().stream()
        .map(r -> new TypeWaste(r.getAs("workload_type"), r.<Double>getAs("idle_cost"), r.<Double>getAs("cost"))).toList();
    List<UnknownGpuInstance> billOnly = inRange(tables.read(GpuHourlyTable.SPEC), from, to)
        .where(col("cluster").equalTo(UNATTRIBUTED_CLUSTER).and(col("node").isNull()))
        .groupBy("instance_id", "instance_type").agg(countDistinct("unit_id").as("gpus"), sum("cost").as("cost"))
        .orderBy(desc("cost"), col("instance_id")).collectAsList().stream()
        .map(r -> new UnknownGpuInstance(r.getString(0), r.getString(1), r.getLong(2), r.getDouble(3))).toList();
    return new WasteSummary(from, to, c.isNullAt(5) ? "USD" : c.getString(5), d(c, 0), d(c, 1), d(c, 2), d(c, 3), d(c, 4), topWorkloads, byType,
        billOnly);
  }

  private static double efficiency(Row r) {
    double cost = r.<Double>getAs("cost");
    return cost == 0 ? 0 : 1 - r.<Double>getAs("unused_capacity_cost") / cost;
  }

  private static Dataset<Row> inRange(Dataset<Row> table, LocalDate from, LocalDate to) {
    return table.where(col("date").between(Date.valueOf(from), Date.valueOf(to)));
  }

  private static double d(Row r, int i) {
    return r.isNullAt(i) ? 0.0 : r.getDouble(i);
  }
}
