package dev.idleledger.reliability;

import dev.idleledger.testing.TestSpark;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * The raw inputs of one bad-input case: a copy of the clean base (the real H100 trace, its kube state and CUR, plus a
 * month's other services on the bill and the same instance-hours as a FOCUS export) that the case then breaks. The
 * broken files are either kept under {@code src/test/resources/bad-input/} or made here from the base files, the
 * way they go wrong in the field (truncated, emptied, copied, re-encoded).
 */
final class BadInputs {
  static final String TELEMETRY_FILE = "dcgm-gpu-node-1.csv.gz";
  static final String KUBE_FILE = "ksm-h100-lab.prom";
  static final String CUR_FILE = "cur-00001.csv";
  static final String FOCUS_FILE = "focus-h100.csv";

  final Path root;
  final Path telemetryDay;
  final Path kubeDay;
  final Path curPeriod;
  final Path focusPeriod;

  private BadInputs(Path root) {
    this.root = root;
    this.telemetryDay = root.resolve("telemetry/dt=2026-11-28");
    this.kubeDay = root.resolve("kube/dt=2026-11-28");
    this.curPeriod = root.resolve("cur/BILLING_PERIOD=2026-11");
    this.focusPeriod = root.resolve("focus/BILLING_PERIOD=2026-11");
  }

  /** A fresh copy of the clean base in a new temporary folder. */
  static BadInputs cleanBase() {
    try {
      BadInputs in = new BadInputs(Files.createTempDirectory("bad-input"));
      Path trace = TestSpark.sharedDir().resolve("data/h100-trace");
      for (Path dir : List.of(in.telemetryDay, in.kubeDay, in.curPeriod, in.focusPeriod)) {
        Files.createDirectories(dir);
      }
      Files.copy(
          trace.resolve("telemetry/dt=2026-11-28").resolve(TELEMETRY_FILE),
          in.telemetryDay.resolve(TELEMETRY_FILE));
      Files.copy(
          trace.resolve("kube/dt=2026-11-28").resolve(KUBE_FILE), in.kubeDay.resolve(KUBE_FILE));
      Files.copy(
          trace.resolve("billing/cur/BILLING_PERIOD=2026-11").resolve(CUR_FILE),
          in.curPeriod.resolve(CUR_FILE));
      in.resource("base/cur-other-services.csv", in.curPeriod.resolve("cur-other-services.csv"));
      in.resource("base/" + FOCUS_FILE, in.focusPeriod.resolve(FOCUS_FILE));
      return in;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Path telemetry(String name) {
    return telemetryDay.resolve(name);
  }

  Path kube(String name) {
    return kubeDay.resolve(name);
  }

  Path cur(String name) {
    return curPeriod.resolve(name);
  }

  Path focus(String name) {
    return focusPeriod.resolve(name);
  }

  /** Copies a corpus file from {@code src/test/resources/bad-input/}. */
  void resource(String name, Path to) {
    try (InputStream in = BadInputs.class.getResourceAsStream("/bad-input/" + name)) {
      if (in == null) {
        throw new IllegalStateException("no test resource bad-input/" + name);
      }
      Files.write(to, in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The file's text, gunzipped when its name ends in .gz. */
  static String text(Path file) {
    try {
      byte[] bytes = Files.readAllBytes(file);
      if (file.toString().endsWith(".gz")) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
          bytes = in.readAllBytes();
        }
      }
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void write(Path file, String text) {
    try {
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Rewrites a text file in place (or, for {@code from} != {@code to}, into a new file, removing the old one). */
  static void rewrite(Path from, Path to, UnaryOperator<String> edit) {
    String edited = edit.apply(text(from));
    try {
      Files.delete(from);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    write(to, edited);
  }

  static void rewrite(Path file, UnaryOperator<String> edit) {
    rewrite(file, file, edit);
  }

  /** A gzip of {@code source}'s text cut in half, as a copy interrupted mid-upload leaves it. */
  static void truncatedGzip(Path source, Path to) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
        gz.write(text(source).getBytes(StandardCharsets.UTF_8));
      }
      byte[] whole = bytes.toByteArray();
      Files.write(to, Arrays.copyOf(whole, whole.length / 2));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void emptyFile(Path file) {
    write(file, "");
  }

  static void delete(Path file) {
    try {
      Files.delete(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void copy(Path from, Path to) {
    try {
      Files.copy(from, to);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A CSV re-written record by record through Commons CSV: {@code columns} picks and orders the output columns by
   * name (a name the input lacks gets {@code extra}'s value for the row); {@code bom} and {@code crlf} as Windows
   * tools write them.
   */
  static String reshapeCsv(
      String csv,
      List<String> columns,
      boolean bom,
      boolean crlf,
      BiFunction<CSVRecord, String, String> extra) {
    try (CSVParser p =
        CSVParser.parse(
            new StringReader(csv),
            CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build())) {
      StringWriter out = new StringWriter();
      if (bom) {
        out.write('\uFEFF');
      }
      try (CSVPrinter printer =
          new CSVPrinter(
              out, CSVFormat.RFC4180.builder().setRecordSeparator(crlf ? "\r\n" : "\n").build())) {
        printer.printRecord(columns);
        for (CSVRecord r : p) {
          List<String> cells = new ArrayList<>();
          for (String c : columns) {
            cells.add(r.isMapped(c) ? r.get(c) : extra.apply(r, c));
          }
          printer.printRecord(cells);
        }
      }
      return out.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The header of a CSV text, parsed. */
  static List<String> header(String csv) {
    try (CSVParser p =
        CSVParser.parse(new StringReader(csv), CSVFormat.RFC4180.builder().setHeader().build())) {
      return p.getHeaderNames();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One Parquet file of {@code rows} with {@code schema}, as Spark writes it, copied to {@code to}. */
  static void parquet(SparkSession spark, StructType schema, List<Row> rows, Path to) {
    try {
      Path dir = Files.createTempDirectory("bad-parquet").resolve("out");
      spark.createDataFrame(rows, schema).coalesce(1).write().parquet(dir.toString());
      Path part;
      try (Stream<Path> files = Files.list(dir)) {
        part =
            files
                .filter(p -> p.getFileName().toString().endsWith(".parquet"))
                .findFirst()
                .orElseThrow();
      }
      Files.copy(part, to);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A sample row of the memory-held phase of the trace (GPU 0 held by llama-ft-worker-0), for Parquet fixtures. */
  static Row heldSample(String iso, Object value, Object labels) {
    return RowFactory.create(
        Timestamp.from(Instant.parse(iso)), "DCGM_FI_PROF_GR_ENGINE_ACTIVE", value, labels);
  }

  static final Map<String, String> HELD_LABELS =
      Map.of(
          "cluster",
          "h100-lab",
          "Hostname",
          "gpu-node-1",
          "gpu",
          "0",
          "UUID",
          "GPU-f23f1c32-9f9d-11bd-9160-8a0da07a5cdd",
          "namespace",
          "ml-train",
          "pod",
          "llama-ft-worker-0",
          "container",
          "trainer");
}
