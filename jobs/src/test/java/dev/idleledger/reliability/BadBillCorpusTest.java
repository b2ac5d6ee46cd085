package dev.idleledger.reliability;

/**
 * The bad-input corpus's cases that break the bill (CUR and FOCUS files), on the same clean base and with the same
 * checks as {@link BadInputCorpusTest}, which runs the others. A class of its own so that the two test JVMs share the
 * corpus's nights.
 */
class BadBillCorpusTest extends BadInputCorpusTest {
  @Override
  boolean runs(BadInputCase c) {
    return breaksTheBill(c);
  }
}
