package dev.idleledger.ingest.series;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.testing.TestSpark;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The three Prometheus text dialects (CONTRACTS.md §1.1) read the same samples, each detected per file. The
 * fixtures under {@code prom-dialects/} hold one set of samples as each tool writes it: the exposition format
 * an archiver timestamps, {@code promtool tsdb dump} (sorted labels, {@code __name__} among them, ", " between
 * them, Go's %g values), {@code promtool tsdb dump-openmetrics} (%.3f seconds, {@code # EOF}) and scrapes of
 * {@code /federate} in OpenMetrics (# HELP/# TYPE per family, exponent-form seconds, a counter with exemplars,
 * {@code # EOF} per scrape, and no staleness markers — federation does not pass them on).
 */
class PromTextDialectsTest {
  private static final LocalDate DATE = LocalDate.of(2026, 11, 1);
  private static final Set<String> METRICS =
      Set.of(
          "DCGM_FI_DEV_FB_USED",
          "DCGM_FI_DEV_GPU_UTIL",
          "DCGM_FI_PROF_GR_ENGINE_ACTIVE",
          "kube_pod_labels");
  private static final String GPU_LABELS =
      "{\"Hostname\":\"node-a\",\"UUID\":\"GPU-a\",\"cluster\":\"c1\","
          + "\"container\":\"main \\\"x\\\", y\\\\z\",\"gpu\":\"0\",\"modelName\":\"NVIDIA H100 80GB HBM3\",\"namespace\":\"ml\",\"pod\":\"train-1\"}";
  private static final String POD_LABELS =
      "{\"cluster\":\"c1\",\"label_team\":\"ml \\\"core\\\"\\nplatform\",\"namespace\":\"ml\","
          + "\"pod\":\"train-1\",\"uid\":\"u1\"}";
  private static SparkSession spark;
  private static Path base;

  @BeforeAll
  static void session() throws IOException {
    spark = TestSpark.session();
    base = Files.createTempDirectory("prom-dialects");
  }

  /** An archive root holding {@code text} as {@code dt=DATE/name}, gzipped when the name ends in .gz. */
  private static String archive(String name, String text) {
    Path root = base.resolve(name.replace('.', '-') + "-" + System.nanoTime());
    Path file = root.resolve("dt=" + DATE).resolve(name);
    if (name.endsWith(".gz")) {
      Path plain = file.resolveSibling(name.substring(0, name.length() - 3));
      SampleArchive.write(plain, text);
      SampleArchive.gzip(plain, file);
    } else {
      SampleArchive.write(file, text);
    }
    return root.toString();
  }

  private static String fixture(String name) {
    try (InputStream in =
        PromTextDialectsTest.class.getResourceAsStream("/prom-dialects/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(name, e);
    }
  }

  private static SeriesRead read(String root) {
    return new SeriesArchiveReader(spark).read(root, DATE, METRICS);
  }

  /** metric, epoch ms (or null), value, labels (sorted JSON), reason — one string per sample, in a stable order. */
  private static List<String> samples(SeriesRead read) {
    return read
        .withLabels()
        .selectExpr(
            "concat_ws(' | ', metric, coalesce(cast(unix_millis(ts) AS STRING), 'null'), coalesce(cast(value AS STRING), 'null'), "
                + "to_json(map_from_entries(array_sort(map_entries(labels)))), coalesce(reason, '-')) AS s")
        .orderBy("s")
        .collectAsList()
        .stream()
        .map(r -> r.getString(0))
        .toList();
  }

  private static List<String> expositionSamples() {
    return samples(read(archive("exposition.prom", fixture("exposition.prom"))));
  }

  @Test
  void theExpositionFixtureReadsAsWritten() {
    // 10:00:00Z on 2026-11-01 is 1793491200 + 36000 = 1793527200 s; the middle scrape is 15.123 s
    // later.
    assertEquals(
        List.of(
            "DCGM_FI_DEV_FB_USED | 1793527200000 | 81559.0 | " + GPU_LABELS + " | -",
            "DCGM_FI_DEV_FB_USED | 1793527215123 | 81559.0 | " + GPU_LABELS + " | -",
            "DCGM_FI_DEV_FB_USED | 1793527230000 | 40960.0 | " + GPU_LABELS + " | -",
            "DCGM_FI_DEV_GPU_UTIL | 1793527200000 | 37.0 | " + GPU_LABELS + " | -",
            "DCGM_FI_DEV_GPU_UTIL | 1793527215123 | 42.0 | " + GPU_LABELS + " | -",
            "DCGM_FI_DEV_GPU_UTIL | 1793527230000 | NaN | " + GPU_LABELS + " | NaN value",
            "DCGM_FI_PROF_GR_ENGINE_ACTIVE | 1793527200000 | 0.912345 | " + GPU_LABELS + " | -",
            "DCGM_FI_PROF_GR_ENGINE_ACTIVE | 1793527215123 | 5.0E-5 | " + GPU_LABELS + " | -",
            "DCGM_FI_PROF_GR_ENGINE_ACTIVE | 1793527230000 | 0.0 | " + GPU_LABELS + " | -",
            "kube_pod_labels | 1793527200000 | 1.0 | " + POD_LABELS + " | -",
            "kube_pod_labels | 1793527230000 | 1.0 | " + POD_LABELS + " | -"),
        expositionSamples());
  }

  @Test
  void promtoolDumpReadsTheSameSamplesAsTheExpositionFormat() {
    List<String> expected = expositionSamples();
    assertEquals(
        expected, samples(read(archive("promtool-dump.prom", fixture("promtool-dump.prom")))));
    assertEquals(
        expected, samples(read(archive("promtool-dump.prom.gz", fixture("promtool-dump.prom")))));
  }

  @Test
  void promtoolOpenMetricsDumpReadsTheSameSamplesAsTheExpositionFormat() {
    List<String> expected = expositionSamples();
    assertEquals(
        expected,
        samples(read(archive("dump-openmetrics.prom", fixture("dump-openmetrics.prom")))));
    assertEquals(
        expected,
        samples(read(archive("dump-openmetrics.prom.gz", fixture("dump-openmetrics.prom")))));
  }

  @Test
  void federatedOpenMetricsReadsTheSameSamplesButTheStalenessMarker() {
    List<String> expected = new ArrayList<>(expositionSamples());
    assertTrue(expected.removeIf(s -> s.endsWith("| NaN value")));
    SeriesRead read = read(archive("federate.prom.gz", fixture("federate-openmetrics.prom")));
    assertEquals(expected, samples(read));
    // 10 wanted samples and 3 of the energy counter (unknown here, so ignored; its exemplars are
    // not samples).
    assertEquals(13, read.rowsRead());
    assertEquals(3, read.rowsIgnored());
  }

  @Test
  void eachFileIsDetectedByItsFirstTimestampedSample() throws IOException {
    assertEquals(PromDialect.EXPOSITION, detect(fixture("exposition.prom")));
    assertEquals(PromDialect.PROMTOOL_DUMP, detect(fixture("promtool-dump.prom")));
    assertEquals(PromDialect.OPENMETRICS, detect(fixture("dump-openmetrics.prom")));
    assertEquals(PromDialect.OPENMETRICS, detect(fixture("federate-openmetrics.prom")));
    // Edges: a first line without a timestamp says nothing; a # UNIT line before it is
    // OpenMetrics-only;
    // integer seconds after a # UNIT are OpenMetrics; an exemplar right after a value; a brace
    // inside a value.
    assertEquals(PromDialect.OPENMETRICS, detect("up 1\nup{a=\"}\"} 1 1793527200.5\n"));
    assertEquals(PromDialect.EXPOSITION, detect("up 1\nup{a=\"1 2.5\"} 1 1793527200000\n"));
    assertEquals(
        PromDialect.OPENMETRICS,
        detect("# TYPE x_seconds gauge\n# UNIT x_seconds seconds\nx_seconds 1 1793527200\n"));
    assertEquals(PromDialect.OPENMETRICS, detect("x_total 1 # {trace_id=\"a\"} 1.0\n"));
    assertEquals(PromDialect.OPENMETRICS, detect("up 1\n# EOF\n"));
    assertEquals(PromDialect.EXPOSITION, detect("# nothing but comments\n\n"));
  }

  private static PromDialect detect(String text) throws IOException {
    return PromDialect.detect(new BufferedReader(new StringReader(text)));
  }

  @Test
  void aFileOfNothingButOpenMetricsCommentsHoldsNoSamples() {
    SeriesRead read =
        read(
            archive(
                "empty.prom",
                String.join(
                    "\n",
                    "# HELP DCGM_FI_DEV_GPU_UTIL GPU utilization (in %).",
                    "# TYPE DCGM_FI_DEV_GPU_UTIL gauge",
                    "# HELP gpu_temp_celsius GPU temperature.",
                    "# TYPE gpu_temp_celsius gauge",
                    "# UNIT gpu_temp_celsius celsius",
                    "# EOF",
                    "")));
    assertEquals(List.of(), read.fileErrors());
    assertEquals(0, read.rowsRead());
    assertEquals(0, read.samples().count());
  }

  @Test
  void aLineWithoutTimestampIsRejectedSayingOneIsRequired() {
    String reason =
        "missing timestamp (required: an archived sample without one cannot be placed in time)";
    String labels = "{\"UUID\":\"GPU-a\"}";
    // Exposition: a scrape as the exporter serves it, not timestamped by an archiver.
    assertEquals(
        List.of(
            "DCGM_FI_DEV_GPU_UTIL | 1793527200000 | 37.0 | " + labels + " | -",
            "DCGM_FI_DEV_GPU_UTIL | null | 42.0 | " + labels + " | " + reason),
        samples(
            read(
                archive(
                    "untimed.prom",
                    "DCGM_FI_DEV_GPU_UTIL{UUID=\"GPU-a\"} 42\n"
                        + "DCGM_FI_DEV_GPU_UTIL{UUID=\"GPU-a\"} 37 1793527200000\n"))));
    // OpenMetrics (known by the seconds of the line after), with and without an exemplar after the
    // value.
    assertEquals(
        List.of(
            "DCGM_FI_DEV_GPU_UTIL | 1793527200000 | 37.0 | " + labels + " | -",
            "DCGM_FI_DEV_GPU_UTIL | null | 42.0 | " + labels + " | " + reason,
            "DCGM_FI_DEV_GPU_UTIL | null | 43.0 | " + labels + " | " + reason),
        samples(
            read(
                archive(
                    "untimed-om.prom",
                    "DCGM_FI_DEV_GPU_UTIL{UUID=\"GPU-a\"} 42\n"
                        + "DCGM_FI_DEV_GPU_UTIL{UUID=\"GPU-a\"} 37 1793527200.000\n"
                        + "DCGM_FI_DEV_GPU_UTIL{UUID=\"GPU-a\"} 43 # {trace_id=\"t\"} 1.0\n# EOF\n"))));
    // A promtool dump line cut short.
    assertEquals(
        List.of(
            "DCGM_FI_DEV_GPU_UTIL | 1793527200000 | 37.0 | " + labels + " | -",
            "DCGM_FI_DEV_GPU_UTIL | null | 42.0 | " + labels + " | " + reason),
        samples(
            read(
                archive(
                    "untimed-dump.prom",
                    "{UUID=\"GPU-a\", __name__=\"DCGM_FI_DEV_GPU_UTIL\"} 37 1793527200000\n"
                        + "{UUID=\"GPU-a\", __name__=\"DCGM_FI_DEV_GPU_UTIL\"} 42\n"))));
  }

  @Test
  void theQuarantineNamesTheLineWithoutTimestamp() {
    SeriesRead read =
        read(
            archive(
                "untimed-line.prom",
                "# HELP DCGM_FI_DEV_GPU_UTIL GPU utilization (in %).\n"
                    + "DCGM_FI_DEV_GPU_UTIL{UUID=\"GPU-a\"} 37 1793527200000\nDCGM_FI_DEV_GPU_UTIL{UUID=\"GPU-a\"} 42\n"));
    List<Row> q =
        read.quarantine(read.samples().filter("reason IS NOT NULL"), DATE, "r", "telemetry")
            .collectAsList();
    assertEquals(1, q.size());
    assertEquals(3L, q.get(0).getLong(q.get(0).fieldIndex("line")));
    assertEquals(
        "DCGM_FI_DEV_GPU_UTIL{UUID=\"GPU-a\"} 42", q.get(0).getString(q.get(0).fieldIndex("raw")));
    assertTrue(q.get(0).getString(q.get(0).fieldIndex("reason")).startsWith("missing timestamp"));
  }

  @Test
  void anExemplarLeaksIntoNeitherValueNorLabelsNorTime() {
    // The exemplar has its own labels, value and timestamp; '#', '{' and '}' inside a label value
    // of the sample do not end it early. Seconds with a fraction round to Prometheus' milliseconds:
    // 1793527215.123 s.
    SeriesRead read =
        read(
            archive(
                "exemplar.prom",
                String.join(
                    "\n",
                    "# TYPE DCGM_FI_DEV_GPU_UTIL gauge",
                    "DCGM_FI_DEV_GPU_UTIL{UUID=\"GPU-a\",pod=\"a#{b} c # d\"} 42 1.793527215123e+09 # {trace_id=\"abc\",pod=\"x\"} 99.0 1793527214.5",
                    "DCGM_FI_DEV_GPU_UTIL{UUID=\"GPU-a\",pod=\"a#{b} c # d\"} 43 1793527216.000 # {trace_id=\"def\"} 98.0",
                    "DCGM_FI_DEV_GPU_UTIL{UUID=\"GPU-a\",pod=\"a#{b} c # d\"} 44 1793527217",
                    // Where an exemplar would start, inside a label value: the line breaks and is
                    // quarantined, never misread.
                    "DCGM_FI_DEV_GPU_UTIL{UUID=\"GPU-a\",pod=\"x # {y}\"} 45 1793527218",
                    "# EOF",
                    "")));
    String labels = "{\"UUID\":\"GPU-a\",\"pod\":\"a#{b} c # d\"}";
    assertEquals(
        List.of(
            "DCGM_FI_DEV_GPU_UTIL | 1793527215123 | 42.0 | " + labels + " | -",
            "DCGM_FI_DEV_GPU_UTIL | 1793527216000 | 43.0 | " + labels + " | -",
            "DCGM_FI_DEV_GPU_UTIL | 1793527217000 | 44.0 | " + labels + " | -",
            "DCGM_FI_DEV_GPU_UTIL | null | null | {} | malformed Prometheus line"),
        samples(read));
  }

  @Test
  void nonFiniteValuesAreRejectedAsInTheOtherEncodings() {
    SeriesRead read =
        read(
            archive(
                "nonfinite.prom",
                String.join(
                    "\n",
                    "{UUID=\"GPU-a\", __name__=\"DCGM_FI_DEV_GPU_UTIL\"} NaN 1793527200000",
                    "{UUID=\"GPU-a\", __name__=\"DCGM_FI_DEV_GPU_UTIL\"} +Inf 1793527201000",
                    "{UUID=\"GPU-a\", __name__=\"DCGM_FI_DEV_GPU_UTIL\"} -Inf 1793527202000",
                    "{UUID=\"GPU-a\", __name__=\"DCGM_FI_DEV_GPU_UTIL\"} 1e+06 1793527203000",
                    "")));
    String labels = "{\"UUID\":\"GPU-a\"}";
    assertEquals(
        List.of(
            "DCGM_FI_DEV_GPU_UTIL | 1793527200000 | NaN | " + labels + " | NaN value",
            "DCGM_FI_DEV_GPU_UTIL | 1793527201000 | Infinity | " + labels + " | infinite value",
            "DCGM_FI_DEV_GPU_UTIL | 1793527202000 | -Infinity | " + labels + " | infinite value",
            "DCGM_FI_DEV_GPU_UTIL | 1793527203000 | 1000000.0 | " + labels + " | -"),
        samples(read));
  }

  @Test
  void goQuotedLabelValuesOfPromtoolAreUnquoted() {
    // strconv.Quote writes a tab as \t and a non-printable character as a hexadecimal u-escape; the
    // exposition format has neither.
    SeriesRead read =
        read(
            archive(
                "go-quoted.prom",
                "{UUID=\"GPU-a\", __name__=\"DCGM_FI_DEV_GPU_UTIL\", pod=\"a\\tb\\u00a0c\\\\d\\\"e\\nf\"} 1 1793527200000\n"));
    assertEquals(
        List.of(
            "DCGM_FI_DEV_GPU_UTIL | 1793527200000 | 1.0 | {\"UUID\":\"GPU-a\",\"pod\":\"a\\tb\u00a0c\\\\d\\\"e\\nf\"} | -"),
        samples(read));
  }

  @Test
  void malformedLinesAreRejectedInEachDialect() {
    SeriesRead read =
        read(
            archive(
                "broken.prom",
                String.join(
                    "\n",
                    "{UUID=\"GPU-a\", __name__=\"DCGM_FI_DEV_GPU_UTIL\"} 1 1793527200000",
                    "{UUID=\"GPU-a\", __name__=\"DCGM_FI_DEV_GPU_UTIL\" 2 1793527201000",
                    "{UUID=\"GPU-a\", __name__=\"DCGM_FI_DEV_GPU_UTIL\"} 3 1793527202000 extra",
                    "")));
    List<String> reasons =
        read.samples().orderBy("rid").selectExpr("coalesce(reason, '-')").collectAsList().stream()
            .map(r -> r.getString(0))
            .toList();
    assertEquals(List.of("-", "malformed Prometheus line", "malformed Prometheus line"), reasons);
  }

  @Test
  void everyLineReadIsASampleOrIgnored() {
    // read = samples of wanted metrics (used or quarantined downstream) + ignored; comments are not
    // rows.
    SeriesRead read =
        read(
            archive(
                "mixed.prom",
                String.join(
                    "\n",
                    "# HELP up whether the target answered",
                    "# TYPE up gauge",
                    "up{job=\"dcgm\"} 1 1793527200000",
                    "DCGM_FI_DEV_GPU_UTIL{UUID=\"GPU-a\"} 37 1793527200000",
                    "DCGM_FI_DEV_GPU_UTIL{UUID=\"GPU-a\"} 38",
                    "DCGM_FI_DEV_GPU_UTIL{UUID=\"GPU-a\"} 39 1793440800000", // a day earlier:
                    // ignored
                    "",
                    "")));
    assertEquals(4, read.rowsRead());
    assertEquals(2, read.rowsIgnored());
    assertEquals(read.rowsRead() - read.rowsIgnored(), read.samples().count());
  }
}
