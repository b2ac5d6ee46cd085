package dev.idleledger.testing;

import dev.idleledger.config.ConfigLoader;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.spark.LedgerSpark;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * The one shared {@code local[2]} SparkSession of the test JVM, with a lake (tables, metastore, scratch) in a
 * temporary folder. Starting Spark costs seconds, so every test class borrows this one; a class that needs
 * its own tables uses its own database name via {@link #config(String...)}.
 */
public final class TestSpark {
  private static SparkSession spark;
  private static Path lakeRoot;

  private TestSpark() {}

  public static synchronized SparkSession session() {
    if (spark == null) {
      spark = LedgerSpark.create(config(), "idle-ledger tests");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> spark.stop()));
    }
    return spark;
  }

  public static synchronized Path lakeRoot() {
    if (lakeRoot == null) {
      try {
        lakeRoot = Files.createTempDirectory("idle-ledger-test-lake");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return lakeRoot;
  }

  /** The test configuration: defaults, the shared lake, local[2], two shuffle partitions, plus {@code overrides}. */
  public static LedgerConfig config(String... overrides) {
    List<String> all = new ArrayList<>();
    all.add("spark.master=local[2]");
    all.add("spark.shuffle_partitions=2");
    all.add("lake.root=" + lakeRoot());
    // Tiny test tables: Delta's log replay and stats need not fan out to 50 tasks.
    all.add("spark.settings.\"spark.databricks.delta.snapshotPartitions\"=2");
    all.addAll(List.of(overrides));
    return ConfigLoader.load(null, all);
  }

  /**
   * The test configuration of a night over a {@code FleetGenerator} fleet in {@code fleet}: its telemetry, kube state
   * and CUR (no FOCUS) into {@code database}, plus {@code extra} (later settings win).
   */
  public static LedgerConfig fleetConfig(Path fleet, String database, String... extra) {
    List<String> all =
        new ArrayList<>(
            List.of(
                "catalog.database=" + database,
                "input.telemetry=" + fleet.resolve("telemetry"),
                "input.kube=" + fleet.resolve("kube"),
                "input.billing.cur=" + fleet.resolve("billing/cur"),
                "input.billing.focus="));
    all.addAll(List.of(extra));
    return config(all.toArray(String[]::new));
  }

  /** The repository's ../shared folder (the real H100 trace lives there). */
  public static Path sharedDir() {
    return Path.of(System.getProperty("shared.dir", "../../shared")).toAbsolutePath().normalize();
  }
}
