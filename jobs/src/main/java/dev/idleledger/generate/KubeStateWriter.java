package dev.idleledger.generate;

import dev.idleledger.generate.FleetPlan.Node;
import dev.idleledger.generate.FleetPlan.Pod;
import dev.idleledger.generate.FleetPlan.Unit;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** kube-state-metrics series of one cluster for one day, scraped every 30 s, with the label names of CONTRACTS.md §1.1. */
final class KubeStateWriter {
  static final long SCRAPE_MS = 30_000;

  private record Sample(String metric, Series series, double value) {}

  private final FleetPlan plan;
  private final String cluster;
  private final LocalDate day;
  private final List<Node> nodes;
  private final List<Pod> pods;

  KubeStateWriter(FleetPlan plan, String cluster, LocalDate day, List<Pod> podsOfDay) {
    this.plan = plan;
    this.cluster = cluster;
    this.day = day;
    this.nodes = plan.nodes().stream().filter(n -> n.cluster().equals(cluster)).toList();
    List<String> names = nodes.stream().map(Node::name).toList();
    this.pods = podsOfDay.stream().filter(p -> names.contains(p.node())).toList();
  }

  TelemetryDayWriter.Result write(Path kubeRoot) throws IOException {
    List<Sample> nodeSamples = new ArrayList<>();
    for (Node n : nodes) {
      nodeSamples.addAll(nodeSeries(n));
    }
    Map<Pod, List<Sample>> podSamples = new LinkedHashMap<>();
    // One kube_replicaset_owner / kube_job_owner series per controller, however many of its pods
    // run.
    Map<String, Sample> ownerSamples = new LinkedHashMap<>();
    Map<String, List<Pod>> ownerPods = new LinkedHashMap<>();
    for (Pod p : pods) {
      podSamples.put(p, podSeries(p));
      Sample owner = ownerSeries(p);
      if (owner != null) {
        String key = owner.metric() + owner.series().promLabels();
        ownerSamples.putIfAbsent(key, owner);
        ownerPods.computeIfAbsent(key, k -> new ArrayList<>()).add(p);
      }
    }
    List<Series> all = new ArrayList<>();
    nodeSamples.forEach(s -> all.add(s.series()));
    podSamples.values().forEach(l -> l.forEach(s -> all.add(s.series())));
    ownerSamples.values().forEach(s -> all.add(s.series()));
    Path file = kubeRoot.resolve("dt=" + day).resolve("ksm-" + cluster);
    SeriesSink sink = SeriesSink.open(plan.spec().format(), file, all);
    try {
      for (long t = plan.dayStartMs(day); t < plan.dayEndMs(day); t += SCRAPE_MS) {
        for (Sample s : nodeSamples) {
          sink.write(t, s.metric(), s.value(), s.series());
        }
        for (var e : podSamples.entrySet()) {
          if (e.getKey().aliveAt(t)) {
            for (Sample s : e.getValue()) {
              sink.write(t, s.metric(), s.value(), s.series());
            }
          }
        }
        for (var e : ownerSamples.entrySet()) {
          final long now = t;
          if (ownerPods.get(e.getKey()).stream().anyMatch(p -> p.aliveAt(now))) {
            Sample s = e.getValue();
            sink.write(t, s.metric(), s.value(), s.series());
          }
        }
      }
    } finally {
      sink.close();
    }
    Path written = file.resolveSibling(file.getFileName() + "." + plan.spec().format().extension());
    return new TelemetryDayWriter.Result(List.of(written), sink.rows(), List.of());
  }

