package dev.idleledger.spark;

import java.time.LocalDate;
import org.apache.spark.sql.SparkSession;

/**
 * Names the Spark jobs a stage starts ("ingest telemetry 2026-11-01", "attribute 2026-11-01", ...), all in one
 * job group per run, so the Spark UI and the history server show what the night is doing.
 */
public final class JobDescriptions {
  private JobDescriptions() {}

  /** Every job started from this thread until the next call carries {@code what date} as its description. */
  public static void stage(SparkSession spark, String runId, String what, LocalDate date) {
    spark.sparkContext().setJobGroup("idle-ledger " + runId, what + " " + date, false);
  }
}
