package dev.idleledger.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.testing.ProcessRunner;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo as a person runs it, in its own process (it owns and stops its Spark session): the default fleet at
 * 60 s scrapes so the suite stays fast. It prints the waste report and the priced recommendations, and leaves one
 * outbox ticket per recommendation above {@code tickets.min_monthly_savings}; running the night again through the
 * config file the demo wrote files nothing new.
 */
class DemoCommandTest {
  @TempDir Path dir;

  @Test
  void demoPrintsTheReportAndFilesOneOutboxTicketPerRecommendationOnlyOnce() throws Exception {
    Path demo = dir.resolve("demo");
    ProcessRunner.Result run =
        ProcessRunner.idleLedger(
            List.of(
                "demo",
                "--interval-seconds",
                "60",
                "--dir",
                demo.toString(),
                "--set",
                "spark.master=local[2]",
                "--set",
                "spark.shuffle_partitions=2"));
    assertEquals(0, run.exitCode(), run.stderr());
    assertTrue(run.stdout().contains("Fleet GPU cost"), run.stdout());
    assertTrue(run.stdout().contains("Top workloads by idle cost"), run.stdout());
    assertTrue(run.stdout().contains("Open recommendations"), run.stdout());
    assertTrue(run.stdout().contains("USD/month"), run.stdout());
    assertTrue(
        run.stdout().contains("Realized savings: 0.00 USD/month from 0 resolved recommendations"),
        "one night resolves nothing: " + run.stdout());
    String report = Files.readString(demo.resolve("report.html"));
    assertTrue(
        report.contains("<table id=\"open-recommendations\">") && report.contains("nb-bob"),
        "the report lists what to do");
    assertTrue(report.contains("id=\"realized-savings\""), "the report's realized savings line");

    Path conf = demo.resolve("idle-ledger.conf");
    long filed = outboxLines(demo.resolve("lake/tickets"), "\"event\":\"file\"");
    // What an analyst reads next, through the config the demo wrote: one sql process for all of it
    // (a cold JVM costs half a minute of CI's time), a scalar subquery per figure.
    Map<String, String> read =
        sql(
            conf,
            "SELECT (SELECT count(*) FROM idle_ledger.recommendations"
                + "   WHERE status IN ('OPEN', 'REOPENED', 'UPDATED') AND monthly_savings >= 100) AS above_threshold,"
                + " (SELECT count(*) FROM idle_ledger.recommendations WHERE ticket_system = 'outbox') AS outbox_tickets,"
                + " (SELECT first(labels['cost-center']) FROM idle_ledger.workload_daily"
                + "   WHERE workload_name LIKE 'jupyter-alice%') AS alice_cost_center,"
                + " (SELECT concat(count(*), '/', count(overlaps_with)) FROM idle_ledger.recommendation_savings"
                + "   WHERE workload_name = 'nb-bob') AS bob_overlaps,"
                + " (SELECT sum(remaining_monthly_savings) FROM idle_ledger.recommendation_savings) AS together,"
                + " (SELECT sum(monthly_savings) FROM idle_ledger.recommendation_savings) AS own");
    long aboveThreshold = Long.parseLong(read.get("above_threshold"));
    assertTrue(
        aboveThreshold > 0, "the default fleet plants recommendations above the ticket threshold");
    assertEquals(
        aboveThreshold,
        filed,
        "one outbox ticket per recommendation above tickets.min_monthly_savings");
    assertEquals(String.valueOf(filed), read.get("outbox_tickets"));
    // The demo carries the generator's cost-center label: jupyter-alice (team research) is charged
    // to cc-2100 (FleetPlan).
    assertEquals("cc-2100", read.get("alice_cost_center"));

    // nb-bob is both culled and moved to a MIG slice: one of the two overlaps the other, and the
    // printed total is the view's sum of what each adds after its overlaps (CombinedSavingsTest
    // works the arithmetic by hand).
    assertEquals("2/1", read.get("bob_overlaps"));
    double together = Double.parseDouble(read.get("together"));
    double own = Double.parseDouble(read.get("own"));
    assertTrue(together < own, "overlaps are counted once: " + together + " vs " + own);
    assertTrue(
        run.stdout()
            .contains(String.format(Locale.ROOT, "together save %,.2f USD/month", together)),
        run.stdout());

    ProcessRunner.Result again =
        ProcessRunner.idleLedger(
            List.of(
                "nightly",
                "--date",
                "2026-11-01",
                "--lookback",
                "0",
                "--conf",
                conf.toString(),
                "--set",
                "spark.master=local[2]",
                "--set",
                "spark.shuffle_partitions=2"));
    assertEquals(0, again.exitCode(), again.stderr());
    assertEquals(
        filed,
        outboxLines(demo.resolve("lake/tickets"), "\"event\":\"file\""),
        "a rerun of the night files nothing new");
  }

  /** {@code idle-ledger sql QUERY --format csv} in its own process: the one row's values by column name. */
  private static Map<String, String> sql(Path conf, String query) throws Exception {
    ProcessRunner.Result r =
        ProcessRunner.idleLedger(
            List.of(
                "sql",
                query,
                "--format",
                "csv",
                "--conf",
                conf.toString(),
                "--set",
                "spark.master=local[1]"));
    assertEquals(0, r.exitCode(), r.stderr());
    List<CSVRecord> rows =
        CSVFormat.RFC4180
            .builder()
            .setHeader()
            .get()
            .parse(new StringReader(r.stdout()))
            .getRecords();
    assertEquals(1, rows.size(), r.stdout());
    return rows.get(0).toMap();
  }

  private static long outboxLines(Path outbox, String event) throws IOException {
    try (Stream<Path> files = Files.walk(outbox)) {
      long count = 0;
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        count += Files.readAllLines(f).stream().filter(l -> l.contains(event)).count();
      }
      return count;
    }
  }
}
