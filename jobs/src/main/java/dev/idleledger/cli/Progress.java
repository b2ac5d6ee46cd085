package dev.idleledger.cli;

import java.util.Locale;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/** Our own progress lines on stderr ("stage, rows, seconds"), kept apart from Spark's logging. */
public final class Progress {
  private Progress() {}

  public static void line(String format, Object... args) {
    // System.err as it is now, not as it was when the class loaded: a caller (a test) may have redirected it.
    System.err.println("[idle-ledger] " + String.format(Locale.ROOT, format, args));
  }

  /** Times a stage and prints its line when it ends. */
  public static <T> T stage(String name, Supplier<T> work, ToLongFunction<T> rows) {
    long start = System.nanoTime();
    T result = work.get();
    double seconds = (System.nanoTime() - start) / 1e9;
    line("%-22s %,12d rows %8.1f s", name, rows.applyAsLong(result), seconds);
    return result;
  }
}
