package dev.idleledger.generate;

/**
 * The thresholds of RECOMMENDATIONS.md at the defaults the document names (and {@code conf/} ships). The generator
 * states its expected recommendations under these, written down here rather than read from the pipeline's settings,
 * so the truth stays the document's arithmetic and not the pipeline's. (What a month is, is shared: {@code model.Periods}.)
 */
record RecommendationRules(
    int windowDays,
    double minMonthlySavings,
    double cullAfterSeconds,
    double minIdleSeconds,
    double targetActivity,
    int minReplicas,
    double migMargin,
    double minUnallocatedShare,
    double floorPercentile,
    double commitmentDiscount,
    double activityThreshold) {

  static final RecommendationRules DOCUMENT =
      new RecommendationRules(
          7,
          50,
          60 * 60,
          15 * 60,
          0.6,
          1,
          0.9,
          0.5,
          0.1,
          0.28,
          TelemetryDayWriter.ACTIVITY_THRESHOLD);
}
