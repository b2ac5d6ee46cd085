package dev.idleledger.ingest.series;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;

/**
 * Parses the label set of a Prometheus text line, {@code k="v",k2="v2"} (the text between the braces). Two
 * escapings: the exposition format's ({@code \"}, {@code \\} and {@code \n} inside values, nothing else), and
 * Go's quoting, which promtool writes in both of its dumps ({@code strconv.Quote}: also {@code \t}, {@code \r},
 * and hexadecimal {@code x}, {@code u} and {@code U} escapes for control characters); OpenMetrics' own escaping is the exposition format's, a
 * subset of Go's. A {@code __name__} label is the metric name, not a label, and is left out.
 * Runs once per distinct series, never per sample, so it is plain Java rather than a chain of regexes.
 */
public final class PromLabels {
  public static final String UDF_NAME = "idle_ledger_prom_labels";

  /** The Go-quoted variant of {@link #UDF_NAME}: promtool's dumps and OpenMetrics text. */
  public static final String GO_QUOTED_UDF_NAME = "idle_ledger_go_quoted_labels";

  private static final String METRIC_NAME_LABEL = "__name__";

  private PromLabels() {}

  /** The labels, or null when the text is not a well-formed label set with the exposition format's escaping. */
  public static Map<String, String> parse(String text) {
    return parse(text, false);
  }

  /** The labels, or null when the text is not a well-formed label set with Go's quoting (promtool, OpenMetrics). */
  public static Map<String, String> parseGoQuoted(String text) {
    return parse(text, true);
  }

  private static Map<String, String> parse(String text, boolean goQuoted) {
    Map<String, String> out = new LinkedHashMap<>();
    int i = 0;
    int n = text.length();
    while (true) {
      i = skipSpaces(text, i);
      if (i >= n) {
        return out;
      }
      int nameStart = i;
      while (i < n && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_')) {
        i++;
      }
      if (i == nameStart || Character.isDigit(text.charAt(nameStart))) {
        return null;
      }
      String name = text.substring(nameStart, i);
      i = skipSpaces(text, i);
      if (i >= n || text.charAt(i) != '=') {
        return null;
      }
      i = skipSpaces(text, i + 1);
      if (i >= n || text.charAt(i) != '"') {
        return null;
      }
      i++;
      StringBuilder value = new StringBuilder();
      boolean closed = false;
      while (i < n) {
        char c = text.charAt(i++);
        if (c == '"') {
          closed = true;
          break;
        }
        if (c == '\\') {
          if (i >= n) {
            return null;
          }
          char e = text.charAt(i++);
          switch (e) {
            case '"' -> value.append('"');
            case '\\' -> value.append('\\');
            case 'n' -> value.append('\n');
            default -> {
              int end = goQuoted ? goEscape(text, i - 1, value) : -1;
              if (end < 0) {
                return null;
              }
              i = end;
            }
          }
        } else {
          value.append(c);
        }
      }
      if (!closed || out.containsKey(name)) {
        return null;
      }
      if (!name.equals(METRIC_NAME_LABEL)) {
        out.put(name, value.toString());
      }
      i = skipSpaces(text, i);
      if (i < n) {
        if (text.charAt(i) != ',') {
          return null;
        }
        i++;
      }
    }
  }

  /**
   * Appends the character of the Go escape whose letter is at {@code at} (after the backslash) and returns the
   * index after it, or -1 when it is not one {@code strconv.Quote} writes.
   */
  private static int goEscape(String s, int at, StringBuilder value) {
    char e = s.charAt(at);
    int digits =
        switch (e) {
          case 'x' -> 2;
          case 'u' -> 4;
          case 'U' -> 8;
          default -> 0;
        };
    if (digits == 0) {
      int simple = "abfnrtv".indexOf(e);
      if (simple < 0) {
        return -1;
      }
      value.append("\u0007\b\f\n\r\t\u000B".charAt(simple));
      return at + 1;
    }
    if (at + 1 + digits > s.length()) {
      return -1;
    }
    try {
      int code = Integer.parseInt(s, at + 1, at + 1 + digits, 16);
      if (!Character.isValidCodePoint(code)) {
        return -1;
      }
      value.appendCodePoint(code);
      return at + 1 + digits;
    } catch (NumberFormatException ex) {
      return -1;
    }
  }

  private static int skipSpaces(String s, int i) {
    while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
      i++;
    }
    return i;
  }

  /** Registers {@link #UDF_NAME} and {@link #GO_QUOTED_UDF_NAME}(text) → MAP&lt;STRING,STRING&gt; (null when malformed). */
  public static void register(SparkSession spark) {
    if (spark.catalog().functionExists(GO_QUOTED_UDF_NAME)) {
      return;
    }
    spark
        .udf()
        .register(
            UDF_NAME,
            (UDF1<String, Map<String, String>>) t -> t == null ? null : parse(t),
            DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType));
    spark
        .udf()
        .register(
            GO_QUOTED_UDF_NAME,
            (UDF1<String, Map<String, String>>) t -> t == null ? null : parseGoQuoted(t),
            DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType));
  }
}
