package dev.idleledger.quality;

/**
 * Row accounting of one raw source for one date: every row read is used, a duplicate, or quarantined.
 * {@code rowsRead == rowsUsed + rowsQuarantined + rowsDuplicate} must hold; rows that are not ours to use
 * (an unknown metric, a billing line that is not GPU time) count as {@code rowsIgnored} and are part of rowsUsed's complement
 * only through that field, so: read = used + quarantined + duplicate + ignored.
 */
public record SourceAccounting(String source, long rowsRead, long rowsUsed, long rowsQuarantined, long rowsDuplicate, long rowsIgnored) {
  public boolean balances() {
    return rowsRead == rowsUsed + rowsQuarantined + rowsDuplicate + rowsIgnored;
  }

  public double quarantinedShare() {
    return rowsRead == 0 ? 0.0 : (double) rowsQuarantined / rowsRead;
  }
}
