package dev.idleledger.ingest.series;

import java.util.Locale;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;

/**
 * The column types a Parquet series archive may have (CONTRACTS.md §1.1), checked on the footer. Spark would cast a
 * BOOLEAN {@code value} to 1.0/0.0 and read on, or fail the whole job on a {@code labels} that is not a map: a file of
 * another shape is rejected whole instead, naming the column and the type found.
 */
final class ParquetSampleSchema {
  private ParquetSampleSchema() {}

  /** Null when the required columns have usable types; else what is wrong, for the quarantine row. */
  static String typeError(MessageType schema) {
    for (Type field : schema.getFields()) {
      String name = field.getName();
      String problem =
          switch (name) {
            case "timestamp" ->
                numberOrText(field, true)
                    ? null
                    : "a TIMESTAMP, INT64 epoch milliseconds or ISO-8601 STRING";
            case "value" -> numberOrText(field, false) ? null : "a number (DOUBLE)";
            case "metric" -> text(field) ? null : "a STRING";
            case "labels" -> stringMap(field) ? null : "a MAP<STRING,STRING>";
            default -> null;
          };
      if (problem != null) {
        return "Parquet column "
            + name
            + " is "
            + describe(field)
            + ", expected "
            + problem
            + "; re-export the file with the contract's types";
      }
    }
    return null;
  }

  private static boolean numberOrText(Type field, boolean timestamp) {
    if (!field.isPrimitive()) {
      return false;
    }
    PrimitiveTypeName t = field.asPrimitiveType().getPrimitiveTypeName();
    return switch (t) {
      case INT32, INT64, DOUBLE, FLOAT -> true;
      case INT96 -> timestamp;
      case BINARY -> text(field);
      case FIXED_LEN_BYTE_ARRAY ->
          field.getLogicalTypeAnnotation()
              instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation;
      default -> false;
    };
  }

  private static boolean text(Type field) {
    return field.isPrimitive()
        && field.asPrimitiveType().getPrimitiveTypeName() == PrimitiveTypeName.BINARY
        && field.getLogicalTypeAnnotation()
            instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation;
  }

  private static boolean stringMap(Type field) {
    if (field.isPrimitive()
        || !(field.getLogicalTypeAnnotation()
            instanceof LogicalTypeAnnotation.MapLogicalTypeAnnotation)) {
      return false;
    }
    GroupType entry = field.asGroupType().getType(0).asGroupType();
    return entry.getFieldCount() == 2 && text(entry.getType(0)) && text(entry.getType(1));
  }

  private static String describe(Type field) {
    if (!field.isPrimitive()) {
      LogicalTypeAnnotation logical = field.getLogicalTypeAnnotation();
      return logical == null ? "a group" : logical.toString().toLowerCase(Locale.ROOT);
    }
    LogicalTypeAnnotation logical = field.getLogicalTypeAnnotation();
    return field.asPrimitiveType().getPrimitiveTypeName().name()
        + (logical == null ? "" : " (" + logical + ")");
  }
}
