package dev.idleledger.generate;

import java.math.BigDecimal;

/**
 * Where in its scrape interval a node's samples fall. Prometheus spreads its targets over the interval (each at an
 * offset hashed from the target), so in a real archive every node samples at its own phase and holds cross hh:00
 * and midnight: {@link #NONE} (samples on whole multiples of the interval, the default), one offset for every node,
 * or {@link #random}: an offset drawn per node from the seed, in whole milliseconds below the interval.
 */
public record ScrapePhase(boolean perNode, long offsetMs) {
  public static final ScrapePhase NONE = new ScrapePhase(false, 0);
  public static final String RANDOM = "random";

  public ScrapePhase {
    if (offsetMs < 0) {
      throw new IllegalArgumentException(
          "scrape phase must not be negative, got " + offsetMs + " ms");
    }
  }

  public static ScrapePhase fixedMs(long offsetMs) {
    return new ScrapePhase(false, offsetMs);
  }

  public static ScrapePhase random() {
    return new ScrapePhase(true, 0);
  }

  /** {@code random} (an offset per node), or the offset of every node in seconds, e.g. {@code 7} or {@code 2.5}. */
  public static ScrapePhase parse(String text) {
    String t = text.trim();
    if (t.equalsIgnoreCase(RANDOM)) {
      return random();
    }
    try {
      return fixedMs(new BigDecimal(t).movePointRight(3).longValueExact());
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException(
          "scrape phase must be '"
              + RANDOM
              + "' or seconds with at most 3 decimals, got '"
              + text
              + "'");
    }
  }

  /** The node's offset into each interval, in [0, interval). */
  long offsetMs(FleetPlan.Node node, long seed, int intervalSeconds) {
    return perNode
        ? (long)
            (Noise.uniform(seed, Noise.stringKey(node.name()), 0, 14) * intervalSeconds * 1000L)
        : offsetMs;
  }

  @Override
  public String toString() {
    return perNode
        ? RANDOM
        : BigDecimal.valueOf(offsetMs).movePointLeft(3).stripTrailingZeros().toPlainString() + " s";
  }
}
