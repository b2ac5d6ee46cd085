package dev.idleledger.spark;

import static org.apache.spark.sql.functions.expr;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.types.DataType;

/**
 * Casts that yield null for text that does not parse, whatever the session's ANSI setting (under
 * ANSI a plain {@code cast} fails the job). Spark 3.5's Column API has no {@code try_cast}, so it
 * is written as SQL here, once: callers pass the column's constant, and no column name is spelled
 * inside SQL text (issue #18).
 */
public final class SqlCasts {
  private SqlCasts() {}

  /** {@code try_cast(column AS type)}: the column as {@code type}, null where it does not parse. */
  public static Column tryCast(String column, DataType type) {
    return expr("try_cast(" + quoted(column) + " AS " + type.sql() + ")");
  }

  /** The column name as a SQL identifier, whatever characters it holds. */
  public static String quoted(String column) {
    return "`" + column.replace("`", "``") + "`";
  }
}
