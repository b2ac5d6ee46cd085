package dev.idleledger.tickets;

import java.util.Locale;

/** A ticket's state at the last sync, as {@code recommendations.ticket_state} stores it (the constant's name). */
public enum TicketState {
  /** Filed (or found already filed), or commented on. */
  OPEN,
  /** Closed with the recommendation resolved. */
  CLOSED,
  /** The last sync failed; {@code ticket_error} says why, and the next night tries again. */
  ERROR;

  /** The state stored in the table; null when no ticket was ever synced. */
  static TicketState of(String stored, String recommendationId) {
    if (stored == null) {
      return null;
    }
    try {
      return valueOf(stored.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          "recommendation "
              + recommendationId
              + ": ticket_state '"
              + stored
              + "' is none of OPEN, CLOSED, ERROR",
          e);
    }
  }
}
