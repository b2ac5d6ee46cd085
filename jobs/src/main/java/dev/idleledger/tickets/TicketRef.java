package dev.idleledger.tickets;

/** A ticket in its system: the key people quote (PROJ-12, owner/repo#7) and its web address. */
public record TicketRef(String key, String url) {}
