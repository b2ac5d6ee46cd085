package dev.idleledger.tickets;

import dev.idleledger.tickets.TicketSettings.TeamRoute;
import java.util.Optional;

/** A ticket system. Implementations search by the recommendation's marker so filing is exactly once. */
public interface TicketSink {
  /** Stored in {@code ticket_system} as its config name. */
  TicketSinkKind system();

  /** The ticket already filed for this recommendation (found by its label/marker), if any. */
  Optional<TicketRef> find(RecommendationTicketView r, TeamRoute route) throws TicketFailure;

  TicketRef create(RecommendationTicketView r, TeamRoute route, TicketText text)
      throws TicketFailure;

  void comment(TicketRef ticket, RecommendationTicketView r, TicketText text) throws TicketFailure;

  /** Comments and closes. */
  void close(TicketRef ticket, RecommendationTicketView r, TicketText text) throws TicketFailure;

  /** Called once after all tickets of the run (the outbox writes its files here). */
  default void finish() throws TicketFailure {}
}
