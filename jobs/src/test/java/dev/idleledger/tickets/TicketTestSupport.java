package dev.idleledger.tickets;

import dev.idleledger.config.LedgerConfig;
import dev.idleledger.testing.TestSpark;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Config, clocks and stderr capture shared by the ticket tests. */
final class TicketTestSupport {
  /** A credential planted to prove it never leaks. */
  static final String TOKEN =
      "tok-PLANTED-" + Long.toHexString(Double.doubleToLongBits(Math.random()));

  static final String JIRA_USER = "ledger-bot@example.com";

  private TicketTestSupport() {}

  static Path tokenFile() {
    try {
      Path f = Files.createTempFile("ticket-token", ".txt");
      Files.writeString(f, TOKEN + "\n");
      return f;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Test config: our database, tiny backoffs, routing of team ml-platform to its own project/repo. */
  static LedgerConfig config(String... extra) {
    List<String> all =
        new ArrayList<>(
            List.of(
                "catalog.database=" + RecommendationsFixture.DATABASE,
                "tickets.http.initial_backoff_ms=5",
                "tickets.http.max_backoff_ms=1500",
                "tickets.http.max_attempts=4",
                "tickets.http.request_timeout_ms=10000",
                "tickets.jira.token_env=IDLE_LEDGER_TEST_NO_SUCH_ENV",
                "tickets.github.token_env=IDLE_LEDGER_TEST_NO_SUCH_ENV",
                "tickets.webhook.secret_env=IDLE_LEDGER_TEST_NO_SUCH_ENV",
                "tickets.routing.default.project=OPS",
                "tickets.routing.default.repo=acme/gpu-ops",
                "tickets.routing.ml-platform.project=MLP",
                "tickets.routing.ml-platform.repo=acme/ml-platform",
                "tickets.routing.ml-platform.labels=ml,gpu-waste"));
    all.addAll(List.of(extra));
    return TestSpark.config(all.toArray(String[]::new));
  }

  /** The nightly schedule: night D is processed at 01:00 UTC the next day. */
  static Clock nightly(LocalDate night) {
    return Clock.fixed(night.plusDays(1).atTime(1, 0).toInstant(ZoneOffset.UTC), ZoneOffset.UTC);
  }

  static TicketStage stage(SparkSession spark, LedgerConfig config, LocalDate night) {
    return new TicketStage(spark, config, null, nightly(night));
  }

  /** Runs {@code work} with stderr captured (and still echoed); returns what was written there. */
  static <T> T captureStderr(StringBuilder captured, Supplier<T> work) {
    PrintStream original = System.err;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      return work.get();
    } finally {
      System.setErr(original);
      captured.append(buffer.toString(StandardCharsets.UTF_8));
      original.print(buffer.toString(StandardCharsets.UTF_8));
    }
  }

  /** Every cell of the table, as text, to look for leaked secrets. */
  static String tableText(SparkSession spark, String table) {
    StringBuilder sb = new StringBuilder();
    for (Row r : spark.table(table).collectAsList()) {
      sb.append(r.toString()).append('\n');
    }
    return sb.toString();
  }
}
