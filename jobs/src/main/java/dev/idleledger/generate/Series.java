package dev.idleledger.generate;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The label set of one Prometheus series, built once and reused for every sample written with it. */
final class Series {
  private final Map<String, String> labels;
  private final String promLabels;

  Series(Map<String, String> labels) {
    this.labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    this.promLabels = render(this.labels);
  }

  Map<String, String> labels() {
    return labels;
  }

  /** {@code {k="v",...}} with Prometheus text-format escaping of values. */
  String promLabels() {
    return promLabels;
  }

  static String render(Map<String, String> labels) {
    StringBuilder sb = new StringBuilder("{");
    labels.forEach(
        (k, v) -> {
          if (sb.length() > 1) {
            sb.append(',');
          }
          sb.append(k).append("=\"").append(escape(v)).append('"');
        });
    return sb.append('}').toString();
  }

  static String escape(String v) {
    StringBuilder sb = new StringBuilder(v.length());
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      switch (c) {
        case '\\' -> sb.append("\\\\");
        case '"' -> sb.append("\\\"");
        case '\n' -> sb.append("\\n");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }

  /** Integers without a decimal point (as exporters write FB_USED MiB), everything else as Java's shortest round-trip text. */
  static String formatValue(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }
}
