package dev.idleledger.model;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.idleledger.testing.TestSpark;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Idle runs (RECOMMENDATIONS.md "idle streak"): what ends a run and what does not. */
class IdleRunsTest {
  private static final StructType SECONDS =
      new StructType()
          .add("workload", DataTypes.StringType)
          .add("second", DataTypes.LongType)
          .add("hold_seconds", DataTypes.DoubleType)
          .add("any_active", DataTypes.IntegerType);

  @Test
  void anActiveSecondOrAGapBeyondTheSlackEndsARunAndAnotherWorkloadDoesNot() {
    List<Row> rows = new ArrayList<>();
    // w1: 0-9 idle (10 s), 10 active, 11-14 idle, then 16 (starts 1 s after 14's hold ended at 15:
    // within the slack), then 20-21 (2 s after 16's hold ended at 17: beyond it). w2 is active at
    // 5, inside w1's first run.
    for (long s = 0; s < 10; s++) {
      rows.add(RowFactory.create("w1", s, 1.0, 0));
    }
    rows.add(RowFactory.create("w1", 10L, 1.0, 1));
    for (long s = 11; s < 15; s++) {
      rows.add(RowFactory.create("w1", s, 1.0, 0));
    }
    rows.add(RowFactory.create("w1", 16L, 1.0, 0));
    rows.add(RowFactory.create("w1", 20L, 1.0, 0));
    rows.add(RowFactory.create("w1", 21L, 1.0, 0));
    rows.add(RowFactory.create("w2", 5L, 1.0, 1));
    SparkSession spark = TestSpark.session();
    List<Row> runs =
        IdleRuns.numbered(spark.createDataFrame(rows, SECONDS), "workload")
            .where(IdleRuns.idle())
            .groupBy("workload", IdleRuns.RUN)
            .agg(sum("hold_seconds").as("streak_seconds"))
            .orderBy(col("workload"), col(IdleRuns.RUN))
            .collectAsList();
    // Runs of w1: 0-9 = 10 s; 11-14 and 16 = 4 + 1 = 5 s; 20-21 = 2 s. w2 has no idle second.
    assertEquals(3, runs.size(), runs.toString());
    assertEquals(10.0, runs.get(0).getDouble(2), 1e-12);
    assertEquals(5.0, runs.get(1).getDouble(2), 1e-12);
    assertEquals(2.0, runs.get(2).getDouble(2), 1e-12);
  }

  @Test
  void aLongHoldCarriesTheRunToTheNextSample() {
    // 30 s scrapes: the sample at 0 holds to 30, so the one at 30 continues the run; the one at 62
    // starts 2 s late.
    List<Row> rows =
        List.of(
            RowFactory.create("w", 0L, 30.0, 0),
            RowFactory.create("w", 30L, 30.0, 0),
            RowFactory.create("w", 62L, 30.0, 0));
    List<Row> runs =
        IdleRuns.numbered(TestSpark.session().createDataFrame(rows, SECONDS), "workload")
            .groupBy(IdleRuns.RUN)
            .agg(sum("hold_seconds").as("streak_seconds"))
            .orderBy(IdleRuns.RUN)
            .collectAsList();
    assertEquals(2, runs.size(), runs.toString());
    assertEquals(60.0, runs.get(0).getDouble(1), 1e-12);
    assertEquals(30.0, runs.get(1).getDouble(1), 1e-12);
  }
}
