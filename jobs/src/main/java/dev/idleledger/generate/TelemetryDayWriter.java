package dev.idleledger.generate;

import dev.idleledger.generate.FleetPlan.Node;
import dev.idleledger.generate.FleetPlan.Pod;
import dev.idleledger.generate.FleetPlan.Unit;
import dev.idleledger.generate.UnitDayLedger.State;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes one node's dcgm-exporter series for one day, and records in the same pass what each GPU unit did
 * (the ground truth), so nothing of the day is held in memory but a few counters per unit-hour.
 */
final class TelemetryDayWriter {
  static final long MAX_SAMPLE_GAP_MS = 10_000;
  static final double ACTIVITY_THRESHOLD = 0.01;
  static final double MEMORY_HELD_THRESHOLD = 0.05;

  static final String GR_ENGINE_ACTIVE = "DCGM_FI_PROF_GR_ENGINE_ACTIVE";
  static final String GPU_UTIL = "DCGM_FI_DEV_GPU_UTIL";
  static final String FB_USED = "DCGM_FI_DEV_FB_USED";
  static final String FB_FREE = "DCGM_FI_DEV_FB_FREE";
  static final String POWER_USAGE = "DCGM_FI_DEV_POWER_USAGE";

  record Result(List<Path> files, long rows, List<UnitDayLedger> ledgers) {}

  /** One reporting unit with its pods and the series it writes under each holder. */
  private static final class UnitTrack {
    final Unit unit;
    final long key;
    final List<Pod> pods;
    final Series unheld;
    final Map<Pod, Series> heldBy = new LinkedHashMap<>();
    final Map<Pod, String> holderName = new LinkedHashMap<>();
    final UnitDayLedger ledger;

    UnitTrack(Unit unit, long key, List<Pod> pods, Series unheld) {
      this.unit = unit;
      this.key = key;
      this.pods = pods;
      this.unheld = unheld;
      this.ledger = new UnitDayLedger(unit);
    }
  }

  private final FleetPlan plan;
  private final Node node;
  private final LocalDate day;
  private final List<Pod> pods;
  private final long seed;

  /** Told what every held unit read at each instant, for the expected recommendations; null outside their window. */
  private final ExpectedRecommendations.NodeDay heldSamples;

  TelemetryDayWriter(FleetPlan plan, Node node, LocalDate day, List<Pod> podsOfDay) {
    this(plan, node, day, podsOfDay, null);
  }

  TelemetryDayWriter(
      FleetPlan plan,
      Node node,
      LocalDate day,
      List<Pod> podsOfDay,
      ExpectedRecommendations.NodeDay heldSamples) {
    this.plan = plan;
    this.heldSamples = heldSamples;
    this.node = node;
    this.day = day;
    this.pods = podsOfDay.stream().filter(p -> p.node().equals(node.name())).toList();
    this.seed = plan.spec().seed();
  }

