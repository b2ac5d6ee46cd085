package dev.idleledger.generate;

import java.time.LocalDate;

/**
 * What to generate: {@code nodes} nodes repeating the pool pattern of {@link FleetPlan}, for {@code days}
 * UTC days from {@code start}, one telemetry sample per GPU unit every {@code intervalSeconds}.
 * {@code hoursPerDay} below 24 keeps only the first hours of each day (nodes exist, are billed and report
 * only then) so tests can run on a small fleet quickly. {@code fixFromDay} (null = never) applies the planted
 * notebook fix from that day on: the idle notebook {@code nb-bob} is culled — it holds its GPU only in working hours
 * (09:00–18:00 UTC) instead of all day — so resolution and realized savings of CULL_IDLE_NOTEBOOK can be tested.
 * {@code scrapePhase} says where in the interval each node's samples fall (default: on whole multiples of it).
 */
public record FleetSpec(
    LocalDate start,
    int days,
    int nodes,
    long seed,
    TelemetryFormat format,
    int intervalSeconds,
    int hoursPerDay,
    LocalDate fixFromDay,
    ScrapePhase scrapePhase) {
  public static final long DEFAULT_SEED = 42;
  public static final int DEFAULT_NODES = FleetPlan.PATTERN_SIZE;

  public FleetSpec {
    if (start == null) {
      throw new IllegalArgumentException("start date is required");
    }
    if (days < 1) {
      throw new IllegalArgumentException("days must be at least 1, got " + days);
    }
    if (nodes < 1) {
      throw new IllegalArgumentException("nodes must be at least 1, got " + nodes);
    }
    if (format == null) {
      throw new IllegalArgumentException("format is required");
    }
    if (intervalSeconds < 1 || intervalSeconds > 60) {
      throw new IllegalArgumentException("interval must be 1..60 seconds, got " + intervalSeconds);
    }
    if (hoursPerDay < 1 || hoursPerDay > 24) {
      throw new IllegalArgumentException("hours per day must be 1..24, got " + hoursPerDay);
    }
    if (scrapePhase == null) {
      scrapePhase = ScrapePhase.NONE;
    }
    if (scrapePhase.offsetMs() >= intervalSeconds * 1000L) {
      throw new IllegalArgumentException(
          "scrape phase must be below the interval ("
              + intervalSeconds
              + " s), got "
              + scrapePhase);
    }
  }

  public FleetSpec(
      LocalDate start,
      int days,
      int nodes,
      long seed,
      TelemetryFormat format,
      int intervalSeconds,
      int hoursPerDay) {
    this(start, days, nodes, seed, format, intervalSeconds, hoursPerDay, null, ScrapePhase.NONE);
  }

  public FleetSpec(
      LocalDate start,
      int days,
      int nodes,
      long seed,
      TelemetryFormat format,
      int intervalSeconds) {
    this(start, days, nodes, seed, format, intervalSeconds, 24);
  }

  /** Whether the planted notebook fix applies on {@code day}. */
  public boolean fixedOn(LocalDate day) {
    return fixFromDay != null && !day.isBefore(fixFromDay);
  }

  public FleetSpec withFixFromDay(LocalDate day) {
    return new FleetSpec(
        start, days, nodes, seed, format, intervalSeconds, hoursPerDay, day, scrapePhase);
  }

  /** The default fleet: one pool pattern (6 nodes, 23 GPUs), 1 s samples, Parquet. */
  public static FleetSpec defaults(LocalDate start, int days) {
    return new FleetSpec(start, days, DEFAULT_NODES, DEFAULT_SEED, TelemetryFormat.PARQUET, 1);
  }

  /** The smallest fleet repeating the pool pattern that has at least {@code gpus} GPUs (the demo's --gpus). */
  public static FleetSpec forGpus(
      LocalDate start, int days, int gpus, long seed, TelemetryFormat format, int intervalSeconds) {
    return new FleetSpec(start, days, FleetPlan.nodesForGpus(gpus), seed, format, intervalSeconds);
  }

  public FleetSpec withHoursPerDay(int hours) {
    return new FleetSpec(
        start, days, nodes, seed, format, intervalSeconds, hours, fixFromDay, scrapePhase);
  }

  public FleetSpec withSeed(long newSeed) {
    return new FleetSpec(
        start, days, nodes, newSeed, format, intervalSeconds, hoursPerDay, fixFromDay, scrapePhase);
  }

  public FleetSpec withFormat(TelemetryFormat newFormat) {
    return new FleetSpec(
        start, days, nodes, seed, newFormat, intervalSeconds, hoursPerDay, fixFromDay, scrapePhase);
  }

  public FleetSpec withScrapePhase(ScrapePhase phase) {
    return new FleetSpec(
        start, days, nodes, seed, format, intervalSeconds, hoursPerDay, fixFromDay, phase);
  }
}
