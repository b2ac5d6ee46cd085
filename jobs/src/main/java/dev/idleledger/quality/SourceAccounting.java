package dev.idleledger.quality;

/**
 * Row accounting of one raw source for one date: every row read is used, a duplicate (counted once),
 * quarantined with a reason, or ignored because it is not ours to use (an unknown metric, a billing line
 * that is not GPU time). {@code read = used + quarantined + duplicate + ignored} must hold.
 */
public record SourceAccounting(
    String source,
    long rowsRead,
    long rowsUsed,
    long rowsQuarantined,
    long rowsDuplicate,
    long rowsIgnored) {
  public boolean balances() {
    return rowsRead == rowsUsed + rowsQuarantined + rowsDuplicate + rowsIgnored;
  }

  public double quarantinedShare() {
    return rowsRead == 0 ? 0.0 : (double) rowsQuarantined / rowsRead;
  }
}
