package dev.idleledger.tickets;

import java.util.List;

/** The night's counts; {@code failed > 0} makes the command exit non-zero. Dry runs list what they would do. */
public record TicketRunResult(
    int filed,
    int found,
    int commented,
    int closed,
    int failed,
    int skipped,
    List<String> planned,
    List<String> errors) {
  public boolean ok() {
    return failed == 0;
  }

  public String summary() {
    return "tickets: "
        + filed
        + " filed, "
        + found
        + " found already filed, "
        + commented
        + " commented, "
        + closed
        + " closed, "
        + failed
        + " failed, "
        + skipped
        + " skipped";
  }
}
