package dev.idleledger.spark;

import static java.util.Map.entry;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.junit.jupiter.api.Test;

/** The columns of one withColumns call: in the order written, each name once. */
class OrderedColumnsTest {
  @Test
  void keepsTheColumnsInTheOrderTheyAreWritten() {
    Map<String, Column> columns =
        OrderedColumns.of(
            entry("kind", lit("RIGHTSIZE_GPU")),
            entry("action", col("x")),
            entry("evidence", lit(1)),
            entry("b", lit(2)),
            entry("a", lit(3)));
    assertEquals(List.of("kind", "action", "evidence", "b", "a"), List.copyOf(columns.keySet()));
  }

  @Test
  void aNameSetTwiceInOneCallIsRefusedByName() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> OrderedColumns.of(entry("cost", lit(1.0)), entry("cost", lit(2.0))));
    assertTrue(e.getMessage().contains("cost"), e.getMessage());
  }
}
