package dev.idleledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Progress lines go through SLF4J (logger {@code idle-ledger}) and the project's log4j2 configuration prints them on
 * stderr as {@code [idle-ledger] <message>}: the shape Airflow's log, the tests of child runs and people read.
 */
class ProgressTest {
  @Test
  void aProgressLineReachesTheCurrentStderrWithTheIdleLedgerPrefix() {
    String err =
        capturingStderr(() -> Progress.line("%s published in %.1f s", "2026-11-28", 12.34));
    assertEquals("[idle-ledger] 2026-11-28 published in 12.3 s", err.strip());
  }

  @Test
  void aTimedStageLogsItsRowsAndReturnsItsResult() {
    String[] result = new String[1];
    String err =
        capturingStderr(
            () -> result[0] = Progress.stage("attribute 2026-11-28", () -> "done", r -> 1_234));
    assertEquals("done", result[0]);
    assertTrue(err.startsWith("[idle-ledger] attribute 2026-11-28"), err);
    assertTrue(err.contains(" 1,234 rows "), err);
  }

  private static String capturingStderr(Runnable work) {
    PrintStream original = System.err;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      work.run();
    } finally {
      System.setErr(original);
    }
    return buffer.toString(StandardCharsets.UTF_8);
  }
}
