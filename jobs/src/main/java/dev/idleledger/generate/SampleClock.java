package dev.idleledger.generate;

import java.util.Arrays;

/**
 * When a node's exporter wrote samples on one day: a regular grid of the scrape interval, minus its outages,
 * shifted by a fraction of a second after an exporter restart. All GPU units of the node share it.
 */
final class SampleClock {
  private final long[] timestamps;
  private final long medianSpacingMs;

  SampleClock(FleetPlan.Node node, long dayStartMs, long dayEndMs, int intervalSeconds) {
    FleetPlan.Mess mess = node.mess();
    long step = intervalSeconds * 1000L;
    long[] ts = new long[(int) ((dayEndMs - dayStartMs) / step) + 1];
    int n = 0;
    for (long t = dayStartMs; t < dayEndMs; t += step) {
      long shifted = mess.restartAtOffsetMs() >= 0 && t - dayStartMs >= mess.restartAtOffsetMs() ? t + mess.restartPhaseMs() : t;
      if (shifted < dayEndMs && !inOutage(mess, shifted - dayStartMs)) {
        ts[n++] = shifted;
      }
    }
    this.timestamps = Arrays.copyOf(ts, n);
    this.medianSpacingMs = median(timestamps, step);
  }

  private static boolean inOutage(FleetPlan.Mess mess, long offset) {
    for (FleetPlan.Outage o : mess.outages()) {
      if (offset >= o.fromOffsetMs() && offset < o.toOffsetMs()) {
        return true;
      }
    }
    return false;
  }

  /** The series' typical interval that day (lower median of the spacings). */
  private static long median(long[] ts, long fallback) {
    if (ts.length < 2) {
      return fallback;
    }
    long[] spacing = new long[ts.length - 1];
    for (int i = 1; i < ts.length; i++) {
      spacing[i - 1] = ts[i] - ts[i - 1];
    }
    Arrays.sort(spacing);
    return spacing[(spacing.length - 1) / 2];
  }

  long[] timestamps() {
    return timestamps;
  }

  long medianSpacingMs() {
    return medianSpacingMs;
  }

  /**
   * How long the sample at index i holds (COST_MODEL.md §2): until the next sample if that is at most
   * {@code maxGapMs} away, else the typical interval — also for the day's last sample.
   */
  long holdMs(int i, long maxGapMs) {
    if (i + 1 < timestamps.length) {
      long d = timestamps[i + 1] - timestamps[i];
      if (d <= maxGapMs) {
        return d;
      }
    }
    return medianSpacingMs;
  }
}
