package dev.idleledger;

import java.util.Locale;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The night's own progress lines ("stage, rows, seconds"), logged at INFO through SLF4J under the logger name
 * {@value #LOGGER_NAME}.
 *
 * <p>One logger for every stage, so one line of log4j2 configuration decides where they go and in what format: the
 * project's {@code log4j2.properties} prints them on stderr as {@code [idle-ledger] <message>} while Spark and its
 * libraries speak only at WARN; on a platform with its own logging (EMR, Databricks, spark-operator) they arrive in
 * the driver log with that platform's pattern.
 */
public final class Progress {
  public static final String LOGGER_NAME = "idle-ledger";
  private static final Logger LOG = LoggerFactory.getLogger(LOGGER_NAME);

  private Progress() {}

  public static void line(String format, Object... args) {
    if (LOG.isInfoEnabled()) {
      LOG.info(String.format(Locale.ROOT, format, args));
    }
  }

  /** Something the run goes on from but a person should see (a leftover it could not clean up). */
  public static void warning(String format, Object... args) {
    LOG.warn(String.format(Locale.ROOT, format, args));
  }

  /** Times a stage and logs its line when it ends. */
  public static <T> T stage(String name, Supplier<T> work, ToLongFunction<T> rows) {
    long start = System.nanoTime();
    T result = work.get();
    double seconds = (System.nanoTime() - start) / 1e9;
    line("%-22s %,12d rows %8.1f s", name, rows.applyAsLong(result), seconds);
    return result;
  }
}
