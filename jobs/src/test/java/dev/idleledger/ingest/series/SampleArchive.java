package dev.idleledger.ingest.series;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Writes one list of samples as a raw archive file in any of the encodings and text dialects (test fixture). */
public final class SampleArchive {
  public record Sample(Instant ts, String metric, String value, Map<String, String> labels) {}

  private SampleArchive() {}

  public static Sample sample(String ts, String metric, String value, String... kv) {
    Map<String, String> labels = new TreeMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      labels.put(kv[i], kv[i + 1]);
    }
    return new Sample(Instant.parse(ts), metric, value, labels);
  }

  public static void writeProm(Path file, List<Sample> samples) {
    StringBuilder b = new StringBuilder("# HELP written by the test\n");
    for (Sample s : samples) {
      b.append(s.metric()).append('{');
      List<String> pairs = new ArrayList<>();
      s.labels()
          .forEach(
              (k, v) ->
                  pairs.add(
                      k
                          + "=\""
                          + v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")
                          + "\""));
      b.append(String.join(",", pairs))
          .append("} ")
          .append(s.value())
          .append(' ')
          .append(s.ts().toEpochMilli())
          .append('\n');
    }
    write(file, b.toString());
  }

  /**
   * As {@code promtool tsdb dump} prints: per series (in label-set order) its samples in time order, each line
   * {@code {labels} value ms} with {@code __name__} among the labels sorted by name, ", " between them, and
   * values Go-quoted.
   */
  public static void writePromtoolDump(Path file, List<Sample> samples) {
    StringBuilder b = new StringBuilder();
    List<String[]> lines = new ArrayList<>();
    for (Sample s : samples) {
      Map<String, String> all = new TreeMap<>(s.labels());
      all.put("__name__", s.metric());
      List<String> pairs = new ArrayList<>();
      all.forEach((k, v) -> pairs.add(k + "=" + goQuote(v)));
      lines.add(
          new String[] {
            "{" + String.join(", ", pairs) + "}",
            String.format("%020d", s.ts().toEpochMilli()),
            s.value()
          });
    }
    lines.sort(Comparator.<String[], String>comparing(l -> l[0]).thenComparing(l -> l[1]));
    for (String[] l : lines) {
      b.append(l[0]).append(' ').append(l[2]).append(' ').append(Long.parseLong(l[1])).append('\n');
    }
    write(file, b.toString());
  }

  /**
   * As {@code promtool tsdb dump-openmetrics} prints: {@code name{labels} value seconds.mmm}, labels sorted and
   * Go-quoted without a space after the commas, and {@code # EOF} at the end.
   */
  public static void writeOpenMetrics(Path file, List<Sample> samples) {
    StringBuilder b = new StringBuilder();
    for (Sample s : samples) {
      List<String> pairs = new ArrayList<>();
      s.labels().forEach((k, v) -> pairs.add(k + "=" + goQuote(v)));
      long ms = s.ts().toEpochMilli();
      b.append(s.metric())
          .append('{')
          .append(String.join(",", pairs))
          .append("} ")
          .append(s.value())
          .append(' ')
          .append(ms / 1000)
          .append('.')
          .append(String.format("%03d", ms % 1000))
          .append('\n');
    }
    write(file, b.append("# EOF\n").toString());
  }

  /** Go's strconv.Quote for the characters these tests use: quote, backslash, newline and tab escaped. */
  static String goQuote(String v) {
    return "\""
        + v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\t", "\\t")
        + "\"";
  }

  /** CSV with ISO timestamps ({@code epochMillis} false) or epoch milliseconds. */
  public static void writeCsv(Path file, List<Sample> samples, boolean epochMillis) {
    TreeSet<String> keys = new TreeSet<>();
    samples.forEach(s -> keys.addAll(s.labels().keySet()));
    StringBuilder b = new StringBuilder("metric,timestamp,value");
    keys.descendingSet().forEach(k -> b.append(',').append(k));
    b.append('\n');
    for (Sample s : samples) {
      b.append(s.metric())
          .append(',')
          .append(epochMillis ? String.valueOf(s.ts().toEpochMilli()) : s.ts().toString())
          .append(',')
          .append(s.value());
      keys.descendingSet()
          .forEach(k -> b.append(',').append(quote(s.labels().getOrDefault(k, ""))));
      b.append('\n');
    }
    write(file, b.toString());
  }

  /**
   * Parquet through Spark: TIMESTAMP or INT64 epoch-ms timestamps, labels in the map, plus each of
   * {@code topLevel} as its own STRING column (which wins over the map).
   */
  public static void writeParquet(
      SparkSession spark,
      Path dir,
      List<Sample> samples,
      boolean epochMillis,
      List<String> topLevel,
      Map<String, String> mapOverrides) {
    StructType schema =
        new StructType()
            .add("timestamp", epochMillis ? DataTypes.LongType : DataTypes.TimestampType)
            .add("metric", DataTypes.StringType)
            .add("value", DataTypes.DoubleType)
            .add("labels", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType));
    for (String c : topLevel) {
      schema = schema.add(c, DataTypes.StringType);
    }
    List<Row> rows = new ArrayList<>();
    for (Sample s : samples) {
      Map<String, String> map = new TreeMap<>(s.labels());
      List<Object> values =
          new ArrayList<>(
              List.of(
                  epochMillis ? s.ts().toEpochMilli() : Timestamp.from(s.ts()),
                  s.metric(),
                  Double.parseDouble(s.value())));
      List<Object> top = new ArrayList<>();
      for (String c : topLevel) {
        top.add(map.remove(c));
        if (mapOverrides.containsKey(c)) {
          map.put(c, mapOverrides.get(c));
        }
      }
      values.add(map);
      values.addAll(top);
      rows.add(RowFactory.create(values.toArray()));
    }
    spark
        .createDataFrame(rows, schema)
        .coalesce(1)
        .write()
        .mode("overwrite")
        .parquet(dir.toString());
  }

  public static void gzip(Path plain, Path gz) {
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(Files.readAllBytes(plain));
      Files.delete(plain);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * {@link #gzip} with the last 30 bytes of the archive dropped: a file cut short in transfer, which no gzip reader
   * can finish.
   */
  public static void gzipCutShort(Path plain, Path gz) {
    gzip(plain, gz);
    try {
      byte[] whole = Files.readAllBytes(gz);
      Files.write(gz, Arrays.copyOf(whole, whole.length - 30));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String quote(String v) {
    return v.contains(",") || v.contains("\"") ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
  }
}
