package dev.idleledger.spark;

import dev.idleledger.config.LedgerConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;

/**
 * How Spark runs a date's queries, by the size of what the date reads: code generation, and for a small date no
 * adaptive execution, one shuffle partition and no Delta file statistics.
 *
 * <p><b>Code generation.</b> Spark writes and compiles Java twice over: on the driver for every query stage it plans
 * (whole-stage code generation), and in the tasks for each projection, predicate and ordering they evaluate
 * (expression code generation, compiled once per task thread and expression). Over millions of rows the compiled
 * code pays for itself many times; over the few thousand rows of a small cluster's day the compiling is most of the
 * query's time. Below {@code spark.codegen_min_input_mib} of raw input the same plans run on Spark's interpreted
 * operators and expressions, with the same results. Expressions go interpreted through
 * {@code spark.sql.codegen.factoryMode=NO_CODEGEN}, a setting Spark marks internal: it is the switch Spark's own
 * tests use to run every expression through its interpreted path, the same path Spark falls back to when a generated
 * class fails to compile. Tasks read it from the query's SQL settings, so it changes between dates like the
 * whole-stage one.
 *
 * <p><b>Adaptive execution and shuffle partitions.</b> Adaptive execution runs each query stage as a Spark job of
 * its own and plans the rest again from what the stage measured; that is what lets a fleet day's shuffles shrink to
 * their data. Below the same threshold there is nothing to shrink: the date's queries run with adaptive execution
 * off and one shuffle partition, one job per query and no plan made twice (a tiny night runs 162 Spark jobs instead
 * of 287).
 *
 * <p><b>Delta's file statistics.</b> Delta computes each file's column statistics (rows, and each column's minimum,
 * maximum and nulls) as it writes the file ({@code spark.databricks.delta.stats.collect}), and a read filtered on
 * more than the partition column runs a Spark job over the table's file list to skip the files those statistics rule
 * out ({@code spark.databricks.delta.stats.skipping}). Over a fleet's tables that lets a read touch a fraction of a
 * date's files. A small date writes one file of a few kilobytes per table: there is nothing inside a date to skip,
 * while the statistics add an aggregate over every column to each write's plan and the skipping a job to each read.
 * So below the threshold a date writes its files without statistics and reads by partition (date) alone. Results are
 * the same either way: a read still prunes by date, and Delta reads a file without statistics as one that may match,
 * whatever settings the reader runs with.
 *
 * <p>An explicit {@code spark.settings} entry is the operator's choice and is left alone: one for either
 * code-generation setting or either statistics setting keeps that setting, and one for
 * {@code spark.sql.adaptive.enabled} or {@code spark.sql.shuffle.partitions} keeps both of those (they only make
 * sense together). All six are per session and read when a query is planned or its tasks start; a night {@link
 * #save}s them first and puts them back when it ends.
 */
public final class QuerySettings {
  public static final String WHOLE_STAGE = "spark.sql.codegen.wholeStage";

  /** Spark's expression code generation: FALLBACK (compile, interpret what fails) or NO_CODEGEN. */
  public static final String EXPRESSIONS = "spark.sql.codegen.factoryMode";

  public static final String ADAPTIVE = "spark.sql.adaptive.enabled";

  public static final String SHUFFLE_PARTITIONS = "spark.sql.shuffle.partitions";

  /** Whether Delta writes each file's column statistics into the log. */
  public static final String FILE_STATISTICS = "spark.databricks.delta.stats.collect";

  /** Whether a read of a Delta table skips files by their statistics (a Spark job over the file list). */
  public static final String STATISTICS_SKIPPING = "spark.databricks.delta.stats.skipping";

  private static final List<String> ALL =
      List.of(
          WHOLE_STAGE,
          EXPRESSIONS,
          ADAPTIVE,
          SHUFFLE_PARTITIONS,
          FILE_STATISTICS,
          STATISTICS_SKIPPING);

  public static final String EXPRESSIONS_COMPILED = "FALLBACK";
  public static final String EXPRESSIONS_INTERPRETED = "NO_CODEGEN";

  private static final double MIB = 1024.0 * 1024.0;

  private QuerySettings() {}

  /**
   * The session's six settings as they were before a night changed them, each set to a value or at its default
   * (empty). A night puts them back when it ends, so whatever runs next in the same session (a test class, {@code
   * maintain}, a notebook) runs as the session was built: Spark's interpreted expressions are complete for the
   * queries a night runs, but not for everything — a typed decode such as {@code spark.catalog().listTables} fails
   * under {@code NO_CODEGEN} in Spark 3.5.
   */
  public record Saved(SparkSession spark, Map<String, Optional<String>> values) {
    public void restore() {
      values.forEach(this::put);
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
    Map<String, Optional<String>> values = new LinkedHashMap<>();
    ALL.forEach(key -> values.put(key, explicit(spark, key)));
    return new Saved(spark, values);
  }

  /** The value set in the session, empty when it is at Spark's default. */
  private static Optional<String> explicit(SparkSession spark, String key) {
    return Optional.ofNullable(spark.conf().getAll().get(key).getOrElse(() -> null));
  }

  /** Whether work over {@code rawBytes} of input is small ({@code spark.codegen_min_input_mib}): a few thousand rows. */
  public static boolean isSmall(LedgerConfig config, long rawBytes) {
    return rawBytes < config.codegenMinInputMib * MIB;
  }

  /** Sets how queries run for work over {@code rawBytes} of input; returns whether whole-stage code generation is on. */
  public static boolean forInput(SparkSession spark, LedgerConfig config, long rawBytes) {
    boolean large = !isSmall(config, rawBytes);
    if (!config.sparkSettings.containsKey(ADAPTIVE)
        && !config.sparkSettings.containsKey(SHUFFLE_PARTITIONS)) {
      spark.conf().set(ADAPTIVE, large);
      spark.conf().set(SHUFFLE_PARTITIONS, large ? config.shufflePartitions : 1);
    }
    if (!config.sparkSettings.containsKey(EXPRESSIONS)) {
      spark.conf().set(EXPRESSIONS, large ? EXPRESSIONS_COMPILED : EXPRESSIONS_INTERPRETED);
    }
    for (String statistics : List.of(FILE_STATISTICS, STATISTICS_SKIPPING)) {
      if (!config.sparkSettings.containsKey(statistics)) {
        spark.conf().set(statistics, large);
      }
    }
    if (config.sparkSettings.containsKey(WHOLE_STAGE)) {
      return Boolean.parseBoolean(spark.conf().get(WHOLE_STAGE));
    }
    spark.conf().set(WHOLE_STAGE, large);
    return large;
  }
}
