package dev.idleledger.generate;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one GPU unit did on one day, as the generator knows it: observed time per hour, and held time per
 * (hour, holders, state) with its activity-weighted unused share. Small — a few dozen entries per unit-day.
 */
final class UnitDayLedger {
  enum State {
    ACTIVE,
    IDLE,
    IDLE_MEMORY_HELD,
    UNALLOCATED
  }

  /** Holders are "namespace/pod" names, sorted; empty for unallocated time. */
  record Slice(int hour, List<String> holders, State state) {}

  static final class Held {
    long ms;

    /** Σ hold seconds × (1 − a): the unused share of the time. */
    double unusedSeconds;
  }

  final FleetPlan.Unit unit;
  final long[] observedMs = new long[24];
  final Map<String, Held> held = new TreeMap<>();
  final Map<String, Slice> slices = new TreeMap<>();

  UnitDayLedger(FleetPlan.Unit unit) {
    this.unit = unit;
  }

  private Slice last;
  private Held lastHeld;

  void add(int hour, List<String> holders, State state, long holdMs, double activity) {
    observedMs[hour] += holdMs;
    // Consecutive samples nearly always fall in the same slice: skip the map then.
    Held h =
        last != null
                && last.hour() == hour
                && last.state() == state
                && last.holders().equals(holders)
            ? lastHeld
            : slow(hour, holders, state);
    h.ms += holdMs;
    h.unusedSeconds += holdMs / 1000.0 * (1 - activity);
  }

  private Held slow(int hour, List<String> holders, State state) {
    String key = String.format("%02d|%s|%s", hour, String.join(",", holders), state);
    Held h = held.get(key);
    if (h == null) {
      h = new Held();
      held.put(key, h);
      slices.put(key, new Slice(hour, List.copyOf(holders), state));
    }
    last = slices.get(key);
    lastHeld = h;
    return h;
  }
}
