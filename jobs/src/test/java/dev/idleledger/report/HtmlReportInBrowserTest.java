package dev.idleledger.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.spark.LakeTables;
import dev.idleledger.testing.FleetLake;
import dev.idleledger.testing.TestSpark;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The HTML report from a populated lake, loaded in a real headless Chromium (.ci/run installs Debian's chromium):
 * no console errors, the charts and the table are there, data is text, and a screenshot is kept for a person to look at.
 */
class HtmlReportInBrowserTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final String HOSTILE = "<script>alert(1)</script>";

  @Test
  void reportRendersInHeadlessChromiumWithChartsTablesAndEscapedData() throws Exception {
    if (System.getenv("CI") == null) {
      Assumptions.assumeTrue(
          Files.isExecutable(CHROMIUM), "chromium not installed here (CI installs it)");
    }
    FleetLake.Lake lake = FleetLake.get();
    ReportData data =
        ReportData.read(
            new LakeTables(TestSpark.session(), lake.database()),
            lake.dates().get(0),
            lake.dates().get(lake.dates().size() - 1));
    assertFalse(data.summary().topWorkloads().isEmpty());
    assertEquals(lake.dates().size(), data.trend().size());
    List<WasteSummary.TopWorkload> top = new ArrayList<>(data.summary().topWorkloads());
    top.add(
        new WasteSummary.TopWorkload(
            "ns", "Pod", HOSTILE, "other", "team & \"co\"", 1, 0.5, 1, 1, 2));
    WasteSummary s = data.summary();
    // Recommendations as the lake has them, plus one about a workload with a hostile name whose
    // "ticket link" is a script URL (a misbehaving sink), one filed in Jira, and one whose filing
    // failed with markup in the server's answer.
    List<ReportData.OpenRecommendation> open = new ArrayList<>(data.openRecommendations());
    open.add(
        new ReportData.OpenRecommendation(
            "CULL_IDLE_NOTEBOOK",
            "research: ns/" + HOSTILE,
            "Cull " + HOSTILE + " after 60 min idle",
            123.45,
            100.0,
            "RIGHTSIZE_GPU",
            "high",
            "javascript:alert(2)",
            null,
            "USD"));
    open.add(
        new ReportData.OpenRecommendation(
            "RIGHTSIZE_GPU",
            "search: serving/reranker",
            "Use a 3g.40gb MIG slice",
            67.8,
            67.8,
            null,
            "medium",
            "https://example.atlassian.net/browse/GPU-7",
            null,
            "USD"));
    open.add(
        new ReportData.OpenRecommendation(
            "RIGHTSIZE_INFERENCE_REPLICAS",
            "search: serving/ranker",
            "Run 2 replicas, not 4",
            45.6,
            45.6,
            null,
            "low",
            null,
            "HTTP 400 from POST /rest/api/3/issue: <b>project OPS does not exist</b>",
            "USD"));
    ReportData hostile =
        new ReportData(
            new WasteSummary(
                s.from(),
                s.to(),
                s.currency(),
                s.gpuCost(),
                s.idleCost(),
                s.unallocatedCost(),
                s.unobservedCost(),
                s.gpuHours(),
                top,
                s.wasteByType(),
                s.billOnlyGpus()),
            data.trend(),
            data.teams(),
            data.heatmap(),
            data.savings(),
            open,
            new ReportData.RealizedSavings(1234.5, 3, 1, "USD"));

    Path dir = Path.of("target", "report-test").toAbsolutePath();
    Files.createDirectories(dir);
    Path html = dir.resolve("report.html");
    Files.writeString(html, HtmlReport.render(hostile), StandardCharsets.UTF_8);

    Browser dom = chromium(dir, "--dump-dom", html.toUri().toString());
    assertEquals(0, dom.exit(), dom.stderr());
    assertTrue(dom.stdout().contains("<svg class=\"chart trend\""), "trend chart");
    assertTrue(dom.stdout().contains("<svg class=\"chart heatmap\""), "heatmap");
    assertTrue(dom.stdout().contains("<svg class=\"chart bars\""), "bar charts");
    assertEquals(top.size(), rows(dom.stdout(), "top-workloads"), "one table row per top workload");
    assertEquals(
        open.size(),
        rows(dom.stdout(), "open-recommendations"),
        "one table row per open recommendation");
    assertFalse(dom.stdout().contains("<script"), "a pod name must never become a script element");
    assertTrue(
        dom.stdout().contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the hostile name renders as text");
    assertFalse(dom.stdout().contains("href=\"javascript"), "a script URL must not become a link");
    assertTrue(
        dom.stdout()
            .contains(
                "<a href=\"https://example.atlassian.net/browse/GPU-7\" rel=\"noreferrer\">GPU-7</a>"),
        "the ticket link");
    assertTrue(
        dom.stdout()
            .contains(
                "ticket sync failed: HTTP 400 from POST /rest/api/3/issue: &lt;b&gt;project OPS does not exist&lt;/b&gt;"),
        "a failed sync says why, as text");
    assertTrue(
        dom.stdout().contains("overlaps with RIGHTSIZE_GPU: 100.00 more after it"),
        "an overlap says what it adds");
    assertTrue(
        dom.stdout()
            .contains(
                "<b>Realized savings:</b> 1,234.50 USD per month from 3 resolved recommendations (1 resolved in these dates)"),
        "the realized savings line");
    // Nothing on the page loads anything: no src, stylesheet link, CSS url() or import, frame or
    // object.
    for (String loads :
        List.of("src=", "<link", "url(", "@import", "<iframe", "<object", "<embed")) {
      assertFalse(dom.stdout().contains(loads), "the page would fetch something: " + loads);
    }
    assertFalse(dom.stderr().contains("CONSOLE"), "console messages: " + dom.stderr());

    Path png = dir.resolve("report.png");
    Files.deleteIfExists(png);
    Browser shot =
        chromium(dir, "--screenshot=" + png, "--window-size=1200,1900", html.toUri().toString());
    assertEquals(0, shot.exit(), shot.stderr());
    assertTrue(Files.size(png) > 10_000, "a screenshot with content");

    // The report as the lake makes it, without the planted names: the picture the README shows
    // (docs/report.png).
    Path published = dir.resolve("report-as-published.html");
    Files.writeString(published, HtmlReport.render(data), StandardCharsets.UTF_8);
    Path publishedPng = dir.resolve("report-as-published.png");
    Files.deleteIfExists(publishedPng);
    Browser publishedShot =
        chromium(
            dir,
            "--screenshot=" + publishedPng,
            "--window-size=1100,1500",
            published.toUri().toString());
    assertEquals(0, publishedShot.exit(), publishedShot.stderr());
    assertTrue(Files.size(publishedPng) > 10_000, "a screenshot with content");
  }

  /** Body rows of the table with this id in the DOM. */
  private static int rows(String dom, String tableId) {
    int start = dom.indexOf("<table id=\"" + tableId + "\"");
    assertTrue(start >= 0, "no table " + tableId);
    String table = dom.substring(start, dom.indexOf("</table>", start));
    String body = table.substring(table.indexOf("<tbody>"));
    return body.split("<tr>", -1).length - 1;
  }

  private record Browser(int exit, String stdout, String stderr) {}

  private static Browser chromium(Path dir, String... args)
      throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                CHROMIUM.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + Files.createTempDirectory("chromium-profile"),
                "--enable-logging=stderr",
                "--v=0"));
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "chromium", ".out");
    Path err = Files.createTempFile(dir, "chromium", ".err");
    Process p =
        new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException("chromium did not finish in 2 minutes");
    }
    return new Browser(p.exitValue(), Files.readString(out), Files.readString(err));
  }
}
