package dev.idleledger.spark;

import static org.apache.spark.sql.functions.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.testing.TestSpark;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.plans.logical.LocalRelation;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.junit.jupiter.api.Test;

/**
 * What {@link StageFrames#keep} costs in local mode (the suite's session): no job of its own, one computation; and
 * nothing at all for a frame Spark knows to be empty.
 */
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

  @Test
  void aFrameKnownEmptyIsNeitherCheckpointedNorCachedAndItsGroupedQueriesRunNoJob() {
    StructType schema =
        new StructType().add("k", DataTypes.StringType).add("v", DataTypes.LongType);
    Dataset<Row> nothing = spark.createDataFrame(List.of(), schema);
    Dataset<Row> grouped = nothing.filter("v > 0").groupBy("k").agg(sum("v").as("total"));
    assertTrue(StageFrames.knownEmpty(grouped));
    assertTrue(StageFrames.knownEmptyOverLocalData(grouped));

    Dataset<Row> kept = StageFrames.keep(grouped);
    assertTrue(
        kept.queryExecution().analyzed() instanceof LocalRelation,
        "cut to an empty leaf: " + kept.queryExecution().analyzed());
    assertEquals(List.of("k", "total"), List.of(kept.columns()));
    Dataset<Row> held = StageFrames.hold(grouped);
    assertTrue(spark.sharedState().cacheManager().lookupCachedData(held).isEmpty(), "not cached");

    String group = "stage-frames-test known empty";
    spark.sparkContext().setJobGroup(group, group, false);
    try {
      assertEquals(List.of(), kept.join(held, "k").groupBy("k").count().collectAsList());
      assertEquals(List.of(), kept.orderBy("k").collectAsList());
    } finally {
      spark.sparkContext().clearJobGroup();
    }
    assertEquals(0, spark.sparkContext().statusTracker().getJobIdsForGroup(group).length);
  }

  @Test
  void aFrameEmptyOnlyOnceComputedIsNotKnownEmpty() {
    StructType schema = new StructType().add("v", DataTypes.LongType);
    Dataset<Row> some = spark.createDataFrame(List.of(RowFactory.create(1L)), schema);
    // Empty, but only running the filter says so: kept and cached as any frame.
    assertFalse(StageFrames.knownEmpty(some.filter("v > 1")));
    Dataset<Row> nothing = spark.createDataFrame(List.of(), schema);
    // Reads an empty relation, yet has rows (a global aggregate over nothing is one row).
    assertFalse(StageFrames.knownEmpty(nothing.agg(sum("v"))));
    assertFalse(StageFrames.knownEmpty(some.unionByName(nothing)));
    // A frame over a checkpointed one is local data, but not known empty while that has rows.
    assertFalse(StageFrames.knownEmptyOverLocalData(StageFrames.keep(some).filter("v > 0")));
  }
}
