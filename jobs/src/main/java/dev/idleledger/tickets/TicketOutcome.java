package dev.idleledger.tickets;

import java.time.Instant;

/** What tonight did to one recommendation's ticket, as it is written back to the recommendations table. */
public record TicketOutcome(String recommendationId, TicketAction action, String system, String key, String url,
    String state, String error, Instant syncedAt) {}