  Result write(Path telemetryRoot) throws IOException {
    long d0 = plan.dayStartMs(day);
    long dayEnd = plan.dayEndMs(day);
    SampleClock clock = new SampleClock(plan, node, day);

    List<UnitTrack> tracks = new ArrayList<>();
    List<UnitDayLedger> unconfigured = new ArrayList<>();
    Map<Integer, Series> migParents = new LinkedHashMap<>();
    List<Series> allSeries = new ArrayList<>();
    for (Unit unit : node.units()) {
      if (!unit.reports()) {
        unconfigured.add(new UnitDayLedger(unit));
        continue;
      }
      List<Pod> holders =
          pods.stream()
              .filter(p -> p.unitKeys().contains(unit.key()))
              .sorted(Comparator.comparing(Pod::name))
              .toList();
      UnitTrack track =
          new UnitTrack(unit, Noise.stringKey(unit.key()), holders, new Series(labels(unit, null)));
      allSeries.add(track.unheld);
      for (Pod p : holders) {
        Series s = new Series(labels(unit, p));
        track.heldBy.put(p, s);
        track.holderName.put(p, p.workload().namespace() + "/" + p.name());
        allSeries.add(s);
      }
      tracks.add(track);
      if (unit.isMig() && !migParents.containsKey(unit.gpu())) {
        Series parent =
            new Series(
                labels(
                    new Unit(
                        unit.key(),
                        unit.node(),
                        unit.gpu(),
                        unit.uuid(),
                        unit.gpuModel(),
                        null,
                        null,
                        1,
                        0,
                        true),
                    null));
        migParents.put(unit.gpu(), parent);
        allSeries.add(parent);
      }
    }

    String dt = "dt=" + day;
    String base = node.name().replace(".ec2.internal", "");
    Path mainFile = telemetryRoot.resolve(dt).resolve("dcgm-" + base);
    // Samples of the day's last seconds that the archiver only flushed after midnight: they land in
    // the next day's folder.
    Path lateFile =
        telemetryRoot.resolve("dt=" + day.plusDays(1)).resolve("dcgm-" + base + "-late-" + day);
    long lateFrom =
        node.mess().stragglerTailMs() > 0 ? dayEnd - node.mess().stragglerTailMs() : Long.MAX_VALUE;
    long dupFrom =
        node.mess().duplicateFromOffsetMs() >= 0
            ? d0 + node.mess().duplicateFromOffsetMs()
            : Long.MAX_VALUE;
    long dupTo = d0 + node.mess().duplicateToOffsetMs();

    List<Path> files = new ArrayList<>();
    long rows = 0;
    long[] ts = clock.timestamps();
    SeriesSink main = SeriesSink.open(plan.spec().format(), mainFile, allSeries);
    SeriesSink late = null;
    try {
      List<Pod> current = new ArrayList<>(4);
      List<String> holderNames = new ArrayList<>(4);
      for (int i = 0; i < ts.length; i++) {
        long t = ts[i];
        SeriesSink sink = main;
        if (t >= lateFrom) {
          if (late == null) {
            late = SeriesSink.open(plan.spec().format(), lateFile, allSeries);
          }
          sink = late;
        }
        int copies = t >= dupFrom && t < dupTo ? 2 : 1;
        long hold = clock.holdMs(i, MAX_SAMPLE_GAP_MS);
        int hour = clock.hour(i);
        // A hold that crosses hh:00 counts in each hour for its part there (COST_MODEL.md §2).
        long inHour = clock.inOwnHourMs(i, hold);
        long nextHour = hold - inHour;
        Map<Integer, Double> parentActivity = new LinkedHashMap<>();
        for (UnitTrack track : tracks) {
          current.clear();
          for (Pod p : track.pods) {
            if (p.aliveAt(t)) {
              current.add(p);
            }
          }
          Reading r = read(track, current.isEmpty() ? null : current.get(0), t);
          for (int c = 0; c < copies; c++) {
            if (current.isEmpty()) {
              emit(sink, t, track.unit, r, track.unheld);
            } else {
              for (Pod p : current) {
                emit(sink, t, track.unit, r, track.heldBy.get(p));
              }
            }
          }
          holderNames.clear();
          for (Pod p : current) {
            holderNames.add(track.holderName.get(p));
          }
          State state = state(current.isEmpty(), r);
          track.ledger.add(hour, holderNames, state, inHour, r.truthActivity);
          if (nextHour > 0) {
            track.ledger.add(hour + 1, holderNames, state, nextHour, r.truthActivity);
          }
          if (heldSamples != null && !current.isEmpty()) {
            heldSamples.held(
                t, hour, inHour, nextHour, track.unit, current, r.truthActivity, r.fbUsed);
          }
          if (track.unit.isMig()) {
            parentActivity.merge(track.unit.gpu(), r.truthActivity, Math::max);
          }
        }
        if (heldSamples != null) {
          heldSamples.endInstant();
        }
        for (var parent : migParents.entrySet()) {
          double a = parentActivity.getOrDefault(parent.getKey(), 0.0);
          for (int c = 0; c < copies; c++) {
            sink.write(
                t,
                POWER_USAGE,
                power(node.type().gpuModel(), a, Noise.stringKey(node.name()) + parent.getKey(), t),
                parent.getValue());
          }
        }
        for (UnitDayLedger u : unconfigured) {
          // The unconfigured slices are observed whenever a sibling instance is, and nobody can
          // hold them.
          u.add(hour, List.of(), State.UNALLOCATED, inHour, 0);
          if (nextHour > 0) {
            u.add(hour + 1, List.of(), State.UNALLOCATED, nextHour, 0);
          }
        }
      }
    } finally {
      main.close();
      rows += main.rows();
      files.add(pathOf(mainFile));
      if (late != null) {
        late.close();
        rows += late.rows();
        files.add(pathOf(lateFile));
      }
    }
    List<UnitDayLedger> ledgers = new ArrayList<>();
    tracks.forEach(t -> ledgers.add(t.ledger));
    ledgers.addAll(unconfigured);
    return new Result(files, rows, ledgers);
  }

