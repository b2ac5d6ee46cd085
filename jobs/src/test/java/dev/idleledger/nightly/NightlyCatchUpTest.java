package dev.idleledger.nightly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.config.LedgerConfig;
import dev.idleledger.generate.FleetGenerator;
import dev.idleledger.generate.FleetSpec;
import dev.idleledger.generate.TelemetryFormat;
import dev.idleledger.testing.TestSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An Airflow catch-up: three nightly runs in date order over a fleet whose archive already holds all three days. Every
 * night is recommended (history has each night), but tickets act only for the last one: a first deployment must not
 * file, comment on and close tickets for weeks that are over.
 */
class NightlyCatchUpTest {
  private static final LocalDate DAY1 = LocalDate.of(2026, 11, 16);
  private static final int DAYS = 3;
  private static final LocalDate LAST = DAY1.plusDays(DAYS - 1);
  private static final String DB = "nightly_catch_up";
  private static Path fleet;
  private static Path outbox;
  private static SparkSession spark;
  private static NightlyRun nightly;

  @BeforeAll
  static void catchUp() throws IOException {
    fleet = Files.createTempDirectory("catch-up-fleet");
    outbox = Files.createTempDirectory("catch-up-outbox");
    FleetGenerator.generate(
        new FleetSpec(DAY1, DAYS, 2, 5, TelemetryFormat.PARQUET, 60).withHoursPerDay(2), fleet);
    // The catch-up runs the morning after the last day: today's folder has been started.
    Files.createDirectories(fleet.resolve("telemetry").resolve("dt=" + LAST.plusDays(1)));
    spark = TestSpark.session();
    LedgerConfig config =
        TestSpark.config(
            "catalog.database=" + DB,
            "input.telemetry=" + fleet.resolve("telemetry"),
            "input.kube=" + fleet.resolve("kube"),
            "input.billing.cur=" + fleet.resolve("billing/cur"),
            "input.billing.focus=",
            "tickets.sink=outbox",
            "tickets.outbox.prefix=" + outbox,
            "tickets.min_monthly_savings=0",
            "recommend.min_monthly_savings=0");
    nightly = new NightlyRun(spark, config);
    nightly.run(DAY1, 0);
    for (int d = 1; d < DAYS; d++) {
      nightly.run(DAY1.plusDays(d), 1);
    }
  }

  @Test
  void aCatchUpActsOnTicketsForTheLastNightOnly() throws IOException {
    assertEquals(
        List.of(LAST.toString()), nightFolders(), "only the last night wrote to the outbox");
    long live =
        Long.parseLong(
            sql(
                "SELECT count(*) FROM "
                    + DB
                    + ".recommendations WHERE status IN ('OPEN', 'REOPENED', 'UPDATED')"));
    assertTrue(live > 0, "the fleet plants recommendations");
    // No ticket existed before the last night, so its one tickets run files one per live
    // recommendation (threshold 0).
    assertEquals(live, outboxEvents("\"event\":\"file\""));
    assertEquals(0, outboxEvents("\"event\":\"comment\"") + outboxEvents("\"event\":\"close\""));
    assertEquals(
        String.valueOf(DAYS),
        sql(
            "SELECT count(DISTINCT date) FROM "
                + DB
                + ".run_quality WHERE check = 'recommendations'"),
        "every night of the catch-up was recommended");
    assertEquals(
        String.valueOf(DAYS),
        sql("SELECT count(DISTINCT date) FROM " + DB + ".recommendation_history"),
        "history has a row per recommendation per night");
  }

  @Test
  void reRunningAnOldNightRecordsItsHistoryButTouchesNoTicketAndNoCurrentState()
      throws IOException {
    List<String> current = rows("SELECT * FROM " + DB + ".recommendations");
    List<String> lastNight =
        rows("SELECT * FROM " + DB + ".recommendation_history WHERE date = DATE'" + LAST + "'");
    long files = outboxEvents("");
    // A re-run with nothing new publishes and recommends nothing (IncrementalNightTest); an
    // operator re-running an old night on purpose forces it, and that night must still leave
    // tickets and the current state alone.
    NightlyRun.Night rerun;
    try {
      rerun = nightly.force(true).run(DAY1.plusDays(1), 0);
    } finally {
      nightly.force(false);
    }
    assertEquals(List.of(DAY1.plusDays(1)), rerun.recommended());
    assertTrue(rerun.ticketsFor().isEmpty(), "an old night acts on no ticket");
    assertEquals(files, outboxEvents(""));
    assertEquals(
        current,
        rows("SELECT * FROM " + DB + ".recommendations"),
        "recommendations keep the newest night's state");
    assertEquals(
        lastNight,
        rows("SELECT * FROM " + DB + ".recommendation_history WHERE date = DATE'" + LAST + "'"));
  }

  private static List<String> nightFolders() throws IOException {
    try (Stream<Path> dirs = Files.list(outbox)) {
      return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static long outboxEvents(String marker) throws IOException {
    try (Stream<Path> files = Files.walk(outbox)) {
      long n = 0;
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        n += Files.readAllLines(f).stream().filter(l -> l.contains(marker)).count();
      }
      return n;
    }
  }

  private static String sql(String query) {
    return String.valueOf(spark.sql(query).first().get(0));
  }

  private static List<String> rows(String query) {
    return spark.sql(query).collectAsList().stream().map(Object::toString).sorted().toList();
  }
}
