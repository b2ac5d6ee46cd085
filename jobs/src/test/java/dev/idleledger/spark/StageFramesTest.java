package dev.idleledger.spark;

import static org.apache.spark.sql.functions.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.idleledger.testing.TestSpark;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.junit.jupiter.api.Test;

/** What {@link StageFrames#keep} costs in local mode (the suite's session): no job of its own, one computation. */
class StageFramesTest {
  private final SparkSession spark = TestSpark.session();

  @Test
  void aKeptFrameRunsNoJobOfItsOwnAndItsRowsAreComputedOnceByTheFirstReader() {
    // Each row computed adds 1: the frame's rows are counted each time Spark computes them.
    LongAccumulator computed =
        spark.sparkContext().longAccumulator("stage-frames-test rows computed");
    JavaRDD<Row> rows =
        JavaSparkContext.fromSparkContext(spark.sparkContext())
            .parallelize(List.of(1L, 2L, 3L), 2)
            .map(
                v -> {
                  computed.add(1);
                  return RowFactory.create(v);
                });
    Dataset<Row> frame = spark.createDataFrame(rows, new StructType().add("v", DataTypes.LongType));

    Dataset<Row> kept = StageFrames.keep(frame);
    assertEquals(0L, computed.sum(), "keep computes nothing by itself");

    // The first reader (an aggregation: a shuffle whose map side reads all of the frame) computes
    // the 3 rows once.
    assertEquals(6L, kept.agg(sum("v")).first().getLong(0), "1 + 2 + 3");
    assertEquals(3L, computed.sum());
    // Later readers read the kept blocks: nothing is computed again.
    assertEquals(3L, kept.count());
    assertEquals(
        List.of(1L, 2L, 3L),
        kept.orderBy("v").collectAsList().stream().map(r -> r.getLong(0)).toList());
    assertEquals(3L, computed.sum());
  }

  @Test
  void aFirstReaderOfOnePartitionStillLeavesEveryPartitionKept() {
    LongAccumulator computed =
        spark.sparkContext().longAccumulator("stage-frames-test rows computed, first()");
    JavaRDD<Row> rows =
        JavaSparkContext.fromSparkContext(spark.sparkContext())
            .parallelize(List.of(1L, 2L, 3L, 4L), 2)
            .map(
                v -> {
                  computed.add(1);
                  return RowFactory.create(v);
                });
    Dataset<Row> kept =
        StageFrames.keep(
            spark.createDataFrame(rows, new StructType().add("v", DataTypes.LongType)));

    // first() reads partition 0 (rows 1, 2); the checkpoint then computes the partition it did not
    // read (3, 4).
    assertEquals(1L, kept.first().getLong(0));
    assertEquals(4L, computed.sum());
    assertEquals(10L, kept.agg(sum("v")).first().getLong(0), "1 + 2 + 3 + 4");
    assertEquals(4L, computed.sum());
  }
}
