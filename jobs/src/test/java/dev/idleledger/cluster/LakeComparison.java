package dev.idleledger.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;

/**
 * Reads the published tables of two lakes (local folders or s3a://) straight from their Delta folders and
 * holds them equal: every money figure (every double, and every number inside the JSON evidence) to 1e-9,
 * every other column exactly. Columns that name a run or a moment (run_id, checked_at, ticket_synced_at) differ
 * between two runs by design and are left out.
 */
public final class LakeComparison {
  public static final List<String> MONEY_TABLES =
      List.of("gpu_hourly", "workload_daily", "cluster_daily", "team_daily", "recommendations");
  private static final Set<String> PER_RUN = Set.of("run_id", "checked_at", "ticket_synced_at");
  private static final double TOLERANCE = 1e-9;
  private static final ObjectMapper JSON = new ObjectMapper();

  private LakeComparison() {}

  /** A local SparkSession that reads Delta, with S3A pointed at {@code s3} (endpoint, keys) when given. */
  public static SparkSession reader(Map<String, String> hadoopS3) {
    SparkSession.Builder b =
        SparkSession.builder()
            .master("local[1]")
            .appName("lake comparison")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
            .config(
                "spark.sql.catalog.spark_catalog",
                "org.apache.spark.sql.delta.catalog.DeltaCatalog")
            .config("spark.databricks.delta.snapshotPartitions", "2");
    hadoopS3.forEach((k, v) -> b.config("spark.hadoop." + k, v));
    return b.getOrCreate();
  }

  public static Dataset<Row> table(SparkSession spark, String lakeRoot, String table) {
    return spark.read().format("delta").load(lakeRoot + "/warehouse/idle_ledger.db/" + table);
  }

  private static boolean sortKey(StructField f) {
    return !isNumber(f.dataType())
        && !f.name().equals("evidence")
        && !(f.dataType() instanceof MapType);
  }

  public static void assertSameTable(String table, Dataset<Row> expected, Dataset<Row> actual) {
    StructField[] fields =
        Arrays.stream(expected.schema().fields())
            .filter(f -> !PER_RUN.contains(f.name()))
            .toArray(StructField[]::new);
    // A map (labels) cannot be sorted on; the other text columns order the rows, and the map is
    // still compared.
    Column[] keys =
        Arrays.stream(fields)
            .filter(LakeComparison::sortKey)
            .map(f -> expected.col(f.name()).asc_nulls_first())
            .toArray(Column[]::new);
    String[] names = Arrays.stream(fields).map(StructField::name).toArray(String[]::new);
    List<Row> want =
        expected
            .select(names[0], Arrays.copyOfRange(names, 1, names.length))
            .orderBy(keys)
            .collectAsList();
    List<Row> got =
        actual
            .select(names[0], Arrays.copyOfRange(names, 1, names.length))
            .orderBy(
                Arrays.stream(fields)
                    .filter(LakeComparison::sortKey)
                    .map(f -> actual.col(f.name()).asc_nulls_first())
                    .toArray(Column[]::new))
            .collectAsList();
    assertTrue(
        !want.isEmpty(), table + " is empty in the reference lake: nothing would be compared");
    assertEquals(want.size(), got.size(), table + ": row count");
    for (int r = 0; r < want.size(); r++) {
      for (int c = 0; c < fields.length; c++) {
        String where = table + " row " + r + " (" + want.get(r) + ") column " + fields[c].name();
        Object a = want.get(r).get(c);
        Object b = got.get(r).get(c);
        if (a == null || b == null) {
          assertEquals(a, b, where);
        } else if (isNumber(fields[c].dataType())) {
          assertClose(((Number) a).doubleValue(), ((Number) b).doubleValue(), where);
        } else if (fields[c].name().equals("evidence")) {
          assertSameJson(parse((String) a), parse((String) b), where);
        } else {
          assertEquals(a, b, where);
        }
      }
    }
  }

  private static boolean isNumber(DataType t) {
    return t.equals(DataTypes.DoubleType)
        || t.equals(DataTypes.FloatType)
        || t instanceof DecimalType;
  }

  private static void assertClose(double a, double b, String where) {
    if (Math.abs(a - b) > TOLERANCE) {
      fail(where + ": " + a + " vs " + b + " (|Δ| " + Math.abs(a - b) + " > 1e-9)");
    }
  }

  private static JsonNode parse(String s) {
    try {
      return JSON.readTree(s);
    } catch (Exception e) {
      throw new AssertionError("evidence is not JSON: " + s, e);
    }
  }

  /** JSON equal, with numbers to 1e-9 (the evidence repeats money figures, summed in whatever order partitions came). */
  private static void assertSameJson(JsonNode a, JsonNode b, String where) {
    if (a.isNumber() && b.isNumber()) {
      assertClose(a.doubleValue(), b.doubleValue(), where);
    } else if (a.isObject() && b.isObject()) {
      assertEquals(iterable(a.fieldNames()), iterable(b.fieldNames()), where);
      a.fieldNames().forEachRemaining(n -> assertSameJson(a.get(n), b.get(n), where + "." + n));
    } else if (a.isArray() && b.isArray()) {
      assertEquals(a.size(), b.size(), where);
      for (int i = 0; i < a.size(); i++) {
        assertSameJson(a.get(i), b.get(i), where + "[" + i + "]");
      }
    } else {
      assertEquals(a, b, where);
    }
  }

  private static List<String> iterable(Iterator<String> names) {
    List<String> out = new ArrayList<>();
    names.forEachRemaining(out::add);
    return out;
  }
}
