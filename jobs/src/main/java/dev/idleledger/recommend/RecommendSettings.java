package dev.idleledger.recommend;

import com.typesafe.config.Config;
import dev.idleledger.config.ConfigException;
import dev.idleledger.config.LedgerConfig;
import java.io.Serializable;

/**
 * The {@code recommend { … }} and {@code commitment { … }} sections of the configuration, read and checked once.
 * Minutes are kept as seconds because the per-second definitions compare against hold seconds.
 */
public record RecommendSettings(int windowDays, double minMonthlySavings, double cullAfterSeconds, double minIdleSeconds,
    double targetActivity, int minReplicas, double migMargin, double minUnallocatedShare, double floorPercentile,
    int resolveAfterDays, double updateThreshold, double highCoverage, double highSteadiness, double mediumCoverage,
    double mediumSteadiness, double commitmentDiscount, double activityThreshold) implements Serializable {

  public static RecommendSettings from(LedgerConfig config) {
    Config c = config.raw();
    try {
      return new RecommendSettings(
          positive(c, "recommend.window_days"),
          nonNegative(c, "recommend.min_monthly_savings"),
          nonNegative(c, "recommend.cull_after_minutes") * 60,
          nonNegative(c, "recommend.min_idle_minutes") * 60,
          ratio(c, "recommend.target_activity", false),
          positive(c, "recommend.min_replicas"),
          ratio(c, "recommend.mig_margin", false),
          ratio(c, "recommend.min_unallocated_share", true),
          ratio(c, "recommend.floor_percentile", true),
          positive(c, "recommend.resolve_after_days"),
          nonNegative(c, "recommend.update_threshold"),
          ratio(c, "recommend.high_coverage", true),
          ratio(c, "recommend.high_steadiness", true),
          ratio(c, "recommend.medium_coverage", true),
          ratio(c, "recommend.medium_steadiness", true),
          ratio(c, "commitment.discount", true),
          config.idleActivityThreshold);
    } catch (com.typesafe.config.ConfigException e) {
      throw new ConfigException("config: " + e.getMessage(), e);
    }
  }

  private static int positive(Config c, String key) {
    int v = c.getInt(key);
    if (v <= 0) {
      throw new ConfigException(key + ": must be > 0, got " + v);
    }
    return v;
  }

  private static double nonNegative(Config c, String key) {
    double v = c.getDouble(key);
    if (!(v >= 0)) {
      throw new ConfigException(key + ": must be >= 0, got " + v);
    }
    return v;
  }

  private static double ratio(Config c, String key, boolean zeroAllowed) {
    double v = c.getDouble(key);
    if (!(v <= 1 && (zeroAllowed ? v >= 0 : v > 0))) {
      throw new ConfigException(key + ": must be " + (zeroAllowed ? "between 0 and 1" : "in (0, 1]") + ", got " + v);
    }
    return v;
  }
}