  private List<Sample> nodeSeries(Node n) {
    List<Sample> out = new ArrayList<>();
    out.add(
        new Sample(
            "kube_node_info",
            series(
                "node",
                n.name(),
                "provider_id",
                "aws:///" + n.availabilityZone() + "/" + n.instanceId()),
            1));
    out.add(
        new Sample(
            "kube_node_labels",
            series(
                "node",
                n.name(),
                "label_node_kubernetes_io_instance_type",
                n.type().instanceType(),
                "label_karpenter_sh_capacity_type",
                n.billing() == FleetPlan.Billing.SPOT ? "spot" : "on-demand",
                "label_nvidia_com_gpu_product",
                n.type().gpuModel().replace(' ', '-')),
            1));
    // Mixed MIG strategy: a partitioned GPU is advertised as its MIG resources, not as
    // nvidia.com/gpu.
    long whole = n.units().stream().filter(u -> !u.isMig()).count();
    out.add(
        new Sample(
            "kube_node_status_capacity",
            series("node", n.name(), "resource", "nvidia_com_gpu", "unit", "integer"),
            whole));
    Map<String, Integer> mig = new TreeMap<>();
    for (Unit u : n.units()) {
      if (u.isMig() && u.reports()) {
        mig.merge(migResource(u.migProfile()), 1, Integer::sum);
      }
    }
    mig.forEach(
        (resource, count) ->
            out.add(
                new Sample(
                    "kube_node_status_capacity",
                    series("node", n.name(), "resource", resource, "unit", "integer"),
                    count)));
    return out;
  }

  static String migResource(String profile) {
    return "nvidia_com_mig_" + profile.replace('.', '_');
  }

  private List<Sample> podSeries(Pod p) {
    String ns = p.workload().namespace();
    List<Sample> out = new ArrayList<>();
    out.add(
        new Sample(
            "kube_pod_owner",
            series(
                "namespace",
                ns,
                "pod",
                p.name(),
                "uid",
                p.uid(),
                "owner_kind",
                p.ownerKind(),
                "owner_name",
                p.ownerName(),
                "owner_is_controller",
                p.ownerKind().equals("<none>") ? "<none>" : "true"),
            1));
    List<String> labels =
        new ArrayList<>(List.of("namespace", ns, "pod", p.name(), "uid", p.uid()));
    p.labels()
        .forEach(
            (k, v) -> {
              labels.add("label_" + k.replaceAll("[^A-Za-z0-9_]", "_"));
              labels.add(v);
            });
    out.add(new Sample("kube_pod_labels", series(labels.toArray(String[]::new)), 1));
    out.add(
        new Sample(
            "kube_pod_info",
            series("namespace", ns, "pod", p.name(), "uid", p.uid(), "node", p.node()),
            1));
    out.add(
        new Sample(
            "kube_pod_container_resource_requests",
            series(
                "namespace",
                ns,
                "pod",
                p.name(),
                "uid",
                p.uid(),
                "container",
                p.container(),
                "node",
                p.node(),
                "resource",
                p.resource(),
                "unit",
                "integer"),
            p.requested()));
    return out;
  }

  private Sample ownerSeries(Pod p) {
    String ns = p.workload().namespace();
    if (p.ownerKind().equals("ReplicaSet")) {
      return new Sample(
          "kube_replicaset_owner",
          series(
              "namespace",
              ns,
              "replicaset",
              p.ownerName(),
              "owner_kind",
              "Deployment",
              "owner_name",
              p.workload().name(),
              "owner_is_controller",
              "true"),
          1);
    } else if (p.ownerKind().equals("Job")) {
      boolean cron = p.workload().kind().equals("CronJob");
      return new Sample(
          "kube_job_owner",
          series(
              "namespace",
              ns,
              "job_name",
              p.ownerName(),
              "owner_kind",
              cron ? "CronJob" : "<none>",
              "owner_name",
              cron ? p.workload().name() : "<none>",
              "owner_is_controller",
              cron ? "true" : "<none>"),
          1);
    }
    return null;
  }

  private Series series(String... kv) {
    Map<String, String> l = new LinkedHashMap<>();
    l.put("cluster", cluster);
    for (int i = 0; i < kv.length; i += 2) {
      l.put(kv[i], kv[i + 1]);
    }
    return new Series(l);
  }
}
