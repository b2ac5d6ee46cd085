package dev.idleledger.testing;

import com.holdenkarau.spark.testing.JavaDataFrameSuiteBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A table against the frame it should equal, by spark-testing-base's DataFrame comparisons: on a failure they show
 * the rows that differ, where a count or a list of strings says only that something does. They run on the suite's
 * shared session ({@link TestSpark}); the library's own session (Hive, a Derby metastore) is never started.
 */
public final class FrameAssertions {
  private static final Comparisons COMPARISONS = new Comparisons();

  private FrameAssertions() {}

  /**
   * The same rows, each as many times, in any order (columns matched by position, schemas not compared). The
   * message names {@code what} and shows up to 10 rows found more often on one side than the other.
   */
  public static void assertSameRows(String what, Dataset<Row> expected, Dataset<Row> actual) {
    try {
      COMPARISONS.assertDataFrameDataEquals(expected, actual);
    } catch (AssertionError e) {
      throw new AssertionError(what + ": " + e.getMessage(), e);
    }
  }

  /**
   * The same schema and the same rows in the same order, doubles within {@code tolerance}. On a failure the rows that
   * differ are printed (expected and result side by side) before the message naming {@code what}.
   */
  public static void assertSameFrame(
      String what, Dataset<Row> expected, Dataset<Row> actual, double tolerance) {
    try {
      COMPARISONS.assertDataFrameApproximateEquals(expected, actual, tolerance);
    } catch (AssertionError e) {
      throw new AssertionError(what + ": " + e.getMessage(), e);
    }
  }

  /** The library's comparisons, bound to the shared session instead of the one it would build. */
  private static final class Comparisons extends JavaDataFrameSuiteBase {
    @Override
    public SparkSession spark() {
      return TestSpark.session();
    }
  }
}
