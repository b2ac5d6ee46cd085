package dev.idleledger.tickets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.idleledger.cli.TicketsCommand;
import dev.idleledger.config.ConfigException;
import dev.idleledger.testing.TestSpark;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The {@code tickets} command's arguments and the {@code tickets} config section's checks. */
class TicketsCommandLineTest {
  @Test
  void ticketsTakesADateAndDryRun() {
    CommandLine cli = new CommandLine(new TicketsCommand());
    CommandLine.ParseResult parsed = cli.parseArgs("--date", "2026-03-10", "--dry-run");
    assertEquals("2026-03-10", parsed.matchedOptionValue("--date", null).toString());
    assertThrows(
        CommandLine.MissingParameterException.class,
        () -> new CommandLine(new TicketsCommand()).parseArgs("--dry-run"));
    assertThrows(
        CommandLine.ParameterException.class,
        () -> new CommandLine(new TicketsCommand()).parseArgs("--date", "10/03/2026"));
  }

  @Test
  void anUnknownSinkOrMissingDefaultRouteIsAConfigErrorNamingTheKey() {
    ConfigException sink =
        assertThrows(
            ConfigException.class,
            () -> TicketSettings.from(TestSpark.config("tickets.sink=email")));
    assertEquals(
        "tickets.sink: expected jira, github, webhook, outbox or none, got 'email'",
        sink.getMessage());
    TicketSettings defaults = TicketSettings.from(TestSpark.config());
    assertEquals("none", defaults.sink().configName());
    assertEquals(100.0, defaults.minMonthlySavings());
    assertEquals(TestSpark.lakeRoot() + "/tickets", defaults.outboxPrefix());
    assertEquals(List.of("gpu-waste"), defaults.route("no-such-team").labels());
  }
}
