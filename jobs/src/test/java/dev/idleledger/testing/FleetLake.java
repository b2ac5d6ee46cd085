package dev.idleledger.testing;

import dev.idleledger.config.LedgerConfig;
import dev.idleledger.generate.FleetGenerator;
import dev.idleledger.generate.FleetSpec;
import dev.idleledger.generate.ScrapePhase;
import dev.idleledger.generate.TelemetryFormat;
import dev.idleledger.nightly.NightlyRun;
import dev.idleledger.recommend.CombinedSavings;
import dev.idleledger.spark.LakeCatalog;
import dev.idleledger.spark.LakeTables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.util.List;
import org.apache.commons.io.FileUtils;
import org.apache.spark.sql.SparkSession;

/**
 * One generated fleet run through the nightly job, shared by every test class that needs a populated lake
 * (the truth comparison, the notebooks, the report): the pipeline runs once per {@code mvn} run.
 *
 * <p>The fleet is the default pool pattern (MIG, time-slicing, gaps, an exporter restart, duplicates,
 * stragglers, a billed hour without telemetry, Spot/SP/RI, CUR and FOCUS), two days of four hours, 10 s scrapes,
 * each node at its own phase (so holds cross every hh:00, as in a real Prometheus archive). The nights carry the
 * generator's cost-center label and share unallocated and unobserved cost over the teams (attribution.*), which
 * changes no money column the truth is compared on.
 *
 * <p>Surefire runs the classes in two JVMs (pom: {@code test.forks}), and either may ask first. The pom names one
 * folder per {@code mvn} run ({@code fleet-lake.dir}); the first JVM to take its lock file generates the fleet and
 * runs the nights into a lake there, the other waits on the lock and then registers that lake's tables in its own
 * session (the embedded catalog is the lake's folders, {@link LakeCatalog}) and defines the published view
 * again, as the {@code sql} command does. Every user only reads the lake. A
 * build that failed leaves no {@code built} mark, and the next JVM starts the folder again. Without the property
 * (a test run from an IDE) the lake is built in a temporary folder of this JVM.
 */
public final class FleetLake {
  public static final LocalDate START = LocalDate.of(2026, 11, 3);
  public static final int DAYS = 2;
  public static final String DATABASE = "fleet_lake";

  public record Lake(Path fleet, LedgerConfig config, String database, List<LocalDate> dates) {}

  private static Lake lake;

  private FleetLake() {}

  public static synchronized Lake get() {
    if (lake == null) {
      try {
        lake = buildOrJoin(folder());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return lake;
  }

  private static Path folder() throws IOException {
    String shared = System.getProperty("fleet-lake.dir", "");
    return shared.isBlank() ? Files.createTempDirectory("fleet-lake") : Path.of(shared);
  }

  private static Lake buildOrJoin(Path folder) throws IOException {
    Files.createDirectories(folder);
    Path fleet = folder.resolve("fleet");
    Path lakeRoot = folder.resolve("lake");
    Path built = folder.resolve("built");
    LedgerConfig config =
        TestSpark.config(
            "lake.root=" + lakeRoot,
            "catalog.database=" + DATABASE,
            "attribution.labels=team,cost-center",
            "attribution.share_unallocated=cluster",
            "input.telemetry=" + fleet.resolve("telemetry"),
            "input.kube=" + fleet.resolve("kube"),
            "input.billing.cur=" + fleet.resolve("billing/cur"),
            "input.billing.focus=" + fleet.resolve("billing/focus"));
    List<LocalDate> dates = List.of(START, START.plusDays(1));
    SparkSession spark = TestSpark.session();
    try (FileChannel lockFile =
            FileChannel.open(
                folder.resolve("build.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock held = lockFile.lock()) {
      // The tables live under this lake's warehouse, not the session's: the database is made there
      // first.
      String lakeUri = lakeRoot.toAbsolutePath().toUri().toString().replaceAll("/+$", "");
      if (!Files.exists(built)) {
        FileUtils.deleteDirectory(fleet.toFile());
        FileUtils.deleteDirectory(lakeRoot.toFile());
        FleetGenerator.generate(
            new FleetSpec(START, DAYS, FleetSpec.DEFAULT_NODES, 11, TelemetryFormat.PARQUET, 10)
                .withHoursPerDay(4)
                .withScrapePhase(ScrapePhase.random()),
            fleet);
        LakeCatalog.register(spark, lakeUri, DATABASE);
        new NightlyRun(spark, config).runRange(START, START.plusDays(1));
        Files.writeString(built, "built by process " + ProcessHandle.current().pid() + "\n");
      } else {
        LakeCatalog.register(spark, lakeUri, DATABASE);
        // The catalog rebuilt from the folders has the tables, not the view the nights published.
        CombinedSavings.republish(new LakeTables(spark, config));
      }
    }
    return new Lake(fleet, config, DATABASE, dates);
  }
}
