package dev.idleledger.model;

/**
 * The {@code accuracy} argument of Spark's {@code percentile_approx}: its relative rank error is 1 / accuracy, and its
 * memory grows with it, so each percentile says how exact it needs to be.
 */
public final class PercentileAccuracy {
  /** Over the hours of a window (a few hundred values per group): exact at any window's hour count. */
  public static final int EXACT_OVER_HOURS = 1_000_000;

  /** Over a day's samples of a series or a workload (a workload's p95 activity, a series' median spacing): rank within 1/10,000. */
  public static final int OVER_SAMPLES = 10_000;

  private PercentileAccuracy() {}
}
