package dev.idleledger.ingest.series;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PromLabelsTest {
  @Test
  void unescapesQuoteBackslashAndNewline() {
    assertEquals(
        Map.of("a", "x\"y", "b", "c:\\d", "n", "1\n2", "e", ""),
        PromLabels.parse("a=\"x\\\"y\", b=\"c:\\\\d\",n=\"1\\n2\",e=\"\","));
  }

  @Test
  void valuesMayHoldBracesCommasAndSpaces() {
    assertEquals(Map.of("q", "{a, b} = c"), PromLabels.parse("q=\"{a, b} = c\""));
  }

  @Test
  void brokenEscapingIsRejected() {
    assertNull(PromLabels.parse("a=\"x\\q\""), "unknown escape");
    assertNull(PromLabels.parse("a=\"x"), "unterminated value");
    assertNull(PromLabels.parse("a=\"x\\\""), "escaped closing quote leaves it open");
    assertNull(PromLabels.parse("a=x"), "unquoted value");
    assertNull(PromLabels.parse("a=\"1\" b=\"2\""), "missing comma");
  }

  @Test
  void anEmptyLabelSetIsEmpty() {
    assertEquals(Map.of(), PromLabels.parse(""));
  }

  @Test
  void goQuotedValuesUnescapeWhatStrconvQuoteWrites() {
    // promtool writes label values with Go's strconv.Quote: control characters as t, r, or x, u and
    // U hex escapes.
    assertEquals(
        Map.of("a", "x\ty\rz", "b", "\u00a0\uD83D\uDE00A", "c", "q\"\\\n"),
        PromLabels.parseGoQuoted(
            "a=\"x\\ty\\rz\", b=\"\\u00a0\\U0001F600\\x41\", c=\"q\\\"\\\\\\n\""));
    assertNull(PromLabels.parseGoQuoted("a=\"\\q\""), "not a Go escape");
    assertNull(PromLabels.parseGoQuoted("a=\"\\u12\""), "too few hex digits");
    assertNull(PromLabels.parse("a=\"x\\ty\""), "the exposition format has no \\t");
  }

  @Test
  void theMetricNameLabelIsNotALabel() {
    assertEquals(
        Map.of("Hostname", "n", "gpu", "0"),
        PromLabels.parseGoQuoted("Hostname=\"n\", __name__=\"DCGM_FI_DEV_GPU_UTIL\", gpu=\"0\""));
    assertEquals(Map.of(), PromLabels.parse("__name__=\"up\""));
  }
}
