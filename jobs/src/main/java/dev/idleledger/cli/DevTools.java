package dev.idleledger.cli;

import dev.idleledger.RunFailedException;

/**
 * The synthetic generator and the benchmark are development tools: the cluster jar ({@code mvn -Pcluster})
 * leaves them out, with DuckDB. A command that needs them asks here first, so on a cluster it ends with one
 * line instead of a NoClassDefFoundError.
 */
final class DevTools {
  private DevTools() {}

  /** Fails the command unless the generator (and, with {@code benchmark}, the benchmark and DuckDB) is on the classpath. */
  static void require(String command, boolean benchmark) {
    if (!present("dev.idleledger.generate.FleetGenerator")
        || benchmark
            && !(present("dev.idleledger.bench.NightlyBenchmark")
                && present("org.duckdb.DuckDBDriver"))) {
      throw new RunFailedException(
          command
              + " is not in the cluster jar (it needs the synthetic generator"
              + (benchmark ? ", the benchmark and DuckDB" : "")
              + "): run it with bin/idle-ledger from the repository");
    }
  }

  private static boolean present(String className) {
    try {
      Class.forName(className, false, DevTools.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
