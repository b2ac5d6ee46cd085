package dev.idleledger.tickets;

/** What a night does to a recommendation's ticket. */
public enum TicketAction {
  /** Find the ticket by its marker, else create it. */
  FILE,
  /** Add a comment (savings moved, or the waste is back). */
  COMMENT,
  /** Add a comment and close (Jira: transition to done). */
  CLOSE,
  SKIP
}
