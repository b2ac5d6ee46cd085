package dev.idleledger.spark;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;

/**
 * Brings a table written by an earlier release up to its {@link TableSpec}: columns the spec has and the table
 * lacks are added with their comments ({@code ALTER TABLE … ADD COLUMNS}), reworded comments of existing columns
 * are updated, and the lake's table properties are set where missing or different. Both are metadata-only Delta commits: no data file is rewritten, old rows read
 * the new columns as null. A column the table has and the spec no longer names is left alone (an older reader
 * may still want it); a column whose type changed is refused, because Delta cannot change it in place.
 */
final class TableUpgrade {
  private final SparkSession spark;

  TableUpgrade(SparkSession spark) {
    this.spark = spark;
  }

  /** What the upgrade of one table did: the columns added and the properties set (both empty when current). */
  record Outcome(
      List<String> addedColumns, List<String> rewordedColumns, Map<String, String> setProperties) {}

  Outcome apply(String qualifiedName, TableSpec spec) {
    Map<String, StructField> existing = new HashMap<>();
    for (StructField f : spark.table(qualifiedName).schema().fields()) {
      existing.put(f.name().toLowerCase(Locale.ROOT), f);
    }
    List<StructField> missing = new ArrayList<>();
    List<StructField> reworded = new ArrayList<>();
    for (StructField wanted : spec.schema().fields()) {
      StructField have = existing.get(wanted.name().toLowerCase(Locale.ROOT));
      if (have == null) {
        missing.add(wanted);
      } else if (!have.dataType().sameType(wanted.dataType())) {
        throw new IllegalStateException(
            qualifiedName
                + "."
                + wanted.name()
                + " is "
                + have.dataType().simpleString()
                + " in the lake but "
                + wanted.dataType().simpleString()
                + " in this release; Delta cannot change a column's type"
                + " in place: rewrite the table or restore the release that wrote it");
      } else if (!have.getComment().equals(wanted.getComment())) {
        reworded.add(wanted);
      }
    }
    if (!missing.isEmpty()) {
      spark.sql(
          "ALTER TABLE "
              + qualifiedName
              + " ADD COLUMNS ("
              + missing.stream().map(StructField::toDDL).collect(Collectors.joining(", "))
              + ")");
    }
    // A column's meaning may be reworded by a release (e.g. what its null means); DESCRIBE should
    // say this release's.
    for (StructField column : reworded) {
      spark.sql(
          "ALTER TABLE "
              + qualifiedName
              + " ALTER COLUMN "
              + column.name()
              + " COMMENT '"
              + column.getComment().get().replace("\\", "\\\\").replace("'", "\\'")
              + "'");
    }
    Map<String, String> stale = staleProperties(qualifiedName);
    if (!stale.isEmpty()) {
      spark.sql(
          "ALTER TABLE "
              + qualifiedName
              + " SET TBLPROPERTIES ("
              + LakeTableProperties.sql(stale)
              + ")");
    }
    return new Outcome(
        missing.stream().map(StructField::name).toList(),
        reworded.stream().map(StructField::name).toList(),
        stale);
  }

  private Map<String, String> staleProperties(String qualifiedName) {
    Map<String, String> current = new HashMap<>();
    for (Row r : spark.sql("SHOW TBLPROPERTIES " + qualifiedName).collectAsList()) {
      current.put(r.getString(0), r.getString(1));
    }
    Map<String, String> stale = new HashMap<>();
    for (Map.Entry<String, String> p : LakeTableProperties.DEFAULTS.entrySet()) {
      if (!p.getValue().equals(current.get(p.getKey()))) {
        stale.put(p.getKey(), p.getValue());
      }
    }
    return stale;
  }
}
