package dev.idleledger.tickets;

import java.util.List;

/** Records ticket outcomes on the recommendations. */
@FunctionalInterface
public interface TicketWriteBack {
  void record(String recommendationsTable, List<TicketOutcome> outcomes);
}
