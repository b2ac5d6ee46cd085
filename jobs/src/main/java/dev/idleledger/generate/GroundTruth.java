package dev.idleledger.generate;

import dev.idleledger.config.InstanceCatalog;
import dev.idleledger.generate.BillingWriter.InstanceHourBill;
import dev.idleledger.generate.FleetPlan.Node;
import dev.idleledger.generate.FleetPlan.Pod;
import dev.idleledger.generate.UnitDayLedger.Held;
import dev.idleledger.generate.UnitDayLedger.Slice;
import dev.idleledger.generate.UnitDayLedger.State;
import dev.idleledger.model.Periods;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * The expected results, computed from the generator's own record of what every GPU unit did and from its
 * own bill, by the arithmetic of COST_MODEL.md — with no pipeline code, so the pipeline can be checked
 * against it. GPU-hours are GPU-equivalent: a held second counts slice_share / |holders|. The expected
 * recommendations of the last night ({@link ExpectedRecommendations}) are worked out alongside.
 */
final class GroundTruth {
  static final List<String> WORKLOAD_COLUMNS =
      List.of(
          "date",
          "cluster",
          "namespace",
          "workload_kind",
          "workload_name",
          "workload_type",
          "team",
          "pods",
          "gpus",
          "gpu_hours",
          "active_gpu_hours",
          "idle_gpu_hours",
          "idle_memory_held_gpu_hours",
          "cost",
          "active_cost",
          "idle_cost",
          "idle_memory_held_cost",
          "unused_capacity_cost");
  static final List<String> CLUSTER_COLUMNS =
      List.of(
          "date",
          "cluster",
          "gpus",
          "billed_gpu_hours",
          "allocated_gpu_hours",
          "unallocated_gpu_hours",
          "unobserved_gpu_hours",
          "gpu_cost",
          "allocated_cost",
          "idle_cost",
          "unallocated_cost",
          "unobserved_cost",
          "unused_capacity_cost",
          "waste_cost");
  static final List<String> INSTANCE_HOUR_COLUMNS =
      List.of(
          "date",
          "hour",
          "cluster",
          "node",
          "instance_id",
          "instance_type",
          "node_cost",
          "billed_seconds",
          "gpus",
          "gpu_cost",
          "allocated_cost",
          "unallocated_cost",
          "unobserved_cost");

  private static final class WorkloadTotals {
    String type;
    String team;
    final Set<String> pods = new TreeSet<>();
    final Set<String> gpus = new TreeSet<>();
    double gpuHours,
        activeHours,
        idleHours,
        idleMemoryHours,
        cost,
        activeCost,
        idleCost,
        idleMemoryCost,
        unusedCost;
  }

  private static final class ClusterTotals {
    final Set<String> gpus = new TreeSet<>();
    double billedHours, allocatedHours, unallocatedHours, unobservedHours;
    double gpuCost, allocatedCost, idleCost, unallocatedCost, unobservedCost, unusedCost;
  }

  private final Map<List<String>, WorkloadTotals> workloads =
      new TreeMap<>(GroundTruth::compareKeys);
  private final Map<List<String>, ClusterTotals> clusters = new TreeMap<>(GroundTruth::compareKeys);
  private final List<List<String>> instanceHours = new ArrayList<>();
  private final Map<String, InstanceHourBill> bills = new HashMap<>();
  private final FleetPlan plan;
  private final ExpectedRecommendations recommendations;

  GroundTruth(FleetPlan plan, List<InstanceHourBill> bills, InstanceCatalog catalog) {
    this.plan = plan;
    bills.forEach(b -> this.bills.put(b.instanceId() + "@" + b.hourStartMs(), b));
    this.recommendations =
        new ExpectedRecommendations(plan, bills, catalog, RecommendationRules.DOCUMENT);
  }

  /** The expected recommendations of the last night, fed by the telemetry writers and by {@link #addNodeDay}. */
  ExpectedRecommendations recommendations() {
    return recommendations;
  }

  private static int compareKeys(List<String> a, List<String> b) {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      int c = a.get(i).compareTo(b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.size(), b.size());
  }

