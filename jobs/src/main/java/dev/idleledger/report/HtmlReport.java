package dev.idleledger.report;

import static org.apache.commons.text.StringEscapeUtils.escapeHtml4;

import dev.idleledger.recommend.CombinedSavings;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The waste report as one self-contained HTML page: no scripts, no external fetches, charts as inline SVG.
 * Every string that comes from the data goes through {@link #text} (HTML-escaped), so a pod named
 * {@code <script>} renders as text.
 */
public final class HtmlReport {
  private static final String CSS =
      """
      body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1d2430;max-width:1100px}
      h1{font-size:22px;margin:0 0 4px} h2{font-size:16px;margin:28px 0 8px;border-bottom:1px solid #dde3ea;padding-bottom:4px}
      .sub{color:#5b6675;margin-bottom:16px} .kpis{display:flex;gap:16px;flex-wrap:wrap}
      .kpi{background:#f4f6f9;border-radius:8px;padding:12px 16px;min-width:180px} .kpi b{display:block;font-size:22px}
      .waste b{color:#b3261e} table{border-collapse:collapse;width:100%;font-size:13px}
      th,td{padding:5px 8px;border-bottom:1px solid #e6eaf0;text-align:left} td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
      svg text{font-size:11px;fill:#1d2430} .charts{display:flex;gap:24px;flex-wrap:wrap}
      """;

  private HtmlReport() {}

  public static String render(ReportData data) {
    WasteSummary s = data.summary();
    StringBuilder h = new StringBuilder(16_384);
    h.append(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>GPU waste report</title><style>")
        .append(CSS)
        .append("</style></head><body>");
    h.append("<h1>GPU waste report</h1><div class=\"sub\">")
        .append(text(s.from().toString()))
        .append(s.from().equals(s.to()) ? "" : " to " + text(s.to().toString()))
        .append(" · amounts in ")
        .append(text(s.currency()))
        .append(" · amortized billed cost (Savings Plans, RIs, Spot, on-demand)</div>");
    h.append("<div class=\"kpis\">")
        .append(kpi("GPU spend", money(s.gpuCost()), ""))
        .append(kpi("Waste (idle + unallocated)", money(s.wasteCost()), "waste"))
        .append(
            kpi(
                "Share of GPU spend wasted",
                String.format(Locale.ROOT, "%.1f%%", 100 * s.wasteShare()),
                "waste"))
        .append(kpi("Idle while held", money(s.idleCost()), ""))
        .append(kpi("Unallocated", money(s.unallocatedCost()), ""))
        .append(kpi("Unobserved (no telemetry)", money(s.unobservedCost()), ""))
        .append(
            kpi(
                "Open recommendations save / month",
                money(data.savings().combinedMonthlySavings()),
                "savings"))
        .append("</div>");
    h.append(billOnlyGpus(s));
    h.append(openRecommendations(data));

    h.append("<h2>Trend: GPU spend and waste per day</h2>").append(trendChart(data.trend()));
    h.append("<div class=\"charts\"><div><h2>Idle cost by workload type</h2>")
        .append(bars(s.wasteByType().stream().map(t -> new Bar(t.type(), t.idleCost())).toList()))
        .append("</div><div><h2>Idle cost by team</h2>")
        .append(bars(data.teams().stream().map(t -> new Bar(t.team(), t.idleCost())).toList()))
        .append("</div></div>");
    h.append(savingsByTeam(data.savings()));
    h.append("<h2>Idle and unallocated GPU-hours by node and hour of day (UTC)</h2>")
        .append(heatmap(data.heatmap()));

    h.append(
            "<h2>Top workloads by idle cost</h2><table id=\"top-workloads\"><thead><tr><th>workload</th><th>type</th><th>team</th>")
        .append(
            "<th class=\"n\">GPU-hours</th><th class=\"n\">efficiency</th><th class=\"n\">idle hours</th><th class=\"n\">idle cost</th></tr></thead><tbody>");
    for (WasteSummary.TopWorkload w : s.topWorkloads()) {
      h.append("<tr><td>")
          .append(text(w.namespace() + "/" + w.kind() + "/" + w.name()))
          .append("</td><td>")
          .append(text(w.type()))
          .append("</td><td>")
          .append(text(w.team()))
          .append("</td><td class=\"n\">")
          .append(num(w.gpuHours()))
          .append("</td><td class=\"n\">")
          .append(String.format(Locale.ROOT, "%.0f%%", 100 * w.efficiency()))
          .append("</td><td class=\"n\">")
          .append(num(w.idleHours()))
          .append("</td><td class=\"n\">")
          .append(money(w.idleCost()))
          .append("</td></tr>");
    }
    h.append("</tbody></table>");
    h.append(
        "<p class=\"sub\">Efficiency = 1 − unused capacity cost / cost. Waste = idle cost of held GPUs + cost of GPUs nobody held.</p>");
    return h.append("</body></html>").toString();
  }

  /** GPUs paid for that no cluster knows (cluster 'unattributed'): named one by one, nothing when there are none. */
  private static String billOnlyGpus(WasteSummary s) {
    if (s.billOnlyGpus().isEmpty()) {
      return "";
    }
    double total =
        s.billOnlyGpus().stream().mapToDouble(WasteSummary.UnknownGpuInstance::cost).sum();
    StringBuilder h =
        new StringBuilder("<h2>GPUs on the bill that no cluster knows</h2><p class=\"sub\">")
            .append(money(total))
            .append(" ")
            .append(text(s.currency()))
            .append(
                " of GPU instances billed with no Kubernetes node behind them (counted as unobserved): nobody can schedule on them.</p>")
            .append("<ul id=\"bill-only-gpus\">");
    for (WasteSummary.UnknownGpuInstance i : s.billOnlyGpus()) {
      h.append("<li>")
          .append(text(i.instanceId()))
          .append(", ")
          .append(text(i.instanceType()))
          .append(", ")
          .append(i.gpus())
          .append(" GPUs, ")
          .append(money(i.cost()))
          .append(" ")
          .append(text(s.currency()))
          .append("</li>");
    }
    return h.append("</ul>").toString();
  }

  /**
   * What to do: the live recommendations, largest savings first, each with who should act and its ticket; then what the
   * resolved ones were seen to save. A recommendation overlapping an earlier one on the same subject says what it adds after it.
   */
  private static String openRecommendations(ReportData data) {
    StringBuilder h = new StringBuilder("<h2>Open recommendations</h2>");
    List<ReportData.OpenRecommendation> open = data.openRecommendations();
    if (open.isEmpty()) {
      h.append(
          "<p class=\"sub\" id=\"no-recommendations\">No open recommendation above the savings threshold.</p>");
    } else {
      if (data.savings().recommendations() > open.size()) {
        h.append("<p class=\"sub\">The ")
            .append(open.size())
            .append(" largest of ")
            .append(data.savings().recommendations())
            .append(".</p>");
      }
      h.append(
              "<table id=\"open-recommendations\"><thead><tr><th>kind</th><th>who</th><th>action</th><th class=\"n\">per month</th>")
          .append("<th>confidence</th><th>ticket</th></tr></thead><tbody>");
      for (ReportData.OpenRecommendation r : open) {
        h.append("<tr><td>")
            .append(text(r.kind()))
            .append("</td><td>")
            .append(text(r.who()))
            .append("</td><td>")
            .append(text(r.action()));
        if (r.overlapsWith() != null) {
          h.append("<br><small>overlaps with ")
              .append(text(r.overlapsWith()))
              .append(": ")
              .append(money(r.remainingMonthlySavings()))
              .append(" more after it</small>");
        }
        h.append("</td><td class=\"n\">")
            .append(money(r.monthlySavings()))
            .append(" ")
            .append(text(r.currency()))
            .append("</td><td>")
            .append(text(r.confidence()))
            .append("</td><td>")
            .append(ticket(r))
            .append("</td></tr>");
      }
      h.append("</tbody></table>");
    }
    ReportData.RealizedSavings realized = data.realized();
    h.append("<p id=\"realized-savings\"><b>Realized savings:</b> ")
        .append(money(realized.monthlySavings()))
        .append(" ")
        .append(text(realized.currency()))
        .append(" per month from ")
        .append(realized.resolved())
        .append(" resolved recommendation")
        .append(realized.resolved() == 1 ? "" : "s")
        .append(" (")
        .append(realized.resolvedInRange())
        .append(" resolved in these dates)</p>");
    return h.toString();
  }

  /** The ticket's link, and a failed last sync's reason as text under it. */
  private static String ticket(ReportData.OpenRecommendation r) {
    String link = ticketLink(r.ticketUrl());
    if (r.ticketError() == null) {
      return link;
    }
    return link
        + (link.isEmpty() ? "" : "<br>")
        + "<small class=\"ticket-error\">ticket sync failed: "
        + text(r.ticketError())
        + "</small>";
  }

  /**
   * A ticket's link, when it is one a browser should follow: only http(s) URLs become links (a {@code javascript:} URL
   * from a misbehaving sink must not), and the link text is the URL's last segment (GPU-123, the issue number).
   */
  private static String ticketLink(String url) {
    if (url == null || url.isBlank()) {
      return "";
    }
    String lower = url.toLowerCase(Locale.ROOT);
    if (!lower.startsWith("https://") && !lower.startsWith("http://")) {
      return text(url);
    }
    String trimmed = url.replaceAll("/+$", "");
    String label = trimmed.substring(trimmed.lastIndexOf('/') + 1);
    return "<a href=\""
        + text(url)
        + "\" rel=\"noreferrer\">"
        + text(label.isEmpty() ? url : label)
        + "</a>";
  }

  private record Bar(String label, double value) {}

  /** Savings totals add overlapping recommendations of a workload once (CombinedSavings), so the team bars sum to the KPI. */
  private static String savingsByTeam(CombinedSavings.Totals t) {
    if (t.recommendations() == 0) {
      return "";
    }
    String overlap =
        t.overlapping() == 0
            ? ""
            : String.format(
                Locale.ROOT,
                "; %d of them overlap another on the same workload and count once"
                    + " (their own figures would add to %s)",
                t.overlapping(),
                money(t.ownMonthlySavings()));
    return "<h2>What the open recommendations save per month, by team</h2>"
        + bars(
            t.teams().stream()
                .map(
                    team ->
                        new Bar(
                            team.team() == null ? "(platform)" : team.team(),
                            team.combinedMonthlySavings()))
                .toList())
        + "<p class=\"sub\" id=\"savings-total\">"
        + t.recommendations()
        + " open recommendations save "
        + money(t.combinedMonthlySavings())
        + " "
        + text(t.currency())
        + " per month together"
        + overlap
        + ".</p>";
  }

  private static String kpi(String label, String value, String cls) {
    return "<div class=\"kpi " + cls + "\">" + text(label) + "<b>" + value + "</b></div>";
  }

  private static String bars(List<Bar> bars) {
    int rowH = 22;
    int width = 480;
    int labelW = 130;
    double max = bars.stream().mapToDouble(Bar::value).max().orElse(0);
    StringBuilder svg =
        new StringBuilder(
            "<svg class=\"chart bars\" width=\""
                + width
                + "\" height=\""
                + (rowH * Math.max(1, bars.size()) + 4)
                + "\" role=\"img\">");
    int y = 2;
    for (Bar b : bars) {
      double w = max <= 0 ? 0 : (width - labelW - 90) * b.value() / max;
      svg.append("<text x=\"0\" y=\"")
          .append(y + 14)
          .append("\">")
          .append(text(clip(b.label(), 20)))
          .append("</text>")
          .append(
              String.format(
                  Locale.ROOT,
                  "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"16\" fill=\"#d9534f\"/>",
                  labelW,
                  y,
                  w))
          .append(
              String.format(
                  Locale.ROOT,
                  "<text x=\"%.1f\" y=\"%d\">%s</text>",
                  labelW + w + 6,
                  y + 14,
                  money(b.value())));
      y += rowH;
    }
    return svg.append("</svg>").toString();
  }

  private static String trendChart(List<ReportData.DayWaste> days) {
    int width = 900;
    int height = 200;
    int left = 70;
    int bottom = 30;
    int top = 28; // room for the legend above the tallest bar
    double max = days.stream().mapToDouble(ReportData.DayWaste::gpuCost).max().orElse(0);
    StringBuilder svg =
        new StringBuilder(
            "<svg class=\"chart trend\" width=\""
                + width
                + "\" height=\""
                + height
                + "\" role=\"img\">");
    double slot = days.isEmpty() ? 0 : (double) (width - left - 10) / days.size();
    for (int i = 0; i < days.size(); i++) {
      ReportData.DayWaste d = days.get(i);
      double x = left + i * slot + slot * 0.15;
      double bw = slot * 0.7;
      double hSpend = max <= 0 ? 0 : (height - bottom - top) * d.gpuCost() / max;
      double hWaste = max <= 0 ? 0 : (height - bottom - top) * d.wasteCost() / max;
      svg.append(
              String.format(
                  Locale.ROOT,
                  "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#9fb3c8\"><title>spend %s</title></rect>",
                  x,
                  height - bottom - hSpend,
                  bw,
                  hSpend,
                  money(d.gpuCost())))
          .append(
              String.format(
                  Locale.ROOT,
                  "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#d9534f\"><title>waste %s</title></rect>",
                  x,
                  height - bottom - hWaste,
                  bw,
                  hWaste,
                  money(d.wasteCost())))
          .append(
              String.format(
                  Locale.ROOT,
                  "<text x=\"%.1f\" y=\"%d\">%s</text>",
                  x,
                  height - 12,
                  text(d.date().toString().substring(5))));
    }
    svg.append(
        String.format(
            Locale.ROOT,
            "<text x=\"0\" y=\"%d\">%s</text><text x=\"0\" y=\"%d\">0</text>",
            top + 4,
            money(max),
            height - bottom));
    svg.append("<text x=\"")
        .append(width - 200)
        .append("\" y=\"16\">■ spend  </text><text x=\"")
        .append(width - 110)
        .append("\" y=\"16\" style=\"fill:#d9534f\">■ waste</text>");
    return svg.append("</svg>").toString();
  }

  private static String heatmap(List<ReportData.NodeHourIdle> cells) {
    TreeSet<String> nodes = new TreeSet<>();
    TreeMap<String, Double> value = new TreeMap<>();
    double max = 0;
    for (ReportData.NodeHourIdle c : cells) {
      nodes.add(c.node());
      value.put(c.node() + "|" + c.hourOfDay(), c.wastedGpuHours());
      max = Math.max(max, c.wastedGpuHours());
    }
    int cell = 28;
    int left = 170;
    int top = 18;
    StringBuilder svg =
        new StringBuilder(
            "<svg class=\"chart heatmap\" width=\""
                + (left + 24 * cell + 10)
                + "\" height=\""
                + (top + nodes.size() * cell + 10)
                + "\" role=\"img\">");
    for (int hr = 0; hr < 24; hr++) {
      svg.append("<text x=\"")
          .append(left + hr * cell + 6)
          .append("\" y=\"12\">")
          .append(String.format(Locale.ROOT, "%02d", hr))
          .append("</text>");
    }
    int row = 0;
    for (String node : nodes) {
      int y = top + row * cell;
      svg.append("<text x=\"0\" y=\"")
          .append(y + 18)
          .append("\">")
          .append(text(clip(node, 24)))
          .append("</text>");
      for (int hr = 0; hr < 24; hr++) {
        double v = value.getOrDefault(node + "|" + hr, 0.0);
        double intensity = max <= 0 ? 0 : v / max;
        svg.append(
            String.format(
                Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"rgb(%d,%d,%d)\"><title>%s %02d:00 — %.2f GPU-hours idle or unallocated</title></rect>",
                left + hr * cell,
                y,
                cell - 2,
                cell - 2,
                255 - (int) (38 * intensity),
                255 - (int) (172 * intensity),
                255 - (int) (176 * intensity),
                text(node),
                hr,
                v));
      }
      row++;
    }
    return svg.append("</svg>").toString();
  }

  /** HTML-escapes a value that came from the data. */
  static String text(String s) {
    return s == null ? "" : escapeHtml4(s);
  }

  private static String clip(String s, int n) {
    return s == null ? "" : s.length() <= n ? s : s.substring(0, n - 1) + "…";
  }

  private static String money(double v) {
    return String.format(Locale.ROOT, "%,.2f", v);
  }

  private static String num(double v) {
    return String.format(Locale.ROOT, "%,.1f", v);
  }
}
