package dev.idleledger.model;

/**
 * The lengths of time the cost model and the recommendations count in. One home, so that the pipeline and the
 * generator's ground truth cannot drift apart on what an hour or a month is.
 */
public final class Periods {
  /** A billed instance-hour: {@code billed_seconds = min(3600, usage hours × 3600)} (COST_MODEL.md §1). */
  public static final int SECONDS_PER_HOUR = 3600;

  /** A month of savings is 30 days of the window's figure (RECOMMENDATIONS.md). */
  public static final double DAYS_PER_MONTH = 30;

  /** A month of a commitment is 730 hours (365 × 24 / 12). */
  public static final double HOURS_PER_MONTH = 730;

  private Periods() {}
}
