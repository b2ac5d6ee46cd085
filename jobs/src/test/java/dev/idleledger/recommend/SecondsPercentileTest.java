package dev.idleledger.recommend;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.idleledger.testing.TestSpark;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Percentiles over seconds (RECOMMENDATIONS.md): the smallest value with at least share p of the held time at or below
 * it, each row weighing its hold_seconds. Expected values are worked out by hand from that definition.
 */
class SecondsPercentileTest {
  private static final StructType SECONDS =
      new StructType()
          .add("workload_id", DataTypes.LongType)
          .add("hold_seconds", DataTypes.DoubleType)
          .add("a", DataTypes.DoubleType)
          .add("b", DataTypes.IntegerType);

  @Test
  void eachValueWeighsItsHeldTimeAndTheNearestRankIsTheFirstToReachTheShare() {
    SparkSession spark = TestSpark.session();
    List<Row> rows =
        List.of(
            // Workload 1: a 30 s sample at 10 outweighs two 1 s ones below it. Held 32 s; half
            // is 16 s, first reached at 10 (1, 2, 32 s up to 1, 2, 10): p50 = 10, where the row
            // count's median would be 2.
            RowFactory.create(1L, 1.0, 1.0, 7),
            RowFactory.create(1L, 1.0, 2.0, 7),
            RowFactory.create(1L, 30.0, 10.0, 9),
            // Workload 2: 1 s each at 1, 2, 3, 4. Half (2 s) is reached exactly at 2: p50 = 2
            // (at least the share, not more than it). p95 needs 3.8 s: reached at 4. A null value
            // does not count, however long it held.
            RowFactory.create(2L, 1.0, 1.0, 5),
            RowFactory.create(2L, 1.0, 2.0, 5),
            RowFactory.create(2L, 1.0, 3.0, 6),
            RowFactory.create(2L, 1.0, 4.0, null),
            RowFactory.create(2L, 100.0, null, null),
            // Workload 3: one value on two rows adds up: 2 s at 3, 1 s at 5; half (1.5 s) is
            // reached at 3. b is null throughout: no percentile.
            RowFactory.create(3L, 1.0, 3.0, null),
            RowFactory.create(3L, 1.0, 3.0, null),
            RowFactory.create(3L, 1.0, 5.0, null));
    Map<Long, Row> byWorkload = new HashMap<>();
    new SecondsPercentile()
        .add("a_p50", col("a"), 0.5)
        .add("a_p95", col("a"), 0.95)
        .add("b_p10", col("b"), 0.10)
        .of(spark.createDataFrame(rows, SECONDS), new String[] {"workload_id"})
        .collectAsList()
        .forEach(r -> byWorkload.put(r.getAs("workload_id"), r));
    assertEquals(3, byWorkload.size());

    Row one = byWorkload.get(1L);
    assertEquals(10.0, (double) one.getAs("a_p50"), "30 of 32 s at 10");
    assertEquals(10.0, (double) one.getAs("a_p95"));
    // b: 2 s at 7, 30 s at 9; 10 % of 32 s = 3.2 s, not reached at 7 (2 s): 9.
    assertEquals(9.0, (double) one.getAs("b_p10"));

    Row two = byWorkload.get(2L);
    assertEquals(2.0, (double) two.getAs("a_p50"), "half reached exactly at 2");
    assertEquals(4.0, (double) two.getAs("a_p95"), "the null value's 100 s do not count");
    // b: 2 s at 5, 1 s at 6 (the 4th second's b is null); 10 % of 3 s is reached at 5.
    assertEquals(5.0, (double) two.getAs("b_p10"));

    Row three = byWorkload.get(3L);
    assertEquals(3.0, (double) three.getAs("a_p50"), "one value on two rows adds up");
    assertEquals(5.0, (double) three.getAs("a_p95"));
    assertNull(three.getAs("b_p10"), "no value, no percentile");
  }
}
