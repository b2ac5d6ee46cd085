package dev.idleledger.generate;

import dev.idleledger.config.InstanceCatalog.MigProfile;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one workload did over the recommendation window, second by second as the generator planned it, folded as it
 * streams by into what RECOMMENDATIONS.md needs: its idle streaks and their money, the distributions of n(t) and of
 * ceil(d(t) / target), and for each MIG profile of its GPU model how long it stayed within the profile's memory and
 * compute. Nothing per second is kept, so a week at 1 s costs a few counters per workload.
 *
 * <p>Fed instant by instant in time order by the one thread writing its node (a workload lives on one node here), and
 * across days only after the previous day was written, so it needs no locking.
 */
final class WorkloadEvidence {
  final FleetPlan.Workload workload;
  final String cluster;
  final String node;
  private final RecommendationRules rules;

  double money;
  double moneyList;

  /** Weighted by hold in ms: percentiles are over seconds, and a sample stands for its hold. */
  private final TreeMap<Integer, Long> podsHeld = new TreeMap<>();

  private final TreeMap<Long, Long> replicasNeeded = new TreeMap<>();
  private long heldMs;

  private boolean onMig;
  private String gpuModel;
  private boolean mixedModels;
  private List<MigProfile> profiles = List.of();
  private long[] withinMemoryMs = new long[0];
  private long[] withinComputeMs = new long[0];
  private int slices;

  // The open idle streak: unobserved time (a gap after a sample's hold) or an active second ends
  // it.
  private boolean inStreak;
  private long streakEndMs;
  private double streakSeconds;
  private double streakMoney;
  private double streakMoneyList;
  private double streakBeyondMoney;
  private double streakBeyondMoneyList;

  /** Notebook streaks longer than the cull threshold: their money past the threshold. */
  int cullStreaks;

  double cullMoney;
  double cullMoneyList;

  /** Training stretches at least the minimum idle time: all their money. */
  int releaseStretches;

  double releaseMoney;
  double releaseMoneyList;

  WorkloadEvidence(
      FleetPlan.Workload workload, String cluster, String node, RecommendationRules rules) {
    this.workload = workload;
    this.cluster = cluster;
    this.node = node;
    this.rules = rules;
  }

  /**
   * One instant the workload held GPU units.
   *
   * @param pods n(t), its distinct pods on a GPU
   * @param demand d(t), the summed activity of its distinct units
   * @param anyActive whether some unit of it was active (the instant is idle only when all are idle)
   * @param maxFbUsedMib the highest framebuffer use among its units
   * @param maxActivity the highest activity among its units
   * @param model GPU model of its units (all the same, or {@code mixed} is set)
   */
  void instant(
      long tMs,
      long holdMs,
      int pods,
      double demand,
      boolean anyActive,
      long maxFbUsedMib,
      double maxActivity,
      boolean mig,
      String model,
      boolean mixed,
      List<MigProfile> modelProfiles,
      int modelSlices,
      double instantMoney,
      double instantMoneyList) {
    money += instantMoney;
    moneyList += instantMoneyList;
    heldMs += holdMs;
    podsHeld.merge(pods, holdMs, Long::sum);
    replicasNeeded.merge((long) Math.ceil(demand / rules.targetActivity()), holdMs, Long::sum);
    migFit(mig, model, mixed, modelProfiles, modelSlices, maxFbUsedMib, maxActivity, holdMs);
    streak(tMs, holdMs, anyActive, instantMoney, instantMoneyList);
  }

  private void migFit(
      boolean mig,
      String model,
      boolean mixed,
      List<MigProfile> modelProfiles,
      int modelSlices,
      long fb,
      double activity,
      long holdMs) {
    onMig |= mig;
    if (gpuModel == null) {
      gpuModel = model;
      profiles = modelProfiles;
      slices = modelSlices;
      withinMemoryMs = new long[profiles.size()];
      withinComputeMs = new long[profiles.size()];
    }
    mixedModels |= mixed || !gpuModel.equals(model);
    for (int i = 0; i < profiles.size(); i++) {
      MigProfile p = profiles.get(i);
      // p99 FB ≤ margin × memory exactly when at least 99% of the seconds are within it (likewise
      // p95 activity).
      if (fb <= p.memoryMib() * rules.migMargin()) {
        withinMemoryMs[i] += holdMs;
      }
      if (activity <= (double) p.computeSlices() / slices * rules.migMargin()) {
        withinComputeMs[i] += holdMs;
      }
    }
  }

  private void streak(long tMs, long holdMs, boolean anyActive, double m, double mList) {
    if (anyActive) {
      closeStreak();
      return;
    }
    if (inStreak && tMs > streakEndMs) {
      closeStreak();
    }
    if (!inStreak) {
      inStreak = true;
      streakSeconds = 0;
      streakMoney = 0;
      streakMoneyList = 0;
      streakBeyondMoney = 0;
      streakBeyondMoneyList = 0;
    }
    double hold = holdMs / 1000.0;
    double from = streakSeconds;
    double beyond = Math.max(0, from + hold - Math.max(from, rules.cullAfterSeconds())) / hold;
    streakSeconds += hold;
    streakMoney += m;
    streakMoneyList += mList;
    streakBeyondMoney += m * beyond;
    streakBeyondMoneyList += mList * beyond;
    streakEndMs = tMs + holdMs;
  }

  /** Ends the open streak (also at the end of the window). */
  void closeStreak() {
    if (!inStreak) {
      return;
    }
    inStreak = false;
    if (streakSeconds > rules.cullAfterSeconds()) {
      cullStreaks++;
      cullMoney += streakBeyondMoney;
      cullMoneyList += streakBeyondMoneyList;
    }
    if (streakSeconds >= rules.minIdleSeconds()) {
      releaseStretches++;
      releaseMoney += streakMoney;
      releaseMoneyList += streakMoneyList;
    }
  }

  /** R: the median of n(t) over the seconds it held GPUs. */
  int replicas() {
    return percentile(podsHeld, 0.5);
  }

  /** R' = max(min_replicas, p95 of ceil(d(t) / target_activity)). */
  long recommendedReplicas() {
    return Math.max(rules.minReplicas(), percentile(replicasNeeded, 0.95));
  }

  /** The smallest MIG profile of its model that fits memory (p99) and compute (p95), or null: none, or not on whole GPUs of one MIG-capable model. */
  MigProfile smallestFittingProfile() {
    if (onMig || mixedModels || slices == 0) {
      return null;
    }
    MigProfile best = null;
    for (int i = 0; i < profiles.size(); i++) {
      MigProfile p = profiles.get(i);
      boolean fits = withinMemoryMs[i] >= 0.99 * heldMs && withinComputeMs[i] >= 0.95 * heldMs;
      if (fits
          && (best == null
              || p.computeSlices() < best.computeSlices()
              || p.computeSlices() == best.computeSlices() && p.memoryMib() < best.memoryMib())) {
        best = p;
      }
    }
    return best;
  }

  int slices() {
    return slices;
  }

  /** Nearest rank: the smallest value with at least share p of the weight at or below it. */
  private static <K> K percentile(TreeMap<K, Long> weights, double p) {
    long total = weights.values().stream().mapToLong(Long::longValue).sum();
    long seen = 0;
    for (Map.Entry<K, Long> e : weights.entrySet()) {
      seen += e.getValue();
      if (seen >= p * total) {
        return e.getKey();
      }
    }
    return weights.lastKey();
  }
}
