package dev.idleledger.tables;

import java.util.Optional;

/**
 * Where a recommendation is in its lifecycle (RECOMMENDATIONS.md), as {@code recommendations.status} and
 * {@code recommendation_history.status} store it: the constant's name, a contract readers filter on.
 */
public enum RecommendationStatus {
  /** Triggered for the first time. */
  OPEN,
  /** Still triggering, with monthly savings moved past the update threshold since the last ticket sync. */
  UPDATED,
  /** Quiet for resolve_after_days nights. */
  RESOLVED,
  /** Triggering again after it was resolved. */
  REOPENED;

  /** The status a stored value names; empty for null or a value no release wrote. */
  public static Optional<RecommendationStatus> of(String stored) {
    if (stored == null) {
      return Optional.empty();
    }
    for (RecommendationStatus s : values()) {
      if (s.name().equals(stored)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /** Every status's stored value, for an {@code isin} over the column. */
  public static Object[] storedValues() {
    RecommendationStatus[] all = values();
    Object[] names = new Object[all.length];
    for (int i = 0; i < all.length; i++) {
      names[i] = all[i].name();
    }
    return names;
  }
}
