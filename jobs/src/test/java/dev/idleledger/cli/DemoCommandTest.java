package dev.idleledger.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.testing.ProcessRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
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
    long aboveThreshold =
        Long.parseLong(
            sql(
                conf,
                "SELECT count(*) FROM idle_ledger.recommendations "
                    + "WHERE status IN ('OPEN', 'REOPENED', 'UPDATED') AND monthly_savings >= 100"));
    assertTrue(
        aboveThreshold > 0, "the default fleet plants recommendations above the ticket threshold");
    assertEquals(
        aboveThreshold,
        filed,
        "one outbox ticket per recommendation above tickets.min_monthly_savings");
    assertEquals(
        String.valueOf(filed),
        sql(
            conf,
            "SELECT count(*) FROM idle_ledger.recommendations WHERE ticket_system = 'outbox'"));
    // The demo carries the generator's cost-center label: jupyter-alice (team research) is charged
    // to cc-2100 (FleetPlan).
    assertEquals(
        "cc-2100",
        sql(
            conf,
            "SELECT labels['cost-center'] FROM idle_ledger.workload_daily WHERE workload_name LIKE 'jupyter-alice%' LIMIT 1"));

    // nb-bob is both culled and moved to a MIG slice: one of the two overlaps the other, and the
    // printed total is the view's sum of what each adds after its overlaps (CombinedSavingsTest
    // works the arithmetic by hand).
    assertEquals(
        "2/1",
        sql(
            conf,
            "SELECT concat(count(*), '/', count(overlaps_with)) FROM idle_ledger.recommendation_savings WHERE workload_name = 'nb-bob'"));
    double together =
        Double.parseDouble(
            sql(
                conf,
                "SELECT sum(remaining_monthly_savings) FROM idle_ledger.recommendation_savings"));
    double own =
        Double.parseDouble(
            sql(conf, "SELECT sum(monthly_savings) FROM idle_ledger.recommendation_savings"));
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

  private static String sql(Path conf, String query) throws Exception {
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
    List<String> lines = r.stdout().lines().toList();
    return lines.get(lines.size() - 1).strip();
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