  /** Adds one node-day: every billed hour of the node, split over its GPU units by what they did. */
  void addNodeDay(Node node, LocalDate day, List<UnitDayLedger> ledgers, List<Pod> podsOfDay) {
    Map<String, Pod> pods = new HashMap<>();
    podsOfDay.forEach(p -> pods.put(p.workload().namespace() + "/" + p.name(), p));
    String date = day.toString();
    ClusterTotals cluster =
        clusters.computeIfAbsent(List.of(date, node.cluster()), k -> new ClusterTotals());
    long d0 = plan.dayStartMs(day);
    for (int h = 0; h < plan.spec().hoursPerDay(); h++) {
      long hourStart = d0 + h * ActivityProfile.HOUR_MS;
      InstanceHourBill bill = bills.get(node.instanceId() + "@" + hourStart);
      double nodeCost = bill == null ? 0 : bill.nodeCost();
      double billed = bill == null ? 0 : Math.min(Periods.SECONDS_PER_HOUR, bill.billedSeconds());
      double gpuCost = nodeCost / node.type().gpus();
      double allocated = 0;
      double unallocated = 0;
      double unobserved = 0;
      double unallocatedGpuSeconds = 0;
      double billedGpuSeconds = 0;
      for (UnitDayLedger ledger : ledgers) {
        double share = ledger.unit.sliceShare();
        double observed = ledger.observedMs[h] / 1000.0;
        double denominator = Math.max(billed, observed);
        double rate = denominator > 0 ? gpuCost * share / denominator : 0;
        double unobservedCost = rate * Math.max(0, billed - observed);
        unobserved += unobservedCost;
        cluster.unobservedCost += unobservedCost;
        cluster.unobservedHours +=
            Math.max(0, billed - observed) * share / Periods.SECONDS_PER_HOUR;
        cluster.billedHours += billed * share / Periods.SECONDS_PER_HOUR;
        // GPU-equivalent seconds as gpu_hourly counts them: observed plus unobserved time, at the
        // unit's slice share.
        billedGpuSeconds += Math.max(billed, observed) * share;
        cluster.gpus.add(ledger.unit.uuid());
        for (var e : ledger.slices.entrySet()) {
          Slice slice = e.getValue();
          if (slice.hour() != h) {
            continue;
          }
          Held held = ledger.held.get(e.getKey());
          double seconds = held.ms / 1000.0;
          if (slice.state() == State.UNALLOCATED) {
            unallocated += rate * seconds;
            cluster.unallocatedCost += rate * seconds;
            cluster.unallocatedHours += seconds * share / Periods.SECONDS_PER_HOUR;
            unallocatedGpuSeconds += seconds * share;
            continue;
          }
          int holders = slice.holders().size();
          double each = rate / holders;
          cluster.allocatedHours += seconds * share / Periods.SECONDS_PER_HOUR;
          for (String holder : slice.holders()) {
            Pod pod = pods.get(holder);
            WorkloadTotals w =
                workloads.computeIfAbsent(
                    List.of(
                        date,
                        node.cluster(),
                        pod.workload().namespace(),
                        pod.workload().kind(),
                        pod.workload().name()),
                    k -> new WorkloadTotals());
            w.type = pod.workload().type();
            w.team = pod.labels().getOrDefault("team", "unassigned");
            w.pods.add(holder);
            w.gpus.add(ledger.unit.key());
            double hours = seconds * share / holders / Periods.SECONDS_PER_HOUR;
            double cost = each * seconds;
            double unused = each * held.unusedSeconds;
            w.gpuHours += hours;
            w.cost += cost;
            w.unusedCost += unused;
            allocated += cost;
            cluster.allocatedCost += cost;
            cluster.unusedCost += unused;
            switch (slice.state()) {
              case ACTIVE -> {
                w.activeHours += hours;
                w.activeCost += cost;
              }
              case IDLE, IDLE_MEMORY_HELD -> {
                w.idleHours += hours;
                w.idleCost += cost;
                cluster.idleCost += cost;
                if (slice.state() == State.IDLE_MEMORY_HELD) {
                  w.idleMemoryHours += hours;
                  w.idleMemoryCost += cost;
                }
              }
              default -> throw new IllegalStateException();
            }
          }
        }
      }
      cluster.gpuCost += nodeCost;
      recommendations.nodeHour(
          node,
          day,
          unallocated,
          ExpectedRecommendations.listFactor(bill),
          unallocatedGpuSeconds,
          billedGpuSeconds);
      instanceHours.add(
          List.of(
              date,
              BillingWriter.ISO_SECONDS.format(Instant.ofEpochMilli(hourStart)),
              node.cluster(),
              node.name(),
              node.instanceId(),
              node.type().instanceType(),
              num(nodeCost),
              num(billed),
              String.valueOf(node.type().gpus()),
              num(gpuCost),
              num(allocated),
              num(unallocated),
              num(unobserved)));
    }
  }

  List<Path> write(Path truthRoot) throws IOException {
    Files.createDirectories(truthRoot);
    Path workloadFile = truthRoot.resolve("workload_daily.csv");
    try (CSVPrinter p = printer(workloadFile, WORKLOAD_COLUMNS)) {
      for (var e : workloads.entrySet()) {
        WorkloadTotals w = e.getValue();
        List<String> row = new ArrayList<>(e.getKey());
        row.addAll(
            List.of(
                w.type,
                w.team,
                String.valueOf(w.pods.size()),
                String.valueOf(w.gpus.size()),
                num(w.gpuHours),
                num(w.activeHours),
                num(w.idleHours),
                num(w.idleMemoryHours),
                num(w.cost),
                num(w.activeCost),
                num(w.idleCost),
                num(w.idleMemoryCost),
                num(w.unusedCost)));
        p.printRecord(row);
      }
    }
    Path clusterFile = truthRoot.resolve("cluster_daily.csv");
    try (CSVPrinter p = printer(clusterFile, CLUSTER_COLUMNS)) {
      for (var e : clusters.entrySet()) {
        ClusterTotals c = e.getValue();
        List<String> row = new ArrayList<>(e.getKey());
        row.addAll(
            List.of(
                String.valueOf(c.gpus.size()),
                num(c.billedHours),
                num(c.allocatedHours),
                num(c.unallocatedHours),
                num(c.unobservedHours),
                num(c.gpuCost),
                num(c.allocatedCost),
                num(c.idleCost),
                num(c.unallocatedCost),
                num(c.unobservedCost),
                num(c.unusedCost),
                num(c.idleCost + c.unallocatedCost)));
        p.printRecord(row);
      }
    }
    Path hourFile = truthRoot.resolve("instance_hourly.csv");
    try (CSVPrinter p = printer(hourFile, INSTANCE_HOUR_COLUMNS)) {
      for (List<String> row : instanceHours) {
        p.printRecord(row);
      }
    }
    return List.of(workloadFile, clusterFile, hourFile, recommendations.write(truthRoot));
  }

  private static String num(double v) {
    return Double.toString(v);
  }

  private static CSVPrinter printer(Path file, List<String> columns) throws IOException {
    Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    return new CSVPrinter(
        w,
        CSVFormat.RFC4180
            .builder()
            .setRecordSeparator('\n')
            .setHeader(columns.toArray(String[]::new))
            .get());
  }
}
