package dev.idleledger.report;

import dev.idleledger.recommend.CombinedSavings;
import dev.idleledger.recommend.RecommendStage;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** The demo's terminal report: the money first, then who wasted it. */
public final class TextReport {
  private TextReport() {}

  public static void print(
      WasteSummary s,
      List<RecommendStage.TopRecommendation> recommendations,
      CombinedSavings.Totals savings,
      String lakeHint,
      PrintStream out) {
    print(s, recommendations, savings, null, lakeHint, out);
  }

  /** @param realized what resolved recommendations were seen to save; null leaves the line out */
  public static void print(
      WasteSummary s,
      List<RecommendStage.TopRecommendation> recommendations,
      CombinedSavings.Totals savings,
      ReportData.RealizedSavings realized,
      String lakeHint,
      PrintStream out) {
    String cur = s.currency();
    out.println();
    out.printf(
        Locale.ROOT,
        "GPU Idle Ledger — %s%s%n",
        s.from(),
        s.from().equals(s.to()) ? "" : " to " + s.to());
    out.println("=".repeat(78));
    out.printf(
        Locale.ROOT,
        "Fleet GPU cost        %12s %s  over %,.1f GPU-hours%n",
        money(s.gpuCost()),
        cur,
        s.gpuHours());
    out.printf(
        Locale.ROOT,
        "Waste                 %12s %s  (%.1f%% of GPU cost)%n",
        money(s.wasteCost()),
        cur,
        100 * s.wasteShare());
    out.printf(Locale.ROOT, "  idle while held     %12s%n", money(s.idleCost()));
    out.printf(Locale.ROOT, "  unallocated         %12s%n", money(s.unallocatedCost()));
    out.printf(Locale.ROOT, "Unobserved (no data)  %12s%n", money(s.unobservedCost()));
    if (!s.billOnlyGpus().isEmpty()) {
      // The purest waste there is: GPUs paid for that no cluster knows about, so nobody can even
      // schedule on them.
      double total =
          s.billOnlyGpus().stream().mapToDouble(WasteSummary.UnknownGpuInstance::cost).sum();
      out.printf(
          Locale.ROOT,
          "GPUs on the bill that no cluster knows: %s %s (part of unobserved)%n",
          money(total),
          cur);
      for (WasteSummary.UnknownGpuInstance i : s.billOnlyGpus()) {
        out.printf(
            Locale.ROOT,
            "  %s, %s, %d GPUs, %s %s%n",
            i.instanceId(),
            i.instanceType(),
            i.gpus(),
            money(i.cost()),
            cur);
      }
    }
    out.println();
    out.println("Top workloads by idle cost");
    out.printf(
        Locale.ROOT,
        "  %-38s %-9s %-12s %8s %6s %8s %10s%n",
        "workload",
        "type",
        "team",
        "GPU-h",
        "eff.",
        "idle h",
        "idle " + cur);
    for (WasteSummary.TopWorkload w : s.topWorkloads()) {
      out.printf(
          Locale.ROOT,
          "  %-38s %-9s %-12s %8.1f %5.0f%% %8.1f %10s%n",
          clip(w.namespace() + "/" + w.kind() + "/" + w.name(), 38),
          w.type(),
          clip(w.team(), 12),
          w.gpuHours(),
          100 * w.efficiency(),
          w.idleHours(),
          money(w.idleCost()));
    }
    out.println();
    out.println("Idle cost by workload type");
    for (WasteSummary.TypeWaste t : s.wasteByType()) {
      out.printf(
          Locale.ROOT, "  %-12s %12s of %12s%n", t.type(), money(t.idleCost()), money(t.cost()));
    }
    out.println();
    out.println("Open recommendations (largest savings first)");
    if (recommendations.isEmpty()) {
      out.println("  none above the savings threshold");
    }
    for (RecommendStage.TopRecommendation r : recommendations) {
      out.printf(
          Locale.ROOT,
          "  %-30s %-44s %10s %s/month  (%s confidence)%n",
          r.kind(),
          clip(r.who(), 44),
          money(r.monthlySavings()),
          r.currency(),
          r.confidence());
      out.printf(Locale.ROOT, "      %s%n", clip(r.action(), 110));
      if (r.overlapsWith() != null) {
        out.printf(
            Locale.ROOT,
            "      overlaps with %s: %s %s/month more after it%n",
            r.overlapsWith(),
            money(r.remainingMonthlySavings()),
            r.currency());
      }
      if (r.ticketUrl() != null) {
        out.printf(Locale.ROOT, "      ticket: %s%n", r.ticketUrl());
      }
    }
    printSavingsTotals(savings, out);
    if (realized != null) {
      out.printf(
          Locale.ROOT,
          "Realized savings: %s %s/month from %d resolved recommendations (%d resolved in these dates)%n",
          money(realized.monthlySavings()),
          realized.currency(),
          realized.resolved(),
          realized.resolvedInRange());
    }
    out.println();
    out.println(lakeHint);
  }

  /** Open recommendations added up with overlaps counted once (CombinedSavings), overall and per team. */
  static void printSavingsTotals(CombinedSavings.Totals t, PrintStream out) {
    if (t.recommendations() == 0) {
      return;
    }
    out.println();
    out.printf(
        Locale.ROOT,
        "All %d open recommendations together save %s %s/month",
        t.recommendations(),
        money(t.combinedMonthlySavings()),
        t.currency());
    out.println(
        t.overlapping() == 0
            ? ""
            : String.format(
                Locale.ROOT,
                " (%d overlap another on the same workload and count once; their own figures add to %s)",
                t.overlapping(),
                money(t.ownMonthlySavings())));
    for (CombinedSavings.TeamSavings team : t.teams()) {
      out.printf(
          Locale.ROOT,
          "  %-24s %12s %s/month%n",
          team.team() == null ? "(platform)" : clip(team.team(), 24),
          money(team.combinedMonthlySavings()),
          t.currency());
    }
  }

  static String money(double v) {
    return String.format(Locale.ROOT, "%,.2f", v);
  }

  private static String clip(String s, int n) {
    return s == null ? "" : s.length() <= n ? s : s.substring(0, n - 1) + "…";
  }
}
