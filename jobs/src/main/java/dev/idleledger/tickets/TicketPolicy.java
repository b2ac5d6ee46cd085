package dev.idleledger.tickets;

import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * Decides the action for one recommendation. A rerun of a night must do nothing new: a ticket already
 * recorded is never filed again, and a comment or close already synced after the night is not repeated.
 */
public final class TicketPolicy {
  private final double minMonthlySavings;

  public TicketPolicy(double minMonthlySavings) {
    this.minMonthlySavings = minMonthlySavings;
  }

  public TicketAction decide(RecommendationTicketView r, LocalDate night) {
    String status = r.status() == null ? "" : r.status();
    boolean hasTicket = r.ticketKey() != null && !r.ticketKey().isBlank();
    // A sync stamped after the night began means tonight's comment/close was already done (a rerun).
    boolean syncedForNight = r.ticketSyncedAt() != null && r.ticketState() != TicketState.ERROR
        && !r.ticketSyncedAt().isBefore(night.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant());
    switch (status) {
      case "OPEN":
        return !hasTicket && r.monthlySavings() >= minMonthlySavings ? TicketAction.FILE : TicketAction.SKIP;
      case "REOPENED":
        if (!hasTicket) {
          return r.monthlySavings() >= minMonthlySavings ? TicketAction.FILE : TicketAction.SKIP;
        }
        // The old ticket is the one place the history lives: say the waste is back there.
        return r.ticketState() == TicketState.CLOSED && !syncedForNight ? TicketAction.COMMENT : TicketAction.SKIP;
      case "UPDATED":
        return hasTicket && !syncedForNight && r.ticketState() != TicketState.CLOSED ? TicketAction.COMMENT : TicketAction.SKIP;
      case "RESOLVED":
        return hasTicket && r.ticketState() != TicketState.CLOSED ? TicketAction.CLOSE : TicketAction.SKIP;
      default:
        return TicketAction.SKIP;
    }
  }
}