  private Path pathOf(Path withoutExtension) {
    return withoutExtension.resolveSibling(
        withoutExtension.getFileName() + "." + plan.spec().format().extension());
  }

  private static State state(boolean unallocated, Reading r) {
    if (unallocated) {
      return State.UNALLOCATED;
    }
    if (r.truthActivity >= ACTIVITY_THRESHOLD) {
      return State.ACTIVE;
    }
    return r.fbUsed / (double) (r.fbUsed + r.fbFree) >= MEMORY_HELD_THRESHOLD
        ? State.IDLE_MEMORY_HELD
        : State.IDLE;
  }

  /** The values one unit reports at one instant, exactly as written, and the activity the cost model reads from them. */
  private record Reading(
      double grEngineActive,
      double gpuUtil,
      long fbUsed,
      long fbFree,
      double power,
      double truthActivity) {}

  private Reading read(UnitTrack track, Pod holder, long t) {
    ActivityProfile profile = holder == null ? IDLE : holder.profile();
    double a = Noise.round(Math.min(1, Math.max(0, profile.activity(seed, track.key, t))), 6);
    long mem = track.unit.memoryMib();
    long used =
        Math.min(
            mem,
            Math.round(
                profile.memoryFraction(seed, track.key, t) * mem
                    + 64 * Noise.uniform(seed, track.key, t / 60_000, 10)));
    double util =
        a < ACTIVITY_THRESHOLD
            ? 0
            : Math.min(
                100,
                Math.max(1, Math.round(a * 100 + 2 + 8 * Noise.uniform(seed, track.key, t, 11))));
    double truth = track.unit.isMig() || node.profilingMetrics() ? a : util / 100;
    return new Reading(
        a, util, used, mem - used, power(track.unit.gpuModel(), a, track.key, t), truth);
  }

  private static final ActivityProfile IDLE = new ActivityProfile.Idle();

  private double power(String model, double a, long key, long t) {
    double idle;
    double max;
    if (model.contains("H100")) {
      idle = 70;
      max = 700;
    } else if (model.contains("A100")) {
      idle = 55;
      max = 400;
    } else if (model.contains("L4")) {
      idle = 16;
      max = 72;
    } else {
      idle = 18;
      max = 300;
    }
    return Noise.round(idle + a * (max - idle) * 0.9 + 3 * Noise.uniform(seed, key, t, 12), 1);
  }

  private void emit(SeriesSink sink, long t, Unit unit, Reading r, Series series)
      throws IOException {
    if (node.profilingMetrics() || unit.isMig()) {
      sink.write(t, GR_ENGINE_ACTIVE, r.grEngineActive, series);
    }
    if (!unit.isMig()) {
      // dcgm-exporter has no GPU_UTIL for MIG instances; the parent's power is a series of its own.
      sink.write(t, GPU_UTIL, r.gpuUtil, series);
    }
    sink.write(t, FB_USED, r.fbUsed, series);
    sink.write(t, FB_FREE, r.fbFree, series);
    if (!unit.isMig()) {
      sink.write(t, POWER_USAGE, r.power, series);
    }
  }

  private Map<String, String> labels(Unit unit, Pod pod) {
    Map<String, String> l = new LinkedHashMap<>();
    l.put("cluster", node.cluster());
    l.put(node.hostnameLabel(), node.name());
    l.put("gpu", String.valueOf(unit.gpu()));
    l.put("UUID", unit.uuid());
    l.put("device", "nvidia" + unit.gpu());
    l.put("modelName", unit.gpuModel());
    if (unit.isMig()) {
      l.put("GPU_I_PROFILE", unit.migProfile());
      l.put("GPU_I_ID", unit.migInstanceId());
    }
    if (pod != null) {
      if (node.legacyPodLabels()) {
        l.put("pod_name", pod.name());
        l.put("pod_namespace", pod.workload().namespace());
        l.put("container_name", pod.container());
      } else {
        l.put("pod", pod.name());
        l.put("namespace", pod.workload().namespace());
        l.put("container", pod.container());
      }
    }
    return l;
  }
}
