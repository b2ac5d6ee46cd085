package dev.idleledger.ingest.billing;

import static dev.idleledger.ingest.billing.BillingFixtures.curUsage;
import static dev.idleledger.ingest.billing.BillingFixtures.focusUsage;
import static dev.idleledger.ingest.billing.BillingFixtures.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.idleledger.config.LedgerConfig.BillingSource;
import dev.idleledger.testing.TestSpark;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

class BillingSourceMergeTest {
  private static final LocalDate DAY = LocalDate.of(2026, 11, 1);
  private final SparkSession spark = TestSpark.session();

  /** i-0a: both sources (CUR says 10, FOCUS says 12); i-0b: only CUR (5); i-0c: only FOCUS (7). */
  private List<String> merged(BillingSource prefer) {
    Dataset<Row> cur =
        InstanceHours.total(
            InstanceHours.spread(
                CurLineItems.toCharges(
                    frame(
                        spark,
                        curUsage(CurLineItems.RESOURCE_ID, "i-0a", CurLineItems.UNBLENDED, "10"),
                        curUsage(CurLineItems.RESOURCE_ID, "i-0b", CurLineItems.UNBLENDED, "5"))),
                DAY),
            "cur");
    Dataset<Row> focus =
        InstanceHours.total(
            InstanceHours.spread(
                FocusCharges.toCharges(
                    frame(
                        spark,
                        focusUsage(
                            FocusCharges.RESOURCE_ID, "i-0a", FocusCharges.EFFECTIVE_COST, "12"),
                        focusUsage(
                            FocusCharges.RESOURCE_ID, "i-0c", FocusCharges.EFFECTIVE_COST, "7"))),
                DAY),
            "focus");
    return BillingSourceMerge.merge(cur, focus, prefer)
        .orderBy("instance_id")
        .collectAsList()
        .stream()
        .map(
            r ->
                r.getAs("instance_id")
                    + " "
                    + r.getAs("source")
                    + " "
                    + r.getAs("node_cost")
                    + " "
                    + r.getAs(BillingSourceMerge.OVERLAPPED))
        .toList();
  }

  @Test
  void anInstanceHourBothSourcesCoverCountsOnceFromThePreferredSourceAndTheRestIsKeptFromEither() {
    assertEquals(
        List.of("i-0a cur 10.0 true", "i-0b cur 5.0 false", "i-0c focus 7.0 false"),
        merged(BillingSource.CUR));
    assertEquals(
        List.of("i-0a focus 12.0 true", "i-0b cur 5.0 false", "i-0c focus 7.0 false"),
        merged(BillingSource.FOCUS));
  }
}
