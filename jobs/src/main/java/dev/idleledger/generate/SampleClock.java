package dev.idleledger.generate;

import java.time.LocalDate;
import java.util.Arrays;

/**
 * When a node's exporter wrote samples on one day: a regular grid of the scrape interval at the node's scrape phase,
 * minus its outages, shifted by a fraction of a second after an exporter restart. All GPU units of the node share it.
 * A day of fewer than 24 hours ends with the fleet: its last sample is one whose hold ends by then.
 */
final class SampleClock {
  private final long[] timestamps;
  private final long medianSpacingMs;
  private final long dayStartMs;

  SampleClock(FleetPlan plan, FleetPlan.Node node, LocalDate day) {
    this(
        node,
        plan.dayStartMs(day),
        plan.dayEndMs(day),
        plan.spec().intervalSeconds(),
        plan.spec()
            .scrapePhase()
            .offsetMs(node, plan.spec().seed(), plan.spec().intervalSeconds()));
  }

  SampleClock(
      FleetPlan.Node node, long dayStartMs, long dayEndMs, int intervalSeconds, long phaseMs) {
    FleetPlan.Mess mess = node.mess();
    long step = intervalSeconds * 1000L;
    // A whole day's last hold runs into midnight, where the cost model cuts it; a shorter day has
    // nobody after its end.
    long lastStart =
        dayEndMs - dayStartMs >= ActivityProfile.DAY_MS ? dayEndMs - 1 : dayEndMs - step;
    long[] ts = new long[(int) ((dayEndMs - dayStartMs) / step) + 1];
    int n = 0;
    for (long t = dayStartMs + phaseMs; t < dayEndMs; t += step) {
      long shifted =
          mess.restartAtOffsetMs() >= 0 && t - dayStartMs >= mess.restartAtOffsetMs()
              ? t + mess.restartPhaseMs()
              : t;
      if (shifted <= lastStart && !inOutage(mess, shifted - dayStartMs)) {
        ts[n++] = shifted;
      }
    }
    this.timestamps = Arrays.copyOf(ts, n);
    this.medianSpacingMs = median(timestamps, step);
    this.dayStartMs = dayStartMs;
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
   * {@code maxGapMs} away, else the typical interval — also for the day's last sample, whose hold is cut at midnight.
   */
  long holdMs(int i, long maxGapMs) {
    if (i + 1 < timestamps.length) {
      long d = timestamps[i + 1] - timestamps[i];
      if (d <= maxGapMs) {
        return d;
      }
    }
    return Math.min(medianSpacingMs, dayStartMs + ActivityProfile.DAY_MS - timestamps[i]);
  }

  /** The hour of the day (0-23) sample i falls in. */
  int hour(int i) {
    return (int) ((timestamps[i] - dayStartMs) / ActivityProfile.HOUR_MS);
  }

  /**
   * Of a hold of sample i, the part within the sample's own hour; the rest counts in the next hour (COST_MODEL.md §2:
   * a hold is split at hh:00). Holds here are at most a minute, so they never reach a third hour.
   */
  long inOwnHourMs(int i, long holdMs) {
    long hourEnd = dayStartMs + (hour(i) + 1L) * ActivityProfile.HOUR_MS;
    return Math.min(holdMs, hourEnd - timestamps[i]);
  }
}
