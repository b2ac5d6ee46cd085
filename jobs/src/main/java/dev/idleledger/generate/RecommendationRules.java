package dev.idleledger.generate;

/**
 * The thresholds of RECOMMENDATIONS.md at the defaults the document names (and {@code conf/} ships). The generator
 * states its expected recommendations under these, written down here rather than read from the pipeline's settings,
 * so the truth stays the document's arithmetic and not the pipeline's.
 */
record RecommendationRules(int windowDays, double minMonthlySavings, double cullAfterSeconds, double minIdleSeconds,
    double targetActivity, int minReplicas, double migMargin, double minUnallocatedShare, double floorPercentile,
    double commitmentDiscount, double activityThreshold) {

  static final RecommendationRules DOCUMENT = new RecommendationRules(7, 50, 60 * 60, 15 * 60, 0.6, 1, 0.9, 0.5, 0.1, 0.28,
      TelemetryDayWriter.ACTIVITY_THRESHOLD);

  /** A month is 30 days of the window's figure (RECOMMENDATIONS.md), commitments 730 hours. */
  static final double DAYS_PER_MONTH = 30;
  static final double HOURS_PER_MONTH = 730;
}
