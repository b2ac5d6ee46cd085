package dev.idleledger.generate;

import dev.idleledger.config.InstanceCatalog;
import dev.idleledger.config.InstanceCatalog.InstanceType;
import dev.idleledger.config.InstanceCatalog.MigProfile;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The synthetic fleet: nodes from the instance catalog repeating a six-node pool pattern, their GPU units,
 * and what the pods on them do each day. Everything else (telemetry, kube state, bills, truth) is derived
 * from this plan, so it is the one place that says what "really happened".
 *
 * <p>Pool pattern (index within a repetition): 0 p4d.24xlarge on a Savings Plan, GPU 7 MIG-partitioned with
 * two slices unconfigured; 1 p5.48xlarge on a reservation; 2 g5.12xlarge on demand, GPU 0 time-sliced by two
 * pods; 3 g6.xlarge spot; 4 g6.xlarge on demand; 5 g5.xlarge on demand behind an older exporter.
 *
 * <p>Planted savings (RECOMMENDATIONS.md; the generator's expected list is {@code truth/recommendations.csv}):
 * CULL_IDLE_NOTEBOOK nb-bob (a whole H100 held all day, idle outside working hours) and jupyter-alice;
 * RELEASE_IDLE_TRAINING_GPUS nightly-eval (holds two A100s idle after its burst); RIGHTSIZE_INFERENCE_REPLICAS chat-api
 * and reranker (two replicas whose demand never needs a second); RIGHTSIZE_GPU nb-bob (3g.40gb fits); CONSOLIDATE_UNALLOCATED
 * the g6.xlarge in slot 4 (held only in working hours); COMMITMENT_COVERAGE the always-on on-demand g5.xlarge, g5.12xlarge
 * and g6.xlarge.
 */
public final class FleetPlan {
  public static final int PATTERN_SIZE = 6;
  static final String[] PATTERN_TYPES = {
    "p4d.24xlarge", "p5.48xlarge", "g5.12xlarge", "g6.xlarge", "g6.xlarge", "g5.xlarge"
  };
  static final int[] PATTERN_GPUS = {8, 8, 4, 1, 1, 1};
  static final long HOUR = ActivityProfile.HOUR_MS;
  static final long MINUTE = 60_000L;
  static final String ACCOUNT = "123456789012";
  static final String REGION = "us-east-1";

  public enum Billing {
    ON_DEMAND,
    SPOT,
    RESERVED,
    SAVINGS_PLAN
  }

  /** One GPU unit: a whole GPU, a MIG instance, or the unconfigured slices of a MIG GPU ({@code reports} false). */
  public record Unit(
      String key,
      String node,
      int gpu,
      String uuid,
      String gpuModel,
      String migProfile,
      String migInstanceId,
      double sliceShare,
      long memoryMib,
      boolean reports) {
    public boolean isMig() {
      return migProfile != null;
    }
  }

  /** A window of a day (offsets from midnight) in which the node's exporter wrote nothing. */
  public record Outage(long fromOffsetMs, long toOffsetMs) {}

  /** The archive mess planted on a node, as offsets from each day's midnight. */
  public record Mess(
      List<Outage> outages,
      long restartAtOffsetMs,
      long restartPhaseMs,
      long duplicateFromOffsetMs,
      long duplicateToOffsetMs,
      long stragglerTailMs) {
    static Mess none() {
      return new Mess(List.of(), -1, 0, -1, -1, 0);
    }
  }

  public record Node(
      int index,
      String cluster,
      String name,
      String instanceId,
      String availabilityZone,
      InstanceType type,
      Billing billing,
      boolean arnInFocus,
      String hostnameLabel,
      boolean legacyPodLabels,
      boolean profilingMetrics,
      List<Unit> units,
      Mess mess) {}

  /** A workload at its top controller, as COST_MODEL.md §3 names it. */
  public record Workload(String namespace, String kind, String name, String type, String team) {}

  /**
   * A pod: its immediate owner ({@code ownerKind} "&lt;none&gt;" for a bare pod), the owner's own owner as
   * kube_replicaset_owner / kube_job_owner report it, and the units it holds in [startMs, endMs).
   */
  public record Pod(
      Workload workload,
      String name,
      String uid,
      String container,
      String ownerKind,
      String ownerName,
      String node,
      List<String> unitKeys,
      long startMs,
      long endMs,
      ActivityProfile profile,
      Map<String, String> labels,
      String resource,
      int requested) {
    boolean aliveAt(long tMs) {
      return tMs >= startMs && tMs < endMs;
    }
  }

  private final FleetSpec spec;
  private final InstanceCatalog catalog;
  private final List<Node> nodes = new ArrayList<>();

  public FleetPlan(FleetSpec spec, InstanceCatalog catalog) {
    this.spec = spec;
    this.catalog = catalog;
    for (int i = 0; i < spec.nodes(); i++) {
      nodes.add(node(i));
    }
  }

  public static int nodesForGpus(int gpus) {
    int n = 0;
    int total = 0;
    while (total < Math.max(1, gpus)) {
      total += PATTERN_GPUS[n % PATTERN_SIZE];
      n++;
    }
    return n;
  }

  /** GPUs of the first {@code nodes} nodes of the repeated pool pattern. */
  public static int gpusOf(int nodes) {
    int total = 0;
    for (int n = 0; n < nodes; n++) {
      total += PATTERN_GPUS[n % PATTERN_SIZE];
    }
    return total;
  }

  public FleetSpec spec() {
    return spec;
  }

  public List<Node> nodes() {
    return nodes;
  }

  public List<String> clusters() {
    return nodes.stream().map(Node::cluster).distinct().sorted().toList();
  }

  public long dayStartMs(LocalDate day) {
    return day.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
  }

  /** End of the part of the day the fleet exists (nodes run, report and are billed). */
  public long dayEndMs(LocalDate day) {
    return dayStartMs(day) + spec.hoursPerDay() * HOUR;
  }

  private Node node(int index) {
    int rep = index / PATTERN_SIZE;
    int slot = index % PATTERN_SIZE;
    InstanceType type =
        catalog
            .instanceType(PATTERN_TYPES[slot])
            .orElseThrow(
                () -> new IllegalStateException("instance catalog has no " + PATTERN_TYPES[slot]));
    String cluster = rep % 2 == 0 ? "ml-east" : "ml-west";
    String name = String.format("ip-10-%d-%d-%d.ec2.internal", rep % 2, 10 + rep / 2, 20 + slot);
    String instanceId = "i-0" + Noise.hex(spec.seed(), "instance/" + index, 16);
    String az = REGION + (char) ('a' + slot % 3);
    Billing billing =
        switch (slot) {
          case 0 -> Billing.SAVINGS_PLAN;
          case 1 -> Billing.RESERVED;
          case 3 -> Billing.SPOT;
          default -> Billing.ON_DEMAND;
        };
    List<Unit> units = new ArrayList<>();
    for (int g = 0; g < type.gpus(); g++) {
      String uuid = "GPU-" + uuidBody("gpu/" + index + "/" + g);
      if (slot == 0 && g == 7) {
        units.addAll(migUnits(name, g, uuid, type));
      } else {
        units.add(
            new Unit(
                name + "/" + g,
                name,
                g,
                uuid,
                type.gpuModel(),
                null,
                null,
                1.0,
                type.gpuMemoryMib(),
                true));
      }
    }
    Mess mess =
        switch (slot) {
          case 0 ->
              new Mess(
                  List.of(new Outage(80 * MINUTE, 80 * MINUTE + 15_000)),
                  -1,
                  0,
                  HOUR,
                  HOUR + MINUTE,
                  0);
          case 1 ->
              new Mess(
                  List.of(new Outage(2 * HOUR + 5_000, 2 * HOUR + 50_000)),
                  2 * HOUR + 50_000,
                  250,
                  -1,
                  -1,
                  0);
          case 2 ->
              new Mess(List.of(new Outage(40 * MINUTE, 40 * MINUTE + 30_000)), -1, 0, -1, -1, 0);
          case 3 -> new Mess(List.of(), -1, 0, -1, -1, 30_000);
          case 4 -> new Mess(List.of(new Outage(2 * HOUR, 3 * HOUR)), -1, 0, -1, -1, 0);
          default -> Mess.none();
        };
    return new Node(
        index,
        cluster,
        name,
        instanceId,
        az,
        type,
        billing,
        slot == 4,
        slot % 2 == 0 ? "Hostname" : "hostname",
        slot == 5,
        slot != 5,
        List.copyOf(units),
        mess);
  }

  /** GPU 7 of the p4d: 3g.20gb + 2 × 1g.5gb configured, 2 of 7 slices left unconfigured. */
  private List<Unit> migUnits(String node, int g, String uuid, InstanceType type) {
    int slices = type.migSlices();
    List<Unit> units = new ArrayList<>();
    String[] profiles = {"3g.20gb", "1g.5gb", "1g.5gb"};
    int used = 0;
    for (int i = 0; i < profiles.length; i++) {
      MigProfile p = migProfile(type.gpuModel(), profiles[i]);
      String id = String.valueOf(i + 1);
      units.add(
          new Unit(
              node + "/" + g + "/mig" + id,
              node,
              g,
              uuid,
              type.gpuModel(),
              p.profile(),
              id,
              p.computeSlices() / (double) slices,
              p.memoryMib(),
              true));
      used += p.computeSlices();
    }
    units.add(
        new Unit(
            node + "/" + g + "/unconfigured",
            node,
            g,
            uuid,
            type.gpuModel(),
            "unconfigured",
            null,
            (slices - used) / (double) slices,
            0,
            false));
    return units;
  }

  private MigProfile migProfile(String model, String profile) {
    return catalog.migProfiles(model).stream()
        .filter(p -> p.profile().equals(profile))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "MIG profile catalog has no " + profile + " for " + model));
  }

  private String uuidBody(String what) {
    String h = Noise.hex(spec.seed(), what, 32);
    return h.substring(0, 8)
        + "-"
        + h.substring(8, 12)
        + "-"
        + h.substring(12, 16)
        + "-"
        + h.substring(16, 20)
        + "-"
        + h.substring(20, 32);
  }

  /** Minutes of seed- and day-dependent jitter, so runs and days differ without changing their shape. */
  private long jitter(LocalDate day, String what, int maxMinutes) {
    return (long)
            (Noise.uniform(spec.seed(), Noise.stringKey(what), day.toEpochDay(), 9) * maxMinutes)
        * MINUTE;
  }

  /** The pods of one day, in a stable order. */
  public List<Pod> pods(LocalDate day) {
    List<Pod> pods = new ArrayList<>();
    for (Node node : nodes) {
      podsOn(node, day, pods);
    }
    return pods;
  }

  private void podsOn(Node node, LocalDate day, List<Pod> out) {
    int rep = node.index() / PATTERN_SIZE;
    String s = rep == 0 ? "" : "-r" + rep;
    long d0 = dayStartMs(day);
    long allDay = d0 + ActivityProfile.DAY_MS;
    String mmdd = day.format(DateTimeFormatter.ofPattern("MMdd"));
    String n = node.name();
    List<Unit> u = node.units();
    switch (node.index() % PATTERN_SIZE) {
      case 0 -> {
        Workload pretrain =
            new Workload(
                "ml-train",
                "PyTorchJob",
                "llm-pretrain" + s + "-" + mmdd,
                "training",
                "ml-platform");
        long activeTo = d0 + 5 * HOUR + jitter(day, n + "pretrain", 60);
        out.add(
            pod(
                pretrain,
                pretrain.name() + "-worker-0",
                "pytorch",
                "PyTorchJob",
                pretrain.name(),
                n,
                keys(u, 0, 4),
                d0,
                d0 + 9 * HOUR,
                new ActivityProfile.Training(d0 + 10 * MINUTE, activeTo, 0.85),
                labels("ml-platform", "llm-pretrain", null),
                "nvidia_com_gpu",
                4));
        String cron = "nightly-eval" + s;
        long scheduled = d0 + HOUR;
        String job = cron + "-" + (scheduled / MINUTE);
        Workload eval = new Workload("ml-train", "CronJob", cron, "training", null);
        out.add(
            pod(
                eval,
                job + "-" + Noise.hex(spec.seed(), job, 5),
                "eval",
                "Job",
                job,
                n,
                keys(u, 4, 6),
                scheduled,
                d0 + 4 * HOUR,
                new ActivityProfile.Training(
                    scheduled + 5 * MINUTE, d0 + 150 * MINUTE + jitter(day, n + "eval", 20), 0.55),
                labels(null, "nightly-eval", null),
                "nvidia_com_gpu",
                2));
        // GPU 6: nobody holds it all day.
        Workload alice =
            new Workload("research", "Notebook", "jupyter-alice" + s, "notebook", "research");
        Map<String, String> aliceLabels = labels("research", null, null);
        aliceLabels.put("description", "quick \"scratch\" kernel, C:\\tmp");
        out.add(
            pod(
                alice,
                alice.name() + "-0",
                "notebook",
                "Notebook",
                alice.name(),
                n,
                List.of(u.get(7).key()),
                d0,
                allDay,
                new ActivityProfile.Notebook(0.12, 9, 18, 0.6),
                aliceLabels,
                "nvidia_com_mig_3g_20gb",
                1));
        Workload embedder =
            new Workload("search", "Deployment", "embedder" + s, "inference", "search");
        String rs = embedder.name() + "-6b7c9d";
        out.add(
            pod(
                embedder,
                rs + "-" + Noise.hex(spec.seed(), rs, 5),
                "server",
                "ReplicaSet",
                rs,
                n,
                List.of(u.get(8).key()),
                d0,
                allDay,
                new ActivityProfile.Inference(0.5, 0.7),
                labels("search", "embedder", null),
                "nvidia_com_mig_1g_5gb",
                1));
      }
      case 1 -> {
        Workload serve =
            new Workload("serving", "Deployment", "llm-serve" + s, "inference", "inference");
        String rs = serve.name() + "-7d4b9c";
        for (int i = 0; i < 4; i++) {
          out.add(
              pod(
                  serve,
                  rs + "-" + Noise.hex(spec.seed(), rs + i, 5),
                  "server",
                  "ReplicaSet",
                  rs,
                  n,
                  keys(u, i, i + 1),
                  d0,
                  allDay,
                  new ActivityProfile.Inference(0.55, 0.78),
                  labels("inference", "llm-serve", null),
                  "nvidia_com_gpu",
                  1));
        }
        Workload vision =
            new Workload(
                "vision", "PyTorchJob", "vision-ft" + s + "-" + mmdd, "training", "vision");
        long activeTo = d0 + 14 * HOUR + jitter(day, n + "vision", 45);
        for (int w = 0; w < 2; w++) {
          out.add(
              pod(
                  vision,
                  vision.name() + "-worker-" + w,
                  "pytorch",
                  "PyTorchJob",
                  vision.name(),
                  n,
                  keys(u, 4 + w, 5 + w),
                  d0 + 8 * HOUR,
                  d0 + 19 * HOUR,
                  new ActivityProfile.Training(d0 + 8 * HOUR + 5 * MINUTE, activeTo, 0.7),
                  labels("vision", "vision-ft", null),
                  "nvidia_com_gpu",
                  1));
        }
        Workload bob = new Workload("research", "StatefulSet", "nb-bob" + s, "notebook", null);
        // The planted fix: once culled, the notebook holds its GPU only while bob works.
        boolean culled = spec.fixedOn(day);
        // Cells run in 8% of bob's working minutes, 3% of a whole day: well under the 5% that would
        // lift the day's p95 activity off idle, so his whole H100 with 24 GB loaded is a clear
        // RIGHTSIZE_GPU case (3g.40gb) besides the cull.
        out.add(
            pod(
                bob,
                bob.name() + "-0",
                "notebook",
                "StatefulSet",
                bob.name(),
                n,
                keys(u, 6, 7),
                culled ? d0 + 9 * HOUR : d0,
                culled ? d0 + 18 * HOUR : allDay,
                new ActivityProfile.Notebook(0.08, 9, 18, 0.3),
                labels(null, null, "bob"),
                "nvidia_com_gpu",
                1));
        // GPU 7: nobody.
      }
      case 2 -> {
        Workload chat =
            new Workload("serving", "Deployment", "chat-api" + s, "inference", "inference");
        String rs = chat.name() + "-5f6d8b";
        ActivityProfile shared = new ActivityProfile.Inference(0.35, 0.45);
        for (int i = 0; i < 2; i++) {
          // Time-slicing: both replicas are scheduled onto GPU 0.
          out.add(
              pod(
                  chat,
                  rs + "-" + Noise.hex(spec.seed(), rs + i, 5),
                  "server",
                  "ReplicaSet",
                  rs,
                  n,
                  keys(u, 0, 1),
                  d0,
                  allDay,
                  shared,
                  labels("inference", "chat-api", null),
                  "nvidia_com_gpu",
                  1));
        }
        Workload rerank =
            new Workload("search", "Deployment", "reranker" + s, "inference", "search");
        String rrs = rerank.name() + "-84f5cd";
        for (int i = 0; i < 2; i++) {
          out.add(
              pod(
                  rerank,
                  rrs + "-" + Noise.hex(spec.seed(), rrs + i, 5),
                  "server",
                  "ReplicaSet",
                  rrs,
                  n,
                  keys(u, 1 + i, 2 + i),
                  d0,
                  allDay,
                  new ActivityProfile.Inference(0.25, 0.5),
                  labels("search", "reranker", null),
                  "nvidia_com_gpu",
                  1));
        }
        String debug = "debug-shell" + s + "-" + Noise.hex(spec.seed(), "debug" + mmdd, 5);
        Workload dbg = new Workload("default", "Pod", debug, "other", null);
        out.add(
            pod(
                dbg,
                debug,
                "shell",
                "<none>",
                "<none>",
                n,
                keys(u, 3, 4),
                d0 + 10 * HOUR,
                d0 + 12 * HOUR,
                new ActivityProfile.Idle(),
                labels(null, null, null),
                "nvidia_com_gpu",
                1));
      }
      case 3 -> {
        Workload embed =
            new Workload("search", "Job", "batch-embed" + s + "-" + mmdd, "training", "search");
        out.add(
            pod(
                embed,
                embed.name() + "-" + Noise.hex(spec.seed(), embed.name(), 5),
                "embed",
                "Job",
                embed.name(),
                n,
                keys(u, 0, 1),
                d0,
                d0 + 4 * HOUR,
                new ActivityProfile.Training(d0 + 2 * MINUTE, d0 + 210 * MINUTE, 0.6),
                labels("search", "batch-embed", null),
                "nvidia_com_gpu",
                1));
      }
      case 4 -> {
        Workload carol =
            new Workload("research", "Notebook", "jupyter-carol" + s, "notebook", "research");
        out.add(
            pod(
                carol,
                carol.name() + "-0",
                "notebook",
                "Notebook",
                carol.name(),
                n,
                keys(u, 0, 1),
                d0 + 8 * HOUR,
                d0 + 18 * HOUR,
                new ActivityProfile.Notebook(0.15, 9, 18, 0.5),
                labels("research", null, null),
                "nvidia_com_gpu",
                1));
      }
      default -> {
        Workload ocr = new Workload("docs", "Deployment", "ocr" + s, "inference", "docs");
        String rs = ocr.name() + "-5d8f7c";
        out.add(
            pod(
                ocr,
                rs + "-" + Noise.hex(spec.seed(), rs, 5),
                "server",
                "ReplicaSet",
                rs,
                n,
                keys(u, 0, 1),
                d0,
                allDay,
                new ActivityProfile.Inference(0.3, 0.4),
                labels("docs", "ocr", null),
                "nvidia_com_gpu",
                1));
      }
    }
  }

  private Pod pod(
      Workload w,
      String name,
      String container,
      String ownerKind,
      String ownerName,
      String node,
      List<String> units,
      long start,
      long end,
      ActivityProfile profile,
      Map<String, String> labels,
      String resource,
      int requested) {
    return new Pod(
        w,
        name,
        uuidBody("pod/" + w.namespace() + "/" + name),
        container,
        ownerKind,
        ownerName,
        node,
        units,
        start,
        end,
        profile,
        labels,
        resource,
        requested);
  }

  private static List<String> keys(List<Unit> units, int from, int to) {
    return units.subList(from, to).stream().map(Unit::key).toList();
  }

  /**
   * The finance view of the teams, as companies label pods for chargeback: two teams may share a cost centre
   * (research and vision; search and inference), so grouping by labels['cost-center'] differs from grouping by team.
   */
  private static final Map<String, String> COST_CENTERS =
      Map.of(
          "ml-platform",
          "cc-1100",
          "research",
          "cc-2100",
          "vision",
          "cc-2100",
          "search",
          "cc-3100",
          "inference",
          "cc-3100",
          "docs",
          "cc-4100");

  private static Map<String, String> labels(String team, String app, String notebook) {
    Map<String, String> m = new LinkedHashMap<>();
    if (team != null) {
      m.put("team", team);
      // Pods without a team label have no cost-center either: the demo shows unlabelled spend too.
      m.put("cost-center", COST_CENTERS.getOrDefault(team, "cc-9000"));
    }
    if (app != null) {
      m.put("app", app);
    }
    if (notebook != null) {
      m.put("notebook_name", notebook);
    }
    return m;
  }
}
