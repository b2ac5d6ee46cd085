package dev.idleledger.spark;

import dev.idleledger.config.LedgerConfig;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;

/**
 * Code generation by the size of what a date reads. Spark writes and compiles Java twice over: on the driver for
 * every query stage it plans (whole-stage code generation), and in the tasks for each projection, predicate and
 * ordering they evaluate (expression code generation, compiled once per task thread and expression). Over millions
 * of rows the compiled code pays for itself many times; over the few thousand rows of a small cluster's day the
 * compiling is most of the query's time. Below {@code spark.codegen_min_input_mib} of raw input the same plans run
 * on Spark's interpreted operators and expressions, with the same results.
 *
 * <p>Expressions go interpreted through {@code spark.sql.codegen.factoryMode=NO_CODEGEN}, a setting Spark marks
 * internal: it is the switch Spark's own tests use to run every expression through its interpreted path, the same
 * path Spark falls back to when a generated class fails to compile. Tasks read it from the query's SQL settings, so
 * it changes between dates like the whole-stage one.
 *
 * <p>An explicit {@code spark.settings} entry for either setting is the operator's choice and is left alone. Both
 * are per session and read when a query is planned or its tasks start; a night {@link #save}s them first and puts
 * them back when it ends.
 */
public final class QueryCodegen {
  public static final String WHOLE_STAGE = "spark.sql.codegen.wholeStage";

  /** Spark's expression code generation: FALLBACK (compile, interpret what fails) or NO_CODEGEN. */
  public static final String EXPRESSIONS = "spark.sql.codegen.factoryMode";

  public static final String EXPRESSIONS_COMPILED = "FALLBACK";
  public static final String EXPRESSIONS_INTERPRETED = "NO_CODEGEN";

  private static final double MIB = 1024.0 * 1024.0;

  private QueryCodegen() {}

  /**
   * The session's two settings as they were before a night changed them. A night puts them back when it ends, so
   * whatever runs next in the same session (a test class, {@code maintain}, a notebook) runs as the session was
   * built: Spark's interpreted expressions are complete for the queries a night runs, but not for everything — a
   * typed decode such as {@code spark.catalog().listTables} fails under {@code NO_CODEGEN} in Spark 3.5.
   */
  public record Saved(
      SparkSession spark, Optional<String> wholeStage, Optional<String> expressions) {
    public void restore() {
      put(WHOLE_STAGE, wholeStage);
      put(EXPRESSIONS, expressions);
    }

    private void put(String key, Optional<String> value) {
      if (value.isPresent()) {
        spark.conf().set(key, value.get());
      } else {
        spark.conf().unset(key);
      }
    }
  }

  public static Saved save(SparkSession spark) {
    return new Saved(spark, explicit(spark, WHOLE_STAGE), explicit(spark, EXPRESSIONS));
  }

  /** The value set in the session, empty when it is at Spark's default. */
  private static Optional<String> explicit(SparkSession spark, String key) {
    return Optional.ofNullable(spark.conf().getAll().get(key).getOrElse(() -> null));
  }

  /** Sets code generation for work over {@code rawBytes} of input; returns whether whole-stage is on. */
  public static boolean forInput(SparkSession spark, LedgerConfig config, long rawBytes) {
    boolean compiled = rawBytes >= config.codegenMinInputMib * MIB;
    if (!config.sparkSettings.containsKey(EXPRESSIONS)) {
      spark.conf().set(EXPRESSIONS, compiled ? EXPRESSIONS_COMPILED : EXPRESSIONS_INTERPRETED);
    }
    if (config.sparkSettings.containsKey(WHOLE_STAGE)) {
      return Boolean.parseBoolean(spark.conf().get(WHOLE_STAGE));
    }
    spark.conf().set(WHOLE_STAGE, compiled);
    return compiled;
  }
}
