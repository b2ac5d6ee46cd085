package dev.idleledger.spark;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_distinct;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.testing.TestSpark;
import java.util.List;
import java.util.function.Supplier;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The checks' aggregates without grouping: over a frame known to be empty, the row Spark itself gives over no rows,
 * worked out on the driver without a job; over any other frame, Spark's answer.
 */
class GlobalAggregateTest {
  private static final StructType SAMPLES =
      new StructType()
          .add("node", DataTypes.StringType)
          .add("rows", DataTypes.LongType)
          .add("cost", DataTypes.DoubleType)
          .add("price", new DecimalType(18, 6))
          .add("slot", DataTypes.IntegerType)
          .add("reason", DataTypes.StringType);

  private static SparkSession spark;

  @BeforeAll
  static void session() {
    spark = TestSpark.session();
  }

  /** The kinds of aggregate the stages' checks use, and a few around them. */
  private static Column[] everyKind() {
    return new Column[] {
      count(lit(1)),
      sum(col("rows")),
      sum(col("cost")),
      sum(col("price")),
      sum(when(col("reason").isNull(), 1L).otherwise(0L)).plus(lit(1L)),
      max(abs(col("cost"))),
      min(col("node")),
      max(col("slot")),
      avg(col("cost")),
      count_distinct(when(col("reason").isNull(), struct(col("node"), col("slot")))),
      first(col("node"), true),
      collect_set(col("node")),
      count(col("reason")).equalTo(lit(0L))
    };
  }

  @Test
  void overAFrameKnownEmptyTheRowIsSparksOwnAnswerOverNoRowsAndRunsNoJob() throws Exception {
    Dataset<Row> none =
        spark.createDataFrame(List.of(), SAMPLES).where(col("rows").gt(0)).select("*");
    assertTrue(StageFrames.knownEmptyOverLocalData(none));
    Column[] aggs = everyKind();

    Row fromSpark = jobsOf("spark's answer", () -> none.agg(aggs[0], rest(aggs)).first(), true);
    Row worked = jobsOf("worked out", () -> GlobalAggregate.of(none, aggs[0], rest(aggs)), false);

    assertEquals(fromSpark.toString(), worked.toString());
    assertEquals(0L, worked.getLong(0), "a count over no rows");
    assertTrue(worked.isNullAt(1), "a sum over no rows is null");
    assertTrue(worked.isNullAt(4), "a null sum plus 1 is null, as Spark has it");
    assertEquals(List.of(), worked.getList(11), "a set over no rows is empty");
    assertEquals(true, worked.getBoolean(12), "the expression around a count of 0 is applied");
  }

  @Test
  void overAFrameWithRowsItIsSparksAnswer() {
    Dataset<Row> some =
        spark.createDataFrame(
            List.of(
                RowFactory.create("n1", 3L, -2.5, new java.math.BigDecimal("1.5"), 4, null),
                RowFactory.create("n2", 4L, 1.0, new java.math.BigDecimal("2.25"), 7, "bad")),
            SAMPLES);
    Column[] aggs = everyKind();
    Row worked = GlobalAggregate.of(some, aggs[0], rest(aggs));
    assertEquals(2L, worked.getLong(0));
    assertEquals(7L, worked.getLong(1));
    assertEquals(-1.5, worked.getDouble(2), 1e-12);
    assertEquals(2L, worked.getLong(4), "one row without a reason, plus 1");
    assertEquals(2.5, worked.getDouble(5), 1e-12);
    assertEquals(7, worked.getInt(7));
    assertEquals(1L, worked.getLong(9));
  }

  private static Column[] rest(Column[] aggs) {
    return java.util.Arrays.copyOfRange(aggs, 1, aggs.length);
  }

  /** Runs {@code answer} in a job group of its own and checks whether it started a Spark job. */
  private static Row jobsOf(String what, Supplier<Row> answer, boolean expectJobs)
      throws java.util.concurrent.TimeoutException {
    String group = "global-aggregate-test " + what;
    spark.sparkContext().setJobGroup(group, group, false);
    Row row;
    try {
      row = answer.get();
    } finally {
      spark.sparkContext().clearJobGroup();
    }
    spark.sparkContext().listenerBus().waitUntilEmpty();
    int jobs = spark.sparkContext().statusTracker().getJobIdsForGroup(group).length;
    assertEquals(expectJobs, jobs > 0, what + ": " + jobs + " jobs");
    return row;
  }
}
