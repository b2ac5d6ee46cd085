package dev.idleledger.bench;

import dev.idleledger.generate.FleetPlan;
import dev.idleledger.generate.FleetSpec;
import dev.idleledger.generate.ScrapePhase;
import dev.idleledger.generate.TelemetryFormat;
import dev.idleledger.model.Periods;
import java.time.LocalDate;

/**
 * A benchmark size: about {@code requestedGpuDays} GPU-days as one fleet of N GPUs for one day, so a bigger size
 * is a bigger night (the per-night work the targets are about), not more nights of the same fleet. Fleets repeat the
 * generator's six-node pool pattern (8, 8, 4, 1, 1, 1 GPUs), so N is the smallest pattern prefix with at least the
 * requested GPUs; the actual GPU-days are reported and every rate is per actual GPU-day.
 * {@code hoursPerDay} below 24 shrinks the day (tests only).
 */
public record FleetSize(int requestedGpuDays, int nodes, int gpus, int days, int hoursPerDay) {
  public static final LocalDate START = LocalDate.of(2026, 11, 1);

  public static FleetSize of(int gpuDays, int hoursPerDay) {
    if (gpuDays < 1) {
      throw new IllegalArgumentException("a size must be at least 1 GPU-day, got " + gpuDays);
    }
    int nodes = FleetPlan.nodesForGpus(gpuDays);
    return new FleetSize(gpuDays, nodes, FleetPlan.gpusOf(nodes), 1, hoursPerDay);
  }

  /**
   * A night the bench did not generate (the tiny row: a recorded trace): its GPUs and billed hours on one day.
   * {@code requestedGpuDays} 0 marks it; {@link #spec} has nothing to generate for it.
   */
  public static FleetSize trace(int gpus, int billedHours) {
    return new FleetSize(0, 1, gpus, 1, billedHours);
  }

  public boolean isTrace() {
    return requestedGpuDays == 0;
  }

  /** How the tables and the CSV name the row: its requested GPU-days, or {@code tiny} for the trace. */
  public String label() {
    return isTrace() ? "tiny" : String.valueOf(requestedGpuDays);
  }

  public double gpuDays() {
    return gpus * days * hoursPerDay / 24.0;
  }

  /** Billed GPU-seconds: the time the cost model accounts for. */
  public long gpuSeconds() {
    return (long) gpus * days * hoursPerDay * Periods.SECONDS_PER_HOUR;
  }

  /**
   * 1 s samples, each node at its own (sub-second) scrape phase as real targets are: every unit-hour has a hold that
   * crosses into the next hour and every day's last hold is cut at midnight, so both implementations are compared
   * (and timed) on the split of COST_MODEL.md §2.
   */
  public FleetSpec spec() {
    if (isTrace()) {
      throw new IllegalStateException(
          "the tiny row runs a recorded trace; there is no fleet to generate");
    }
    return new FleetSpec(START, days, nodes, FleetSpec.DEFAULT_SEED, TelemetryFormat.PARQUET, 1)
        .withHoursPerDay(hoursPerDay)
        .withScrapePhase(ScrapePhase.random());
  }

  public LocalDate lastDay() {
    return START.plusDays(days - 1);
  }
}
