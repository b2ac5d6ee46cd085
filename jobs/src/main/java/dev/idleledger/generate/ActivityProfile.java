package dev.idleledger.generate;

import dev.idleledger.model.Periods;

/**
 * How busy a GPU unit is at an instant, and how much framebuffer its holder keeps. Activity is what
 * GR_ENGINE_ACTIVE would read: ~1e-4 of noise when nothing runs (the engine's idle floor on real H100s).
 */
sealed interface ActivityProfile {
  long HOUR_MS = Periods.SECONDS_PER_HOUR * 1_000L;
  long DAY_MS = 24 * HOUR_MS;

  double activity(long seed, long unitKey, long tMs);

  /** Share of the unit's framebuffer in use. */
  double memoryFraction(long seed, long unitKey, long tMs);

  static double idleFloor(long seed, long unitKey, long tMs) {
    return 1e-4 * Noise.uniform(seed, unitKey, tMs, 1);
  }

  static double hourOfDay(long tMs) {
    return Math.floorMod(tMs, DAY_MS) / (double) HOUR_MS;
  }

  /** A training run: a multi-hour burst near full activity, then the pod keeps the GPU (and its memory) idle until it ends. */
  record Training(long activeFromMs, long activeToMs, double modelMemory)
      implements ActivityProfile {
    public double activity(long seed, long unitKey, long tMs) {
      if (tMs >= activeFromMs && tMs < activeToMs) {
        return 0.82 + 0.16 * Noise.uniform(seed, unitKey, tMs, 2);
      }
      return idleFloor(seed, unitKey, tMs);
    }

    public double memoryFraction(long seed, long unitKey, long tMs) {
      return modelMemory;
    }
  }

  /**
   * An inference replica: diurnal traffic peaking mid-afternoon UTC, spread over more replicas than the peak
   * needs, so nights are mostly idle with the model still loaded; a few stray requests at night.
   */
  record Inference(double peak, double modelMemory) implements ActivityProfile {
    public double activity(long seed, long unitKey, long tMs) {
      double h = hourOfDay(tMs);
      double load = h >= 6 && h < 22 ? Math.sin(Math.PI * (h - 6) / 16) : 0;
      double a = peak * load * (0.6 + 0.8 * Noise.uniform(seed, unitKey, tMs, 3));
      if (a < 0.01 && Noise.uniform(seed, unitKey, tMs, 4) < 0.03) {
        a = 0.02 + 0.06 * Noise.uniform(seed, unitKey, tMs, 5);
      }
      return a < 0.01 ? idleFloor(seed, unitKey, tMs) : a;
    }

    public double memoryFraction(long seed, long unitKey, long tMs) {
      return modelMemory;
    }
  }

  /** A notebook: cells run in minute-long bursts for a small share of working hours; the kernel keeps its tensors loaded in between. */
  record Notebook(double activeShare, int workFromHour, int workToHour, double kernelMemory)
      implements ActivityProfile {
    public double activity(long seed, long unitKey, long tMs) {
      double h = hourOfDay(tMs);
      long minute = Math.floorDiv(tMs, 60_000L);
      if (h >= workFromHour
          && h < workToHour
          && Noise.uniform(seed, unitKey, minute, 6) < activeShare) {
        return 0.3 + 0.6 * Noise.uniform(seed, unitKey, tMs, 7);
      }
      return idleFloor(seed, unitKey, tMs);
    }

    public double memoryFraction(long seed, long unitKey, long tMs) {
      return kernelMemory;
    }
  }

  /** Nothing running and nothing loaded: a GPU nobody holds, or a debugging pod that holds one and does nothing. */
  record Idle() implements ActivityProfile {
    public double activity(long seed, long unitKey, long tMs) {
      return idleFloor(seed, unitKey, tMs);
    }

    public double memoryFraction(long seed, long unitKey, long tMs) {
      return 0.004 + 0.004 * Noise.uniform(seed, unitKey, tMs / 60_000L, 8);
    }
  }
}
