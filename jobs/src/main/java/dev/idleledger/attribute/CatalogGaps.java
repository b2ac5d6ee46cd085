package dev.idleledger.attribute;

import static dev.idleledger.attribute.GpuHourlyTable.CLUSTER;
import static dev.idleledger.attribute.GpuHourlyTable.COST;
import static dev.idleledger.attribute.GpuHourlyTable.CURRENCY;
import static dev.idleledger.attribute.GpuHourlyTable.INSTANCE_ID;
import static dev.idleledger.attribute.GpuHourlyTable.INSTANCE_TYPE;
import static dev.idleledger.attribute.GpuHourlyTable.NODE;
import static dev.idleledger.attribute.GpuHourlyTable.UNIT_ID;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;

import dev.idleledger.config.InstanceCatalog;
import dev.idleledger.quality.QualityRecorder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What the catalog and kube state could not say about the day's instances, as warnings in {@code run_quality}
 * and the run's log: GPU instances whose type the catalog lacks (their GPU count was assumed, COST_MODEL.md §1),
 * GPU-family types on the bill the catalog lacks (not counted as GPU cost at all), and GPU instances on the bill
 * that no cluster knows (published under cluster {@code unattributed}, all unobserved). Each is one row per
 * check with the count as its value, so a night with none of them says so too.
 */
final class CatalogGaps {
  /** GPUs of an instance (InstanceHourCost#instances), or distinct units of a bill-only one. */
  private static final String GPUS = "gpus";

  static final String UNKNOWN_TYPES = "unknown_gpu_instance_types";
  static final String UNCOUNTED_TYPES = "uncounted_gpu_instance_types";
  static final String BILL_ONLY = "bill_only_gpu_instances";
  private static final String SOURCE = "attribute";

  /** Warnings name this many items; the rest are counted. */
  private static final int NAMED = 20;

  private CatalogGaps() {}

  /**
   * @param instances {@link CostAttribution.Result#instances}
   * @param gpuHourly the day's gpu_hourly rows
   */
  static void record(Dataset<Row> instances, Dataset<Row> gpuHourly, QualityRecorder quality) {
    // A few rows per instance type: small enough to bring to the driver and word here.
    List<Row> unknown =
        instances
            .where(col("cat_gpus").isNull())
            .groupBy(INSTANCE_TYPE)
            .agg(
                count("*").as("instances"),
                min(GPUS).as("min_gpus"),
                max(GPUS).as("max_gpus"),
                max(col(NODE).isNotNull()).as("has_node"))
            .orderBy(INSTANCE_TYPE)
            .collectAsList();

    List<String> assumed = new ArrayList<>();
    List<String> uncounted = new ArrayList<>();
    long assumedInstances = 0;
    long uncountedInstances = 0;
    for (Row r : unknown) {
      String type = r.isNullAt(0) ? "(no instance type)" : r.getString(0);
      long n = r.getLong(1);
      long minGpus = r.getLong(2);
      long maxGpus = r.getLong(3);
      if (maxGpus > 0) {
        assumedInstances += n;
        assumed.add(
            String.format(
                Locale.ROOT,
                "%s on %d instance(s): %s GPUs assumed per instance",
                type,
                n,
                minGpus == maxGpus ? Long.toString(maxGpus) : minGpus + "-" + maxGpus));
      } else if (!r.getBoolean(4) && InstanceCatalog.looksLikeGpuFamily(type)) {
        uncountedInstances += n;
        uncounted.add(String.format(Locale.ROOT, "%s on %d instance(s)", type, n));
      }
    }
    quality.recordWarning(
        UNKNOWN_TYPES,
        SOURCE,
        assumedInstances,
        assumed.isEmpty()
            ? "every GPU instance's type is in the instance catalog"
            : "GPU instance types not in the instance catalog: "
                + named(assumed)
                + " (the node's nvidia_com_gpu capacity plus MIG-enabled"
                + " GPUs seen, or the distinct GPUs seen if more; COST_MODEL.md §1); add them to conf/instance-catalog.csv");
    quality.recordWarning(
        UNCOUNTED_TYPES,
        SOURCE,
        uncountedInstances,
        uncounted.isEmpty()
            ? "no GPU-family instance type on the bill is missing from the instance catalog"
            : "GPU-family instance types only on the bill and not in the instance catalog: "
                + named(uncounted)
                + "; 0 GPUs assumed, so their cost is not GPU cost until conf/instance-catalog.csv has them");

    List<Row> billOnly =
        gpuHourly
            .where(
                col(CLUSTER).equalTo(InstanceHourCost.UNATTRIBUTED_CLUSTER).and(col(NODE).isNull()))
            .groupBy(INSTANCE_ID, INSTANCE_TYPE)
            .agg(countDistinct(UNIT_ID).as(GPUS), sum(COST).as(COST), max(CURRENCY).as(CURRENCY))
            .orderBy(col(COST).desc(), col(INSTANCE_ID))
            .collectAsList();
    List<String> named = new ArrayList<>();
    for (Row r : billOnly) {
      named.add(
          String.format(
                  Locale.ROOT,
                  "%s, %s, %d GPUs, %.2f %s",
                  r.getString(0),
                  r.getString(1),
                  r.getLong(2),
                  r.getDouble(3),
                  r.isNullAt(4) ? "" : r.getString(4))
              .trim());
    }
    quality.recordWarning(
        BILL_ONLY,
        SOURCE,
        billOnly.size(),
        billOnly.isEmpty()
            ? "every GPU instance on the bill is a node of a known cluster"
            : "GPUs on the bill that no cluster knows (published as cluster '"
                + InstanceHourCost.UNATTRIBUTED_CLUSTER
                + "', all unobserved): "
                + named(named));
  }

  private static String named(List<String> items) {
    return items.size() <= NAMED
        ? String.join("; ", items)
        : String.join("; ", items.subList(0, NAMED)) + "; and " + (items.size() - NAMED) + " more";
  }
}
