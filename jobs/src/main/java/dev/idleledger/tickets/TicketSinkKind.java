package dev.idleledger.tickets;

import dev.idleledger.config.ConfigException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Where tickets go ({@code tickets.sink}); its lower-case name is the config value and {@code ticket_system}'s value. */
public enum TicketSinkKind {
  JIRA,
  GITHUB,
  WEBHOOK,
  OUTBOX,
  /** No sink: the night plans its tickets and files none. */
  NONE;

  /** As written in config and in {@code recommendations.ticket_system}: jira, github, webhook, outbox, none. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The sink a {@code tickets.sink} value names; a config error naming the key and the choices otherwise. */
  static TicketSinkKind fromConfig(String value) {
    for (TicketSinkKind k : values()) {
      if (k.configName().equals(value)) {
        return k;
      }
    }
    String names =
        Arrays.stream(values()).map(TicketSinkKind::configName).collect(Collectors.joining(", "));
    throw new ConfigException(
        "tickets.sink: expected "
            + names.substring(0, names.lastIndexOf(", "))
            + " or "
            + NONE.configName()
            + ", got '"
            + value
            + "'");
  }
}
