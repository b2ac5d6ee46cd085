package dev.idleledger.generate;

import dev.idleledger.config.InstanceCatalog;
import dev.idleledger.config.InstanceCatalog.MigProfile;
import dev.idleledger.generate.BillingWriter.InstanceHourBill;
import dev.idleledger.generate.FleetPlan.Node;
import dev.idleledger.generate.FleetPlan.Pod;
import dev.idleledger.generate.FleetPlan.Unit;
import dev.idleledger.model.Periods;
import dev.idleledger.tables.RecommendationKind;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * The recommendations the pipeline should make on the last generated night (its window: the {@code window_days} days
 * ending there), worked out from what the generator planned — every held second's pods, activity, framebuffer and
 * price, every bill line — by the definitions of RECOMMENDATIONS.md, with no pipeline code. Written to
 * {@code truth/recommendations.csv}.
 *
 * <p>Money per held second is the cost model's: r = gpu_cost × slice_share / max(billed, observed seconds of the
 * unit-hour), split evenly among the unit's holders; "at list" scales it by the hour's list / amortized cost.
 */
final class ExpectedRecommendations {
  static final List<String> COLUMNS =
      List.of(
          "window_end",
          "window_start",
          "days_with_data",
          "kind",
          "subject",
          "recommendation_id",
          "cluster",
          "namespace",
          "workload_kind",
          "workload_name",
          "workload_type",
          "node",
          "instance_type",
          "monthly_savings",
          "monthly_savings_at_list",
          "replicas",
          "recommended_replicas",
          "mig_profile",
          "on_demand_floor");

  /** One expected recommendation; fields that do not apply to its kind are null. */
  record Expected(
      String kind,
      String subject,
      String cluster,
      String namespace,
      String workloadKind,
      String workloadName,
      String workloadType,
      String node,
      String instanceType,
      double monthlySavings,
      double monthlySavingsAtList,
      Integer replicas,
      Long recommendedReplicas,
      String migProfile,
      Long onDemandFloor) {}

  /** A node's unallocated share of its billed GPU time and what that cost, over the window. */
  private static final class NodeTotals {
    double unallocatedCost;
    double unallocatedCostAtList;
    double unallocatedGpuSeconds;
    double billedGpuSeconds;
  }

  private final FleetPlan plan;
  private final InstanceCatalog catalog;
  private final RecommendationRules rules;
  private final Map<String, InstanceHourBill> bills = new HashMap<>();
  private final List<InstanceHourBill> allBills;
  private final Map<FleetPlan.Workload, WorkloadEvidence> workloads = new ConcurrentHashMap<>();
  private final Map<String, NodeTotals> nodes = new ConcurrentHashMap<>();
  private final LocalDate windowEnd;
  private final LocalDate windowStart;

  ExpectedRecommendations(
      FleetPlan plan,
      List<InstanceHourBill> bills,
      InstanceCatalog catalog,
      RecommendationRules rules) {
    this.plan = plan;
    this.catalog = catalog;
    this.rules = rules;
    this.allBills = bills;
    bills.forEach(b -> this.bills.put(b.instanceId() + "@" + b.hourStartMs(), b));
    this.windowEnd = plan.spec().start().plusDays(plan.spec().days() - 1L);
    LocalDate start = windowEnd.minusDays(rules.windowDays() - 1L);
    this.windowStart = start.isBefore(plan.spec().start()) ? plan.spec().start() : start;
  }

  boolean inWindow(LocalDate day) {
    return !day.isBefore(windowStart) && !day.isAfter(windowEnd);
  }

  /** Every generated day of the window has data (the fleet exists every day). */
  int daysWithData() {
    return (int) (windowEnd.toEpochDay() - windowStart.toEpochDay() + 1);
  }

  /** The listener for one node-day's telemetry, or null when the day is outside the window. */
  NodeDay nodeDay(Node node, LocalDate day) {
    return inWindow(day) ? new NodeDay(node, day) : null;
  }

  /** One billed instance-hour of a node, from the cost truth: its unallocated money and GPU-equivalent seconds. */
  void nodeHour(
      Node node,
      LocalDate day,
      double unallocatedCost,
      double listFactor,
      double unallocatedGpuSeconds,
      double billedGpuSeconds) {
    if (!inWindow(day)) {
      return;
    }
    NodeTotals t = nodes.computeIfAbsent(node.name(), k -> new NodeTotals());
    t.unallocatedCost += unallocatedCost;
    t.unallocatedCostAtList += unallocatedCost * listFactor;
    t.unallocatedGpuSeconds += unallocatedGpuSeconds;
    t.billedGpuSeconds += billedGpuSeconds;
  }

