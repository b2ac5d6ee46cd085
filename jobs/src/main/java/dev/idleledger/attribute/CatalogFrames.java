package dev.idleledger.attribute;

import static dev.idleledger.attribute.GpuHourlyTable.GPU_MODEL;
import static dev.idleledger.attribute.GpuHourlyTable.INSTANCE_TYPE;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.trim;

import dev.idleledger.config.GpuSharePolicy;
import dev.idleledger.config.InstanceCatalog;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** The instance catalog as small frames to broadcast-join: instance shapes with their GPU share, and MIG slices per model. */
final class CatalogFrames {
  private CatalogFrames() {}

  /** The column an instance type is matched on, on both sides of the join. */
  static final String KEY = "catalog_key";

  /**
   * catalog_key ({@link InstanceCatalog#key}), cat_gpus, cat_gpu_memory_mib, cat_on_demand_hourly (null = no
   * catalog price), cat_gpu_share (the share policy applied to the shape).
   */
  static Dataset<Row> instanceTypes(
      SparkSession spark, InstanceCatalog catalog, GpuSharePolicy share) {
    StructType schema =
        new StructType()
            .add(KEY, DataTypes.StringType)
            .add("cat_gpus", DataTypes.IntegerType)
            .add("cat_gpu_memory_mib", DataTypes.DoubleType)
            .add("cat_on_demand_hourly", DataTypes.DoubleType)
            .add("cat_gpu_share", DataTypes.DoubleType);
    List<Row> rows = new ArrayList<>();
    for (InstanceCatalog.InstanceType t : catalog.instanceTypes()) {
      rows.add(
          RowFactory.create(
              InstanceCatalog.key(t.instanceType()),
              t.gpus(),
              (double) t.gpuMemoryMib(),
              t.onDemandHourly(),
              share.share(t.gpus(), t.vcpu(), t.memoryGib())));
    }
    return spark.createDataFrame(rows, schema);
  }

  /**
   * {@link InstanceCatalog#key} as a column expression, so a bill's {@code NC24ads A100 v4} and a node's
   * {@code Standard_NC24ads_A100_v4} find the same catalog row.
   */
  static Column key(Column instanceType) {
    Column k = regexp_replace(lower(trim(instanceType)), "\\s+", "_");
    k = regexp_replace(k, "^standard_", "");
    return regexp_replace(k, "_(low_priority|spot)$", "");
  }

  /** Left-joins the catalog columns (a selection of {@link #instanceTypes} with its key) to rows by their instance_type. */
  static Dataset<Row> withShape(Dataset<Row> rows, Dataset<Row> catalogColumns) {
    return rows.withColumn(KEY, key(col(INSTANCE_TYPE)))
        .join(broadcast(catalogColumns), new String[] {KEY}, "left")
        .drop(KEY);
  }

  /** gpu_model, model_slices: how many compute slices a whole GPU of the model has (7 for A100/H100). */
  static Dataset<Row> modelSlices(SparkSession spark, InstanceCatalog catalog) {
    Map<String, Integer> slices = new LinkedHashMap<>();
    for (InstanceCatalog.InstanceType t : catalog.instanceTypes()) {
      if (t.migSlices() > 0) {
        slices.merge(t.gpuModel(), t.migSlices(), Math::max);
      }
    }
    List<Row> rows = new ArrayList<>();
    slices.forEach((model, n) -> rows.add(RowFactory.create(model, n)));
    return spark.createDataFrame(
        rows,
        new StructType()
            .add(GPU_MODEL, DataTypes.StringType)
            .add("model_slices", DataTypes.IntegerType));
  }

  /** The GPU share for an instance type the catalog does not know: only whole-node and fixed need no shape. */
  static double shareForUnknownShape(GpuSharePolicy share) {
    return share.kind() == GpuSharePolicy.Kind.FIXED ? share.fixedShare() : 1.0;
  }
}
