package dev.idleledger.report;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;

import dev.idleledger.attribute.GpuHourlyTable;
import dev.idleledger.rollup.GoldTables;
import dev.idleledger.rollup.GoldTables.ClusterDaily;
import dev.idleledger.rollup.GoldTables.WorkloadDaily;
import dev.idleledger.spark.LakeTables;
import dev.idleledger.spark.TableSpec;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** The figures a platform lead reads first, from the published tables for a range of dates. */
public record WasteSummary(
    LocalDate from,
    LocalDate to,
    String currency,
    double gpuCost,
    double idleCost,
    double unallocatedCost,
    double unobservedCost,
    double gpuHours,
    List<TopWorkload> topWorkloads,
    List<TypeWaste> wasteByType,
    List<UnknownGpuInstance> billOnlyGpus) {

  public record TopWorkload(
      String namespace,
      String kind,
      String name,
      String type,
      String team,
      double gpuHours,
      double efficiency,
      double idleHours,
      double idleCost,
      double cost) {}

  public record TypeWaste(String type, double idleCost, double cost) {}

  /**
   * A GPU instance on the bill that no cluster knows (gpu_hourly cluster 'unattributed', no node): paid-for GPUs
   * nobody can see, let alone use. {@code cost} is all its GPU money over the range.
   */
  public record UnknownGpuInstance(
      String instanceId, String instanceType, long gpus, double cost) {}

  public double wasteCost() {
    return idleCost + unallocatedCost;
  }

  public double wasteShare() {
    return gpuCost == 0 ? 0 : wasteCost() / gpuCost;
  }

  public static WasteSummary read(LakeTables tables, LocalDate from, LocalDate to, int top) {
    Dataset<Row> clusters = inRange(tables, GoldTables.CLUSTER_DAILY, from, to);
    Row c =
        clusters
            .agg(
                sum(ClusterDaily.GPU_COST),
                sum(ClusterDaily.IDLE_COST),
                sum(ClusterDaily.UNALLOCATED_COST),
                sum(ClusterDaily.UNOBSERVED_COST),
                sum(ClusterDaily.BILLED_GPU_HOURS),
                max(ClusterDaily.CURRENCY))
            .first();
    // Summed over the range per workload; the sums keep the table's names.
    Dataset<Row> workloads =
        inRange(tables, GoldTables.WORKLOAD_DAILY, from, to)
            .groupBy(
                WorkloadDaily.NAMESPACE, WorkloadDaily.WORKLOAD_KIND, WorkloadDaily.WORKLOAD_NAME)
            .agg(
                max(WorkloadDaily.WORKLOAD_TYPE).as(WorkloadDaily.WORKLOAD_TYPE),
                max(WorkloadDaily.TEAM).as(WorkloadDaily.TEAM),
                sum(WorkloadDaily.GPU_HOURS).as(WorkloadDaily.GPU_HOURS),
                sum(WorkloadDaily.IDLE_GPU_HOURS).as(WorkloadDaily.IDLE_GPU_HOURS),
                sum(WorkloadDaily.IDLE_COST).as(WorkloadDaily.IDLE_COST),
                sum(WorkloadDaily.COST).as(WorkloadDaily.COST),
                sum(WorkloadDaily.UNUSED_CAPACITY_COST).as(WorkloadDaily.UNUSED_CAPACITY_COST));
    List<TopWorkload> topWorkloads =
        workloads
            .orderBy(desc(WorkloadDaily.IDLE_COST), col(WorkloadDaily.WORKLOAD_NAME))
            .limit(top)
            .collectAsList()
            .stream()
            .map(
                r ->
                    new TopWorkload(
                        r.getAs(WorkloadDaily.NAMESPACE),
                        r.getAs(WorkloadDaily.WORKLOAD_KIND),
                        r.getAs(WorkloadDaily.WORKLOAD_NAME),
                        r.getAs(WorkloadDaily.WORKLOAD_TYPE),
                        r.getAs(WorkloadDaily.TEAM),
                        r.<Double>getAs(WorkloadDaily.GPU_HOURS),
                        efficiency(r),
                        r.<Double>getAs(WorkloadDaily.IDLE_GPU_HOURS),
                        r.<Double>getAs(WorkloadDaily.IDLE_COST),
                        r.<Double>getAs(WorkloadDaily.COST)))
            .toList();
    List<TypeWaste> byType =
        workloads
            .groupBy(WorkloadDaily.WORKLOAD_TYPE)
            .agg(
                sum(WorkloadDaily.IDLE_COST).as(WorkloadDaily.IDLE_COST),
                sum(WorkloadDaily.COST).as(WorkloadDaily.COST))
            .orderBy(desc(WorkloadDaily.IDLE_COST))
            .collectAsList()
            .stream()
            .map(
                r ->
                    new TypeWaste(
                        r.getAs(WorkloadDaily.WORKLOAD_TYPE),
                        r.<Double>getAs(WorkloadDaily.IDLE_COST),
                        r.<Double>getAs(WorkloadDaily.COST)))
            .toList();
    List<UnknownGpuInstance> billOnly =
        inRange(tables, GpuHourlyTable.SPEC, from, to)
            .where(
                col(GpuHourlyTable.CLUSTER)
                    .equalTo(GpuHourlyTable.UNATTRIBUTED_CLUSTER)
                    .and(col(GpuHourlyTable.NODE).isNull()))
            .groupBy(GpuHourlyTable.INSTANCE_ID, GpuHourlyTable.INSTANCE_TYPE)
            .agg(
                countDistinct(GpuHourlyTable.UNIT_ID).as("gpus"),
                sum(GpuHourlyTable.COST).as(GpuHourlyTable.COST))
            .orderBy(desc(GpuHourlyTable.COST), col(GpuHourlyTable.INSTANCE_ID))
            .collectAsList()
            .stream()
            .map(
                r ->
                    new UnknownGpuInstance(
                        r.getString(0), r.getString(1), r.getLong(2), r.getDouble(3)))
            .toList();
    return new WasteSummary(
        from,
        to,
        c.isNullAt(5) ? "USD" : c.getString(5),
        d(c, 0),
        d(c, 1),
        d(c, 2),
        d(c, 3),
        d(c, 4),
        topWorkloads,
        byType,
        billOnly);
  }

  private static double efficiency(Row r) {
    double cost = r.<Double>getAs(WorkloadDaily.COST);
    return cost == 0 ? 0 : 1 - r.<Double>getAs(WorkloadDaily.UNUSED_CAPACITY_COST) / cost;
  }

  /** The rows of a table partitioned by date whose date is in the range. */
  private static Dataset<Row> inRange(
      LakeTables tables, TableSpec spec, LocalDate from, LocalDate to) {
    return tables
        .read(spec)
        .where(col(spec.partitionColumn()).between(Date.valueOf(from), Date.valueOf(to)));
  }

  private static double d(Row r, int i) {
    return r.isNullAt(i) ? 0.0 : r.getDouble(i);
  }
}