  static double listFactor(InstanceHourBill bill) {
    return bill != null && bill.nodeCost() > 0 ? bill.listCost() / bill.nodeCost() : 1.0;
  }

  /**
   * What the writer of one node-day reports per instant: each held unit's reading ({@link #held}), then
   * {@link #endInstant} folds the instant into each workload's evidence.
   */
  final class NodeDay {
    private final Node node;
    private final LocalDate day;

    /** rate per (unit index, hour): money per observed second of the unit. */
    private final Map<String, double[]> rates = new HashMap<>();

    private final double[] listFactors = new double[24];
    private final Map<FleetPlan.Workload, Moment> touched = new LinkedHashMap<>();
    private long instantMs;
    private long instantHoldMs;

    /** The instant's accumulation for one workload. */
    private final class Moment {
      final Set<String> pods = new TreeSet<>();
      double demand;
      double maxActivity;
      long maxFb = Long.MIN_VALUE;
      boolean anyActive;
      boolean mig;
      String model;
      boolean mixed;
      double money;
      double moneyList;
    }

    private NodeDay(Node node, LocalDate day) {
      this.node = node;
      this.day = day;
      long d0 = plan.dayStartMs(day);
      // The writer's own sample clock: the seconds each unit-hour was observed, the denominator of
      // its rate.
      SampleClock clock = new SampleClock(plan, node, day);
      double[] observed = new double[24];
      long[] ts = clock.timestamps();
      for (int i = 0; i < ts.length; i++) {
        // Each hold counts in the hours it covers (COST_MODEL.md §2).
        long hold = clock.holdMs(i, TelemetryDayWriter.MAX_SAMPLE_GAP_MS);
        long inHour = clock.inOwnHourMs(i, hold);
        observed[clock.hour(i)] += inHour / 1000.0;
        if (hold > inHour) {
          observed[clock.hour(i) + 1] += (hold - inHour) / 1000.0;
        }
      }
      for (Unit u : node.units()) {
        double[] r = new double[24];
        for (int h = 0; h < plan.spec().hoursPerDay(); h++) {
          InstanceHourBill bill =
              bills.get(node.instanceId() + "@" + (d0 + h * ActivityProfile.HOUR_MS));
          double nodeCost = bill == null ? 0 : bill.nodeCost();
          double billed =
              bill == null ? 0 : Math.min(Periods.SECONDS_PER_HOUR, bill.billedSeconds());
          double denominator = Math.max(billed, observed[h]);
          r[h] = denominator > 0 ? nodeCost / node.type().gpus() * u.sliceShare() / denominator : 0;
          listFactors[h] = listFactor(bill);
        }
        rates.put(u.key(), r);
      }
    }

    /** A held unit's reading at {@code tMs}, holding {@code inHourMs} in {@code hour} and {@code nextHourMs} in the hour after. */
    void held(
        long tMs,
        int hour,
        long inHourMs,
        long nextHourMs,
        Unit unit,
        List<Pod> holders,
        double activity,
        long fbUsedMib) {
      instantMs = tMs;
      instantHoldMs = inHourMs + nextHourMs;
      double[] rate = rates.get(unit.key());
      double perHolder = 1.0 / holders.size();
      double each = rate[hour] * inHourMs / 1000.0 * perHolder;
      double eachList = each * listFactors[hour];
      if (nextHourMs > 0) {
        double next = rate[hour + 1] * nextHourMs / 1000.0 * perHolder;
        each += next;
        eachList += next * listFactors[hour + 1];
      }
      Map<FleetPlan.Workload, Boolean> countedUnit = new HashMap<>();
      for (Pod p : holders) {
        Moment i = touched.computeIfAbsent(p.workload(), w -> new Moment());
        i.pods.add(p.name());
        i.money += each;
        i.moneyList += eachList;
        if (countedUnit.put(p.workload(), Boolean.TRUE) == null) {
          // A unit two of its pods share (time-slicing) counts once in d(t).
          i.demand += activity;
          i.maxActivity = Math.max(i.maxActivity, activity);
          i.maxFb = Math.max(i.maxFb, fbUsedMib);
          i.anyActive |= activity >= rules.activityThreshold();
          i.mig |= unit.isMig();
          if (i.model == null) {
            i.model = unit.gpuModel();
          } else if (!i.model.equals(unit.gpuModel())) {
            i.mixed = true;
          }
        }
      }
    }

