package dev.idleledger.ingest.series;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;

/**
 * Parses the label set of a Prometheus text line, {@code k="v",k2="v2"} (the text between the braces),
 * with the exposition format's escaping: {@code \"}, {@code \\} and {@code \n} inside values, nothing else.
 * Runs once per distinct series, never per sample, so it is plain Java rather than a chain of regexes.
 */
public final class PromLabels {
  public static final String UDF_NAME = "idle_ledger_prom_labels";

  private PromLabels() {}

  /** The labels, or null when the text is not a well-formed, correctly escaped label set. */
  public static Map<String, String> parse(String text) {
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
              return null;
            }
          }
        } else {
          value.append(c);
        }
      }
      if (!closed || out.containsKey(name)) {
        return null;
      }
      out.put(name, value.toString());
      i = skipSpaces(text, i);
      if (i < n) {
        if (text.charAt(i) != ',') {
          return null;
        }
        i++;
      }
    }
  }

  private static int skipSpaces(String s, int i) {
    while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
      i++;
    }
    return i;
  }

  /** Registers {@link #UDF_NAME}(text) → MAP&lt;STRING,STRING&gt; (null when malformed) on the session. */
  public static void register(SparkSession spark) {
    if (spark.catalog().functionExists(UDF_NAME)) {
      return;
    }
    spark.udf().register(UDF_NAME, (UDF1<String, Map<String, String>>) t -> t == null ? null : parse(t),
        DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType));
  }
}
