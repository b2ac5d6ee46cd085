package dev.idleledger.ingest.series;

import java.io.BufferedReader;
import java.io.IOException;

/**
 * The three shapes of Prometheus sample text an archive may hold (CONTRACTS.md §1.1), told apart per file so
 * that no line pays for detection:
 * <ul>
 *   <li>{@link #EXPOSITION}: {@code name{k="v",...} value ts_ms}, the text exposition format with timestamps;</li>
 *   <li>{@link #PROMTOOL_DUMP}: {@code {__name__="name", k="v", ...} value ts_ms}, what {@code promtool tsdb dump}
 *       prints — the metric name is a label, labels are sorted by name (so {@code Hostname} and {@code UUID} come
 *       before {@code __name__}) and values are Go-quoted;</li>
 *   <li>{@link #OPENMETRICS}: {@code name{k="v"} value ts_seconds [# {exemplar} value [ts]]}, what
 *       {@code promtool tsdb dump-openmetrics} and {@code /federate} in OpenMetrics write — fractional-second
 *       timestamps ({@code 1761991200.000}, {@code 1.7619912e+09}), {@code # UNIT} and {@code # EOF} lines.</li>
 * </ul>
 */
public enum PromDialect {
  EXPOSITION,
  PROMTOOL_DUMP,
  OPENMETRICS;

  /** Data lines without a timestamp looked at before giving up on finding one (each is quarantined anyway). */
  static final int MAX_UNTIMED_LINES = 1000;

  /**
   * The dialect of a file from its first data line that has a timestamp: a line opening with a brace is a
   * promtool dump; a timestamp with a decimal point or an exponent, an exemplar, or an OpenMetrics-only comment
   * ({@code # UNIT}, {@code # EOF}) before it means OpenMetrics; anything else is the exposition format
   * (integer timestamps are milliseconds). Reads only as far as it needs to.
   */
  public static PromDialect detect(BufferedReader lines) throws IOException {
    boolean openMetricsComment = false;
    int untimed = 0;
    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
      String t = line.strip();
      if (t.isEmpty()) {
        continue;
      }
      if (t.startsWith("#")) {
        openMetricsComment |= t.equals("# EOF") || t.startsWith("# UNIT ");
        continue;
      }
      if (t.startsWith("{")) {
        return PROMTOOL_DUMP;
      }
      String[] after = tokensAfterLabels(t);
      if (after.length >= 2 && after[1].equals("#")) {
        return OPENMETRICS; // an exemplar right after the value: an OpenMetrics line without a
        // timestamp
      }
      if (after.length >= 2) {
        return openMetricsComment || fractional(after[1]) ? OPENMETRICS : EXPOSITION;
      }
      if (++untimed >= MAX_UNTIMED_LINES) {
        break;
      }
    }
    return openMetricsComment ? OPENMETRICS : EXPOSITION;
  }

  private static boolean fractional(String timestamp) {
    return timestamp.indexOf('.') >= 0
        || timestamp.indexOf('e') >= 0
        || timestamp.indexOf('E') >= 0;
  }

  /** The blank-separated tokens after {@code name{labels}} (value, timestamp, ...), skipping quoted label values. */
  static String[] tokensAfterLabels(String line) {
    int i = 0;
    int n = line.length();
    while (i < n && line.charAt(i) != '{' && !Character.isWhitespace(line.charAt(i))) {
      i++;
    }
    int j = i;
    while (j < n && Character.isWhitespace(line.charAt(j))) {
      j++;
    }
    if (j < n && line.charAt(j) == '{') {
      boolean quoted = false;
      for (i = j + 1; i < n; i++) {
        char c = line.charAt(i);
        if (quoted && c == '\\') {
          i++;
        } else if (c == '"') {
          quoted = !quoted;
        } else if (!quoted && c == '}') {
          i++;
          break;
        }
      }
    }
    String rest = line.substring(Math.min(i, n)).strip();
    return rest.isEmpty() ? new String[0] : rest.split("\\s+");
  }
}