    void endInstant() {
      for (var e : touched.entrySet()) {
        Moment i = e.getValue();
        WorkloadEvidence w =
            workloads.computeIfAbsent(
                e.getKey(), k -> new WorkloadEvidence(k, node.cluster(), node.name(), rules));
        if (!w.node.equals(node.name())) {
          // Streaks and n(t) need a workload's seconds in time order from one writer thread.
          throw new IllegalStateException(
              e.getKey()
                  + " runs on "
                  + w.node
                  + " and "
                  + node.name()
                  + ": the truth assumes one node per workload");
        }
        w.instant(
            instantMs,
            instantHoldMs,
            i.pods.size(),
            i.demand,
            i.anyActive,
            i.maxFb,
            i.maxActivity,
            i.mig,
            i.model,
            i.mixed,
            catalog.migProfiles(i.model),
            catalog.migSlices(i.model),
            i.money,
            i.moneyList);
      }
      touched.clear();
    }
  }

  List<Expected> expected() {
    double monthly = Periods.DAYS_PER_MONTH / daysWithData();
    List<Expected> out = new ArrayList<>();
    List<WorkloadEvidence> sorted = new ArrayList<>(workloads.values());
    sorted.sort(Comparator.comparing(w -> workloadSubject(w)));
    for (WorkloadEvidence w : sorted) {
      w.closeStreak();
      String type = w.workload.type();
      if (type.equals("notebook") && w.cullStreaks > 0) {
        out.add(
            workload(
                RecommendationKind.CULL_IDLE_NOTEBOOK.name(),
                w,
                w.cullMoney * monthly,
                w.cullMoneyList * monthly,
                null,
                null,
                null));
      }
      if (type.equals("training") && w.releaseStretches > 0) {
        out.add(
            workload(
                RecommendationKind.RELEASE_IDLE_TRAINING_GPUS.name(),
                w,
                w.releaseMoney * monthly,
                w.releaseMoneyList * monthly,
                null,
                null,
                null));
      }
      if (type.equals("inference")) {
        int r = w.replicas();
        long rPrime = w.recommendedReplicas();
        if (r >= 2 && rPrime < r) {
          double share = (r - rPrime) / (double) r;
          out.add(
              workload(
                  RecommendationKind.RIGHTSIZE_INFERENCE_REPLICAS.name(),
                  w,
                  w.money * share * monthly,
                  w.moneyList * share * monthly,
                  r,
                  rPrime,
                  null));
        }
      }
      MigProfile fit = w.smallestFittingProfile();
      if (fit != null && fit.computeSlices() < w.slices()) {
        double share = 1 - fit.computeSlices() / (double) w.slices();
        out.add(
            workload(
                RecommendationKind.RIGHTSIZE_GPU.name(),
                w,
                w.money * share * monthly,
                w.moneyList * share * monthly,
                null,
                null,
                fit.profile()));
      }
    }
    for (Node n : plan.nodes()) {
      NodeTotals t = nodes.get(n.name());
      if (t != null
          && t.billedGpuSeconds > 0
          && t.unallocatedGpuSeconds / t.billedGpuSeconds >= rules.minUnallocatedShare()) {
        out.add(
            new Expected(
                RecommendationKind.CONSOLIDATE_UNALLOCATED.name(),
                n.cluster() + "/" + n.name(),
                n.cluster(),
                null,
                null,
                null,
                null,
                n.name(),
                n.type().instanceType(),
                t.unallocatedCost * monthly,
                t.unallocatedCostAtList * monthly,
                null,
                null,
                null,
                null));
      }
    }
    out.addAll(commitments());
    return out.stream()
        .filter(e -> e.monthlySavings() >= rules.minMonthlySavings())
        .sorted(Comparator.comparing(Expected::kind).thenComparing(Expected::subject))
        .toList();
  }

