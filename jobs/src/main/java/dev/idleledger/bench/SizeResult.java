package dev.idleledger.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one benchmark size measured. {@link #sparkSeconds} is the cost model's part of the night (ingest, attribute,
 * rollup), the same work the DuckDB peer does; recommend and tickets are timed and reported beside it, not in it.
 */
public record SizeResult(
    FleetSize size,
    long telemetrySamples,
    long kubeSamples,
    double generateSeconds,
    long rawBytes,
    Map<String, Double> stageSeconds,
    long peakHeapBytes,
    long peakRssBytes,
    TaskTotals.Work sparkWork,
    long lakeBytes,
    int cores,
    Optional<CostFigures> duckdb,
    int rowsCompared,
    Optional<CostComparison.Disagreement> disagreement) {

  public static final String[] COST_MODEL_STAGES = {"ingest", "attribute", "rollup"};
  public static final String[] STAGES = {"ingest", "attribute", "rollup", "recommend", "tickets"};

  public SizeResult {
    stageSeconds = new LinkedHashMap<>(stageSeconds);
  }

  public double sparkSeconds() {
    double s = 0;
    for (String stage : COST_MODEL_STAGES) {
      s += stageSeconds.getOrDefault(stage, 0.0);
    }
    return s;
  }

  /** {@link #STAGES}, then any other part of the night the run timed (the tiny row's {@code other}: work outside the stages). */
  public List<String> stageNames() {
    List<String> names = new ArrayList<>(List.of(STAGES));
    stageSeconds.keySet().stream().filter(k -> !names.contains(k)).forEach(names::add);
    return names;
  }

  public double stage(String name) {
    return stageSeconds.getOrDefault(name, 0.0);
  }

  /** DuckDB's wall seconds, NaN when the peer was skipped. */
  public double duckdbSeconds() {
    return duckdb.map(CostFigures::seconds).orElse(Double.NaN);
  }

  /** Spark seconds per DuckDB second (NaN when the peer was skipped). */
  public double ratio() {
    return sparkSeconds() / duckdbSeconds();
  }

  /** Telemetry samples per wall second per core of {@code seconds}. */
  public double samplesPerSecondPerCore(double seconds) {
    return telemetrySamples / seconds / cores;
  }

  public double gpuSecondsPerSecondPerCore(double seconds) {
    return size.gpuSeconds() / seconds / cores;
  }

  /** Every timed part summed; for the tiny row, whose {@code other} is the rest of the night, the night's wall. */
  public double wallSeconds() {
    return stageSeconds.values().stream().mapToDouble(Double::doubleValue).sum();
  }

  /** Task CPU seconds over the night's wall seconds × cores: how busy Spark kept the machine (1.0 = every core, all night). */
  public double cpuUtilization() {
    double wall = wallSeconds();
    return wall == 0 ? 0 : sparkWork.cpuSeconds() / (wall * cores);
  }

  public double sparkSecondsPerGpuDay() {
    return sparkSeconds() / size.gpuDays();
  }

  public boolean agrees() {
    return disagreement.isEmpty();
  }
}
