package dev.idleledger.tickets;

/** A ticket operation that failed for good (a 4xx, or retries used up); the reason is stored as the ticket's error. */
public final class TicketFailure extends Exception {
  public TicketFailure(String reason) {
    super(reason);
  }
}
