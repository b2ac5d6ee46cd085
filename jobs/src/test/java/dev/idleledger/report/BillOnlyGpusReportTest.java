package dev.idleledger.report;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.recommend.CombinedSavings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Both reports name the GPUs on the bill that no cluster knows, one by one, and say nothing when there are none. */
class BillOnlyGpusReportTest {
  private static final LocalDate DAY = LocalDate.of(2026, 11, 3);
  private static final CombinedSavings.Totals NO_SAVINGS =
      new CombinedSavings.Totals(0, 0, 0, 0, "USD", List.of());

  private static WasteSummary summary(List<WasteSummary.UnknownGpuInstance> billOnly) {
    return new WasteSummary(
        DAY, DAY, "USD", 100.0, 10.0, 5.0, 60.0, 20.0, List.of(), List.of(), billOnly);
  }

  private static String text(WasteSummary s) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    TextReport.print(
        s,
        List.of(),
        NO_SAVINGS,
        "lake: /tmp/x",
        new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void theTextReportNamesEachBillOnlyGpuInstanceWithItsMoney() {
    String out =
        text(
            summary(
                List.of(
                    new WasteSummary.UnknownGpuInstance(
                        "i-0b111011y000000a1", "p5.48xlarge", 8, 55.04),
                    new WasteSummary.UnknownGpuInstance("gpu-vm-1", "NC24ads A100 v4", 1, 3.673))));
    // 55.04 + 3.673 = 58.713 → 58.71
    assertTrue(out.contains("GPUs on the bill that no cluster knows: 58.71 USD"), out);
    assertTrue(out.contains("  i-0b111011y000000a1, p5.48xlarge, 8 GPUs, 55.04 USD"), out);
    assertTrue(out.contains("  gpu-vm-1, NC24ads A100 v4, 1 GPUs, 3.67 USD"), out);
  }

  @Test
  void theHtmlReportNamesThemAsEscapedText() {
    String html =
        HtmlReport.render(
            new ReportData(
                summary(
                    List.of(
                        new WasteSummary.UnknownGpuInstance(
                            "i-0b111011y000000a1", "<b>p5</b>", 8, 55.04))),
                List.of(),
                List.of(),
                List.of(),
                NO_SAVINGS));
    assertTrue(html.contains("<h2>GPUs on the bill that no cluster knows</h2>"), html);
    assertTrue(
        html.contains("<li>i-0b111011y000000a1, &lt;b&gt;p5&lt;/b&gt;, 8 GPUs, 55.04 USD</li>"),
        html);
  }

  @Test
  void withNoBillOnlyGpusNeitherReportMentionsThem() {
    assertFalse(text(summary(List.of())).contains("no cluster knows"));
    assertFalse(
        HtmlReport.render(
                new ReportData(summary(List.of()), List.of(), List.of(), List.of(), NO_SAVINGS))
            .contains("no cluster knows"));
  }
}
