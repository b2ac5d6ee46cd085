package dev.idleledger.spark;

import dev.idleledger.config.LedgerConfig;
import org.apache.spark.sql.SparkSession;

/**
 * Whole-stage code generation by the size of what a date reads. For every query stage it plans, Spark writes and
 * compiles Java on the driver; over millions of rows the compiled loop pays for itself many times, over the few
 * thousand rows of a small cluster's day the compiling is most of the query's time. Below
 * {@code spark.codegen_min_input_mib} of raw input the same plans run on Spark's interpreted operators, with the
 * same results. An explicit {@code spark.settings."spark.sql.codegen.wholeStage"} is the operator's choice and is
 * left alone. The setting is per session and read when a query is planned, so it changes between dates.
 */
public final class QueryCodegen {
  public static final String WHOLE_STAGE = "spark.sql.codegen.wholeStage";
  private static final double MIB = 1024.0 * 1024.0;

  private QueryCodegen() {}

  /** Sets whole-stage code generation for work over {@code rawBytes} of input; returns whether it is on. */
  public static boolean forInput(SparkSession spark, LedgerConfig config, long rawBytes) {
    if (config.sparkSettings.containsKey(WHOLE_STAGE)) {
      return Boolean.parseBoolean(spark.conf().get(WHOLE_STAGE));
    }
    boolean compiled = rawBytes >= config.codegenMinInputMib * MIB;
    spark.conf().set(WHOLE_STAGE, compiled);
    return compiled;
  }
}