  /**
   * COMMITMENT_COVERAGE per instance type (one region here): per billed hour of the window, the instances of the type
   * billed on demand (Spot, Savings Plan and reservations are not); the floor is the floor percentile of those counts.
   */
  private List<Expected> commitments() {
    Map<String, Node> byInstance = new HashMap<>();
    plan.nodes().forEach(n -> byInstance.put(n.instanceId(), n));
    Set<Long> hours = new TreeSet<>();
    Map<String, Map<Long, Integer>> onDemandCounts = new TreeMap<>();
    Map<String, double[]> onDemandCostHours = new TreeMap<>();
    Map<String, double[]> savingsPlanCostList = new TreeMap<>();
    for (InstanceHourBill b : allBills) {
      LocalDate day = Instant.ofEpochMilli(b.hourStartMs()).atZone(ZoneOffset.UTC).toLocalDate();
      if (!inWindow(day)) {
        continue;
      }
      hours.add(b.hourStartMs());
      Node n = byInstance.get(b.instanceId());
      String type = n.type().instanceType();
      if (n.billing() == FleetPlan.Billing.ON_DEMAND) {
        onDemandCounts
            .computeIfAbsent(type, k -> new HashMap<>())
            .merge(b.hourStartMs(), 1, Integer::sum);
        double[] ch = onDemandCostHours.computeIfAbsent(type, k -> new double[2]);
        ch[0] += b.nodeCost();
        ch[1] += b.billedSeconds() / Periods.SECONDS_PER_HOUR;
      } else if (n.billing() == FleetPlan.Billing.SAVINGS_PLAN) {
        double[] cl = savingsPlanCostList.computeIfAbsent(type, k -> new double[2]);
        cl[0] += b.nodeCost();
        cl[1] += b.listCost();
      }
    }
    List<Expected> out = new ArrayList<>();
    for (var e : onDemandCounts.entrySet()) {
      long[] counts =
          hours.stream().mapToLong(h -> e.getValue().getOrDefault(h, 0)).sorted().toArray();
      long floor =
          counts[(int) Math.max(0, Math.ceil(rules.floorPercentile() * counts.length) - 1)];
      if (floor < 1) {
        continue;
      }
      double[] ch = onDemandCostHours.get(e.getKey());
      double rate = ch[0] / ch[1];
      double[] sp = savingsPlanCostList.get(e.getKey());
      // The discount a Savings Plan gives this type where the bill shows one, else the configured
      // default.
      double discount = sp != null && sp[1] > 0 ? 1 - sp[0] / sp[1] : rules.commitmentDiscount();
      double savings = floor * Periods.HOURS_PER_MONTH * rate * discount;
      out.add(
          new Expected(
              RecommendationKind.COMMITMENT_COVERAGE.name(),
              e.getKey() + "/" + FleetPlan.REGION,
              null,
              null,
              null,
              null,
              null,
              null,
              e.getKey(),
              savings,
              savings,
              null,
              null,
              null,
              floor));
    }
    return out;
  }

  private static String workloadSubject(WorkloadEvidence w) {
    return w.cluster
        + "/"
        + w.workload.namespace()
        + "/"
        + w.workload.kind()
        + "/"
        + w.workload.name();
  }

  private static Expected workload(
      String kind,
      WorkloadEvidence w,
      double monthly,
      double monthlyList,
      Integer r,
      Long rPrime,
      String profile) {
    return new Expected(
        kind,
        workloadSubject(w),
        w.cluster,
        w.workload.namespace(),
        w.workload.kind(),
        w.workload.name(),
        w.workload.type(),
        null,
        null,
        monthly,
        monthlyList,
        r,
        rPrime,
        profile,
        null);
  }

  /** recommendation_id as RECOMMENDATIONS.md defines it: the first 16 hex digits of sha256 of "kind|subject". */
  static String recommendationId(String kind, String subject) {
    try {
      byte[] h =
          MessageDigest.getInstance("SHA-256")
              .digest((kind + "|" + subject).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  Path write(Path truthRoot) throws IOException {
    Path file = truthRoot.resolve("recommendations.csv");
    Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    try (CSVPrinter p =
        new CSVPrinter(
            w,
            CSVFormat.RFC4180
                .builder()
                .setRecordSeparator('\n')
                .setHeader(COLUMNS.toArray(String[]::new))
                .get())) {
      for (Expected e : expected()) {
        p.printRecord(
            windowEnd,
            windowStart,
            daysWithData(),
            e.kind(),
            e.subject(),
            recommendationId(e.kind(), e.subject()),
            e.cluster(),
            e.namespace(),
            e.workloadKind(),
            e.workloadName(),
            e.workloadType(),
            e.node(),
            e.instanceType(),
            Double.toString(e.monthlySavings()),
            Double.toString(e.monthlySavingsAtList()),
            e.replicas(),
            e.recommendedReplicas(),
            e.migProfile(),
            e.onDemandFloor());
      }
    }
    return file;
  }
}
