package dev.idleledger.recommend;

import static dev.idleledger.config.ConfigChecks.nonNegative;
import static dev.idleledger.config.ConfigChecks.positiveInt;
import static dev.idleledger.config.ConfigChecks.positiveRatio;
import static dev.idleledger.config.ConfigChecks.ratio;

import com.typesafe.config.Config;
import dev.idleledger.config.ConfigException;
import dev.idleledger.config.LedgerConfig;
import java.io.Serializable;

/**
 * The {@code recommend { … }} and {@code commitment { … }} sections of the configuration, read and checked once.
 * Minutes are kept as seconds because the per-second definitions compare against hold seconds.
 */
public record RecommendSettings(
    int windowDays,
    double minMonthlySavings,
    double cullAfterSeconds,
    double minIdleSeconds,
    double targetActivity,
    int minReplicas,
    double migMargin,
    double minUnallocatedShare,
    double floorPercentile,
    int resolveAfterDays,
    double updateThreshold,
    double highCoverage,
    double highSteadiness,
    double mediumCoverage,
    double mediumSteadiness,
    double commitmentDiscount,
    double activityThreshold)
    implements Serializable {

  public static RecommendSettings from(LedgerConfig config) {
    Config c = config.raw();
    try {
      return new RecommendSettings(
          positiveInt(c, "recommend.window_days"),
          nonNegative(c, "recommend.min_monthly_savings"),
          nonNegative(c, "recommend.cull_after_minutes") * 60,
          nonNegative(c, "recommend.min_idle_minutes") * 60,
          positiveRatio(c, "recommend.target_activity"),
          positiveInt(c, "recommend.min_replicas"),
          positiveRatio(c, "recommend.mig_margin"),
          ratio(c, "recommend.min_unallocated_share"),
          ratio(c, "recommend.floor_percentile"),
          positiveInt(c, "recommend.resolve_after_days"),
          nonNegative(c, "recommend.update_threshold"),
          ratio(c, "recommend.high_coverage"),
          ratio(c, "recommend.high_steadiness"),
          ratio(c, "recommend.medium_coverage"),
          ratio(c, "recommend.medium_steadiness"),
          ratio(c, "commitment.discount"),
          config.idleActivityThreshold);
    } catch (com.typesafe.config.ConfigException e) {
      throw new ConfigException("config: " + e.getMessage(), e);
    }
  }
}
