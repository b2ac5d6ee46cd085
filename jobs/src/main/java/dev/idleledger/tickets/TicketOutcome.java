package dev.idleledger.tickets;

import java.time.Instant;

/**
 * What tonight did to one recommendation's ticket, as it is written back to the recommendations table: on ERROR,
 * {@code error} is the reason and key and url are null (any ticket already filed keeps its key and link).
 */
public record TicketOutcome(
    String recommendationId,
    TicketAction action,
    TicketSinkKind system,
    String key,
    String url,
    TicketState state,
    String error,
    Instant syncedAt) {}
