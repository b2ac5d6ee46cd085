package dev.idleledger.spark;

import java.util.List;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A table of the lake: its name, what it is for, and its columns with meaning and unit, so that an analyst's
 * {@code DESCRIBE} explains it. The column list is the one place a table's names live.
 */
public record TableSpec(String name, String comment, List<Column> columns, String partitionColumn) {
  public record Column(String name, DataType type, String comment) {}

  public static Column col(String name, DataType type, String comment) {
    return new Column(name, type, comment);
  }

  public StructType schema() {
    StructField[] fields =
        columns.stream()
            .map(
                c ->
                    new StructField(c.name(), c.type(), true, Metadata.empty())
                        .withComment(c.comment()))
            .toArray(StructField[]::new);
    return new StructType(fields);
  }

  public String[] columnNames() {
    return columns.stream().map(Column::name).toArray(String[]::new);
  }
}
