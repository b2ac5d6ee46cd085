package dev.idleledger.tickets;

import dev.idleledger.tables.RecommendationStatus;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;

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
    boolean hasTicket = r.ticketKey() != null && !r.ticketKey().isBlank();
    // A sync stamped after the night began means tonight's comment/close was already done (a
    // rerun).
    boolean syncedForNight =
        r.ticketSyncedAt() != null
            && r.ticketState() != TicketState.ERROR
            && !r.ticketSyncedAt()
                .isBefore(night.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant());
    // A row without a status, or with one no release writes, needs nothing from a ticket.
    Optional<RecommendationStatus> status = RecommendationStatus.of(r.status());
    if (status.isEmpty()) {
      return TicketAction.SKIP;
    }
    return switch (status.get()) {
      case OPEN ->
          !hasTicket && r.monthlySavings() >= minMonthlySavings
              ? TicketAction.FILE
              : TicketAction.SKIP;
      case REOPENED -> {
        if (!hasTicket) {
          yield r.monthlySavings() >= minMonthlySavings ? TicketAction.FILE : TicketAction.SKIP;
        }
        // The old ticket is the one place the history lives: say the waste is back there.
        yield r.ticketState() == TicketState.CLOSED && !syncedForNight
            ? TicketAction.COMMENT
            : TicketAction.SKIP;
      }
      case UPDATED ->
          hasTicket && !syncedForNight && r.ticketState() != TicketState.CLOSED
              ? TicketAction.COMMENT
              : TicketAction.SKIP;
      case RESOLVED ->
          hasTicket && r.ticketState() != TicketState.CLOSED
              ? TicketAction.CLOSE
              : TicketAction.SKIP;
    };
  }
}
