package dev.idleledger.ingest.series;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PromLabelsTest {
  @Test
  void unescapesQuoteBackslashAndNewline() {
    assertEquals(Map.of("a", "x\"y", "b", "c:\\d", "n", "1\n2", "e", ""),
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
}
