package dev.idleledger.reliability;

import static dev.idleledger.reliability.BadInputs.copy;
import static dev.idleledger.reliability.BadInputs.emptyFile;
import static dev.idleledger.reliability.BadInputs.reshapeCsv;
import static dev.idleledger.reliability.BadInputs.rewrite;
import static dev.idleledger.reliability.BadInputs.text;
import static dev.idleledger.reliability.BadInputs.truncatedGzip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.idleledger.RunFailedException;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.nightly.NightlyRun;
import dev.idleledger.testing.TestSpark;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import scala.collection.JavaConverters;

/**
 * The bad-input corpus (issue 17 §1, RELIABILITY.md "Bad input"): each case breaks one thing in a copy of the clean base
 * ({@link BadInputs}: the real H100 trace, its kube state and bill) and runs the night for 2026-11-28 in-process. A case
 * either completes — every row used, a duplicate, or quarantined with the reason asserted, run_quality's row accounting
 * balanced and its quarantined count equal to the quarantine table's rows, and every good row's money (workload_daily,
 * cluster_daily) what the clean base gives — or is refused: the run stops with a {@link RunFailedException} (the CLI prints
 * its message as its one stderr line; anything else would print a stack trace) whose one line names the file, the row or
 * key, and what to do.
 *
 * <p>The base's money, worked by hand from the trace's bill: one on-demand p5.4xlarge (1 GPU) billed 6.88 for 02:00 and for
 * 03:00; the whole-node share gives gpu_cost = 6.88 x 1.0 / 1 = 6.88 per hour, 13.76 for the day, all of 02:00 unobserved.
 *
 * <p>This class runs the cases that break the cluster's own inputs (telemetry, kube state, the node's instance type);
 * {@link BadBillCorpusTest} runs the bill's (CUR, FOCUS) on the same base. Forty-odd nights in one class would keep one
 * test JVM busy for a quarter of an hour while the other ran out of classes; in two, each JVM can take one.
 */
@Tag("reliability")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputCorpusTest {
  private static final LocalDate DATE = LocalDate.of(2026, 11, 28);
  private static final String DB = "bad_input_corpus";
  private static final String TELEMETRY = "telemetry";
  private static final String KUBE = "kube";
  private static final String CUR = "billing.cur";
  private static final String FOCUS = "billing.focus";
  private static final String DAYS_AWAY = "is days away from its folder dt=2026-11-28";
  private static final String EMPTY =
      "empty file (0 bytes): nothing to read; re-export it or remove it";

  /**
   * The night of the cases that only add a broken file beside the base's: each one's rows are quarantined, and the
   * base's own files are untouched, so the night's money must still be the base's. The cases that change a base
   * file itself go two to a night ("rewritten 1" to "rewritten 5"): one changes the telemetry's file, the other the
   * kube state's, and each checks its own source.
   */
  private static final String ADDED_FILES = "added files";

  private static final String GPU_CSV_HEADER =
      "timestamp,metric,value,cluster,Hostname,gpu,UUID,device,modelName,namespace,pod,container";

  private static SparkSession spark;
  private static List<String> baseMoney;
  private static Map<String, Accounting> baseAccounting;

  /** Which bill the case's night reads. */
  enum Bill {
    CUR,
    FOCUS,
    BOTH
  }

  /** One source's rows_accounted row of run_quality. */
  record Accounting(long read, long used, long quarantined, long duplicate, boolean passed) {}

  /** An expected quarantine row: its source, file name and the start of its reason. */
  record Quarantined(String source, String file, String reasonStart) {}

  /** What a night produced, for a case's own checks. */
  record Night(String runId, Map<String, Accounting> accounting) {}

  /**
   * One case of the corpus. {@code refusal} non-null: the run must stop with one line holding every fragment. {@code
   * night} non-null: the case shares its night with the other cases of that name (see {@link CorpusNight}).
   */
  record BadInputCase(
      String name,
      Consumer<BadInputs> breakIt,
      Bill bill,
      List<String> settings,
      List<Quarantined> quarantined,
      List<String> refusal,
      Consumer<Night> check,
      String night) {
    @Override
    public String toString() {
      return name;
    }

    BadInputCase with(String... setting) {
      List<String> all = new ArrayList<>(settings);
      all.addAll(List.of(setting));
      return new BadInputCase(name, breakIt, bill, all, quarantined, refusal, check, night);
    }

    BadInputCase billedBy(Bill b) {
      return new BadInputCase(name, breakIt, b, settings, quarantined, refusal, check, night);
    }

    BadInputCase then(Consumer<Night> more) {
      return new BadInputCase(
          name, breakIt, bill, settings, quarantined, refusal, check.andThen(more), night);
    }

    /** The case runs in the night named {@code shared}, with the corpus's other cases of that night. */
    BadInputCase inNight(String shared) {
      return new BadInputCase(name, breakIt, bill, settings, quarantined, refusal, check, shared);
    }
  }

  /**
   * The cases one night runs. Cases share a night only where each breaks files no other case of the night touches
   * and checks only its own source's figures: a night's expected quarantine rows are then the union of its cases',
   * nothing else may be quarantined, and every good row's money is still the clean base's, so each case is held to
   * what it would be held to alone. A night costs a CI minute whatever its rows; the corpus's 23 cluster-input cases
   * run in 6 nights this way. {@code -Dbad-input.alone=true} gives every case a night of its own.
   */
  record CorpusNight(List<BadInputCase> cases) {
    CorpusNight {
      if (cases.size() > 1
          && (cases.stream().anyMatch(c -> c.refusal() != null)
              || cases.stream().map(BadInputCase::bill).distinct().count() > 1
              || cases.stream().anyMatch(c -> !c.settings().isEmpty()))) {
        throw new IllegalArgumentException(
            "a shared night holds only completing cases on one bill without settings: " + cases);
      }
    }

    @Override
    public String toString() {
      return cases.size() == 1
          ? cases.get(0).name()
          : cases.size()
              + " cases in one night: "
              + cases.stream().map(BadInputCase::name).collect(Collectors.joining("; "));
    }
  }

  static BadInputCase completes(
      String name, Consumer<BadInputs> breakIt, Quarantined... quarantined) {
    return new BadInputCase(
        name, breakIt, Bill.CUR, List.of(), List.of(quarantined), null, n -> {}, null);
  }

  static BadInputCase refused(String name, Consumer<BadInputs> breakIt, String... fragments) {
    return new BadInputCase(
        name, breakIt, Bill.CUR, List.of(), List.of(), List.of(fragments), n -> {}, null);
  }

  static Quarantined q(String source, String file, String reasonStart) {
    return new Quarantined(source, file, reasonStart);
  }

  @BeforeAll
  static void cleanNight() {
    spark = TestSpark.session();
    Night base = night(BadInputs.cleanBase(), Bill.CUR, List.of());
    baseMoney = money();
    baseAccounting = base.accounting();
  }

  @Test
  void theCleanBaseBillsTwoHoursOfOneH100AndConservesThem() {
    Row c =
        spark
            .sql(
                "SELECT gpu_cost, allocated_cost + unallocated_cost + unobserved_cost, reconciliation_delta FROM "
                    + DB
                    + ".cluster_daily WHERE date = DATE'"
                    + DATE
                    + "'")
            .first();
    assertEquals(2 * 6.88, c.getDouble(0), 1e-9, "6.88 x 1.0 / 1 GPU for each of 02:00 and 03:00");
    assertEquals(2 * 6.88, c.getDouble(1), 1e-9, "allocated + unallocated + unobserved = billed");
    assertEquals(0.0, c.getDouble(2), 1e-9);
    assertTrue(
        baseAccounting.values().stream().allMatch(a -> a.quarantined() == 0 && a.passed()),
        baseAccounting.toString());
  }

  /**
   * This class's part of the corpus, night by night; or with {@code -Dbad-input.case=TEXT[|TEXT…]} (surefire passes it
   * to the test JVM) only the cases whose names contain one of the texts, each in a night of its own: one case's night
   * to reproduce, without the others'. {@code -Dbad-input.alone=true} runs every case in a night of its own.
   */
  Stream<CorpusNight> corpus() {
    String only = System.getProperty("bad-input.case", "");
    List<String> wanted = only.isBlank() ? List.of() : List.of(only.split("\\|"));
    boolean alone = !wanted.isEmpty() || Boolean.getBoolean("bad-input.alone");
    Map<Object, List<BadInputCase>> nights = new LinkedHashMap<>();
    allCases()
        .filter(this::runs)
        .filter(c -> wanted.isEmpty() || wanted.stream().anyMatch(w -> c.name().contains(w.trim())))
        .forEach(
            c ->
                nights
                    .computeIfAbsent(
                        alone || c.night() == null ? c : c.night(), k -> new ArrayList<>())
                    .add(c));
    return nights.values().stream().map(CorpusNight::new);
  }

  /** Whether this class runs the case: here, every case but the bill's. */
  boolean runs(BadInputCase c) {
    return !breaksTheBill(c);
  }

  /** A case named for the bill it breaks: "cur …" or "focus …". */
  static boolean breaksTheBill(BadInputCase c) {
    return c.name().startsWith("cur ") || c.name().startsWith("focus ");
  }

  private static Stream<BadInputCase> allCases() {
    return Stream.of(
        // ---- telemetry: CSV (the trace's own encoding), Parquet, Prometheus text ----
        completes(
                "telemetry csv.gz truncated mid-upload is quarantined whole",
                in ->
                    truncatedGzip(
                        in.telemetry(BadInputs.TELEMETRY_FILE),
                        in.telemetry("dcgm-gpu-node-1-retry.csv.gz")),
                q(TELEMETRY, "dcgm-gpu-node-1-retry.csv.gz", "corrupt gzip"))
            .inNight(ADDED_FILES),
        completes(
                "telemetry zero-byte csv is quarantined as an empty file",
                in -> emptyFile(in.telemetry("dcgm-0400.csv")),
                q(TELEMETRY, "dcgm-0400.csv", EMPTY))
            .inNight(ADDED_FILES),
        completes(
                "telemetry zero-byte parquet is quarantined as an empty file",
                in -> emptyFile(in.telemetry("dcgm-0400.parquet")),
                q(TELEMETRY, "dcgm-0400.parquet", EMPTY))
            .inNight(ADDED_FILES),
        completes(
                "telemetry parquet whose value column is BOOLEAN is quarantined whole naming the column",
                in ->
                    BadInputs.parquet(
                        spark,
                        new StructType()
                            .add("timestamp", DataTypes.TimestampType)
                            .add("metric", DataTypes.StringType)
                            .add("value", DataTypes.BooleanType)
                            .add(
                                "labels",
                                DataTypes.createMapType(
                                    DataTypes.StringType, DataTypes.StringType)),
                        List.of(BadInputs.heldSample("2026-11-28T03:03:40.596Z", true, scalaMap())),
                        in.telemetry("dcgm-bool.parquet")),
                q(
                    TELEMETRY,
                    "dcgm-bool.parquet",
                    "Parquet column value is BOOLEAN, expected a number (DOUBLE)"))
            .inNight(ADDED_FILES),
        completes(
                "telemetry parquet whose labels column is a STRING is quarantined whole naming the column",
                in ->
                    BadInputs.parquet(
                        spark,
                        new StructType()
                            .add("timestamp", DataTypes.TimestampType)
                            .add("metric", DataTypes.StringType)
                            .add("value", DataTypes.DoubleType)
                            .add("labels", DataTypes.StringType),
                        List.of(
                            BadInputs.heldSample(
                                "2026-11-28T03:03:40.596Z",
                                0.97,
                                "{\"UUID\":\"GPU-f23f1c32-9f9d-11bd-9160-8a0da07a5cdd\"}")),
                        in.telemetry("dcgm-labels-text.parquet")),
                q(TELEMETRY, "dcgm-labels-text.parquet", "Parquet column labels is BINARY"))
            .inNight(ADDED_FILES),
        completes(
                "telemetry csv without its value column is quarantined whole",
                in ->
                    in.resource(
                        "telemetry/missing-value-column.csv",
                        in.telemetry("missing-value-column.csv")),
                q(TELEMETRY, "missing-value-column.csv", "CSV missing required column(s): value"))
            .inNight(ADDED_FILES),
        completes(
                "telemetry csv with an extra column loads unchanged",
                in ->
                    rewrite(
                        in.telemetry(BadInputs.TELEMETRY_FILE),
                        in.telemetry("dcgm-extra-column.csv"),
                        csv ->
                            reshapeCsv(
                                csv,
                                append(BadInputs.header(csv), "archiver"),
                                false,
                                false,
                                (r, c) -> "prom-archiver-7")))
            .inNight("rewritten 1")
            .then(n -> assertEquals(baseAccounting.get(TELEMETRY), n.accounting().get(TELEMETRY))),
        completes(
                "telemetry csv with its columns shuffled loads unchanged",
                in ->
                    rewrite(
                        in.telemetry(BadInputs.TELEMETRY_FILE),
                        in.telemetry("dcgm-shuffled.csv"),
                        csv ->
                            reshapeCsv(
                                csv,
                                List.of(
                                    "UUID",
                                    "value",
                                    "pod",
                                    "Hostname",
                                    "container",
                                    "metric",
                                    "gpu",
                                    "namespace",
                                    "timestamp",
                                    "modelName",
                                    "cluster",
                                    "device"),
                                false,
                                false,
                                (r, c) -> fail(c))))
            .inNight("rewritten 2")
            .then(n -> assertEquals(baseAccounting.get(TELEMETRY), n.accounting().get(TELEMETRY))),
        completes(
                "telemetry csv with a byte order mark and CRLF lines loads unchanged",
                in ->
                    rewrite(
                        in.telemetry(BadInputs.TELEMETRY_FILE),
                        in.telemetry("dcgm-windows.csv"),
                        csv ->
                            reshapeCsv(csv, BadInputs.header(csv), true, true, (r, c) -> fail(c))))
            .inNight("rewritten 3")
            .then(n -> assertEquals(baseAccounting.get(TELEMETRY), n.accounting().get(TELEMETRY))),
        completes(
                "telemetry csv with unicode and 10 kB label values loads unchanged",
                in ->
                    rewrite(
                        in.telemetry(BadInputs.TELEMETRY_FILE),
                        in.telemetry("dcgm-long-labels.csv"),
                        csv ->
                            reshapeCsv(
                                csv,
                                append(BadInputs.header(csv), "note"),
                                false,
                                false,
                                (r, c) ->
                                    r.get("metric").equals("DCGM_FI_PROF_GR_ENGINE_ACTIVE")
                                        ? "x".repeat(10_240)
                                        : "Überwachung ✓ 監視 \"ok\", done")))
            .inNight("rewritten 4")
            .then(n -> assertEquals(baseAccounting.get(TELEMETRY), n.accounting().get(TELEMETRY))),
        completes(
                "telemetry NaN, infinite, negative and huge values are quarantined row by row",
                in -> in.resource("telemetry/bad-values.prom", in.telemetry("bad-values.prom")),
                // Lines 3-7 of the file (two comment lines first).
                q(TELEMETRY, "bad-values.prom:3", "NaN value"),
                q(TELEMETRY, "bad-values.prom:4", "infinite value"),
                q(TELEMETRY, "bad-values.prom:5", "negative FB"),
                q(TELEMETRY, "bad-values.prom:6", "implausibly large value (above 1e12)"),
                q(TELEMETRY, "bad-values.prom:7", "infinite value"))
            .inNight(ADDED_FILES),
        completes(
                "telemetry prometheus lines with broken escaping or no timestamp are quarantined",
                in -> in.resource("telemetry/broken-lines.prom", in.telemetry("broken-lines.prom")),
                q(TELEMETRY, "broken-lines.prom:2", "broken Prometheus escaping"),
                q(TELEMETRY, "broken-lines.prom:3", "missing timestamp"))
            .inNight(ADDED_FILES),
        completes(
                "telemetry timestamps in the future, the far past and in epoch seconds are quarantined",
                in ->
                    in.resource("telemetry/far-timestamps.csv", in.telemetry("far-timestamps.csv")),
                q(TELEMETRY, "far-timestamps.csv:2", "timestamp 2031-11-28T03:03:46Z " + DAYS_AWAY),
                q(TELEMETRY, "far-timestamps.csv:3", "timestamp 2001-11-28T03:03:47Z " + DAYS_AWAY),
                // 1795835028 seconds read as milliseconds: 1970-01-21T18:50:35.028Z.
                q(TELEMETRY, "far-timestamps.csv:4", "timestamp 1970-01-21T18:50:35Z " + DAYS_AWAY))
            .inNight(ADDED_FILES),
        completes(
                "telemetry file duplicated under a second name counts every row once",
                in ->
                    copy(
                        in.telemetry(BadInputs.TELEMETRY_FILE),
                        in.telemetry("dcgm-gpu-node-1 (copy).csv.gz")))
            .inNight("rewritten 5")
            .then(
                n -> {
                  Accounting base = baseAccounting.get(TELEMETRY);
                  Accounting twice = n.accounting().get(TELEMETRY);
                  assertEquals(2 * base.read(), twice.read());
                  assertEquals(base.used(), twice.used());
                  assertEquals(base.used(), twice.duplicate(), "every used sample arrived twice");
                }),
        completes(
                "telemetry csv rows without a UUID are quarantined",
                in ->
                    BadInputs.write(
                        in.telemetry("no-uuid.csv"),
                        GPU_CSV_HEADER
                            + "\n"
                            + "2026-11-28T03:03:51.596Z,DCGM_FI_PROF_GR_ENGINE_ACTIVE,0.97,h100-lab,gpu-node-1,0,,nvidia0,NVIDIA H100 80GB HBM3,ml-train,llama-ft-worker-0,trainer\n"),
                q(TELEMETRY, "no-uuid.csv:2", "missing UUID"))
            .inNight(ADDED_FILES),

        // ---- kube state (Prometheus text) ----
        completes(
                "kube prom.gz truncated mid-upload is quarantined whole",
                in -> truncatedGzip(in.kube(BadInputs.KUBE_FILE), in.kube("ksm-retry.prom.gz")),
                q(KUBE, "ksm-retry.prom.gz", "corrupt gzip"))
            .inNight(ADDED_FILES),
        completes(
                "kube zero-byte prom is quarantined as an empty file",
                in -> emptyFile(in.kube("ksm-0400.prom")),
                q(KUBE, "ksm-0400.prom", EMPTY))
            .inNight(ADDED_FILES),
        completes(
                "kube prom with CRLF lines loads unchanged",
                in -> rewrite(in.kube(BadInputs.KUBE_FILE), t -> t.replace("\n", "\r\n")))
            .inNight("rewritten 1")
            .then(n -> assertEquals(baseAccounting.get(KUBE), n.accounting().get(KUBE))),
        completes(
                "kube file duplicated under a second name counts every row once",
                in -> copy(in.kube(BadInputs.KUBE_FILE), in.kube("ksm-h100-lab-copy.prom")))
            .inNight("rewritten 4")
            .then(
                n ->
                    assertEquals(
                        baseAccounting.get(KUBE).used(), n.accounting().get(KUBE).duplicate())),
        completes(
                "kube NaN, huge and epoch-seconds samples are quarantined row by row",
                in -> in.resource("kube/bad-values.prom", in.kube("bad-values.prom")),
                q(KUBE, "bad-values.prom:2", "NaN value"),
                q(KUBE, "bad-values.prom:3", "implausibly large value"),
                q(KUBE, "bad-values.prom:4", "timestamp 1970-01-21T18:50:34Z " + DAYS_AWAY))
            .inNight(ADDED_FILES),
        completes(
                "kube pod label with quotes and a newline reaches the team unchanged",
                in ->
                    rewrite(
                        in.kube(BadInputs.KUBE_FILE),
                        t ->
                            t.replace(
                                "label_team=\"ml-platform\"",
                                "label_team=\"ml \\\"platform\\\"\\nteam\"")))
            .inNight("rewritten 2")
            .then(n -> assertEquals("ml \"platform\"\nteam", team("llama-ft"))),
        completes(
                "kube unicode and 10 kB label values load unchanged",
                in ->
                    rewrite(
                        in.kube(BadInputs.KUBE_FILE),
                        t ->
                            t.replace(
                                    "label_team=\"ml-platform\"", "label_team=\"機械学習-Plattform ✓\"")
                                .replace(
                                    "label_app=\"llm-serve\"",
                                    "label_app=\"" + "a".repeat(10_240) + "\"")))
            .inNight("rewritten 3")
            .then(n -> assertEquals("機械学習-Plattform ✓", team("llama-ft"))),
        completes(
                "node of an instance type the catalog lacks is costed and warned about",
                in -> {
                  rewrite(
                      in.kube(BadInputs.KUBE_FILE),
                      t -> t.replace("instance_type=\"p5.4xlarge\"", "instance_type=\"p9.mega\""));
                  rewrite(in.cur(BadInputs.CUR_FILE), t -> t.replace("p5.4xlarge", "p9.mega"));
                })
            .inNight("rewritten 5")
            .then(
                n ->
                    assertEquals(
                        1.0,
                        check(n, "unknown_gpu_instance_types").getDouble(0),
                        0.0,
                        "one instance, GPUs from its capacity")),

        // ---- CUR 2.0 ----
        refused(
            "cur csv.gz truncated mid-upload stops the night naming the file",
            in -> truncatedGzip(in.cur(BadInputs.CUR_FILE), in.cur("cur-00002.csv.gz")),
            "cur-00002.csv.gz: unreadable file",
            "fix or remove the file, then re-run"),
        refused(
            "cur zero-byte file stops the night naming the file",
            in -> emptyFile(in.cur("cur-00002.csv")),
            "cur-00002.csv: " + EMPTY),
        refused(
            "cur with an older export's schema stops the night saying which export to use",
            in -> {
              BadInputs.delete(in.cur(BadInputs.CUR_FILE));
              in.resource("cur/legacy-cur-1.0.csv", in.cur("legacy-cur-1.0.csv"));
            },
            "legacy-cur-1.0.csv: legacy CUR column names (identity/LineItemId, identity/TimeInterval, ...): export as CUR 2.0 or FOCUS"),
        refused(
            "cur without line_item_unblended_cost stops the night naming the column",
            in ->
                rewrite(
                    in.cur(BadInputs.CUR_FILE),
                    csv ->
                        reshapeCsv(
                            csv,
                            BadInputs.header(csv).stream()
                                .filter(c -> !c.equals("line_item_unblended_cost"))
                                .toList(),
                            false,
                            false,
                            (r, c) -> fail(c))),
            "cur-00001.csv: missing required column line_item_unblended_cost"),
        completes(
                "cur with a byte order mark, CRLF lines, shuffled and extra columns loads unchanged",
                in ->
                    rewrite(
                        in.cur(BadInputs.CUR_FILE),
                        csv -> {
                          List<String> columns = new ArrayList<>(BadInputs.header(csv));
                          Collections.reverse(columns);
                          columns.add("identity_line_item_id");
                          return reshapeCsv(
                              csv, columns, true, true, (r, c) -> "li-" + r.getRecordNumber());
                        }))
            .then(n -> assertEquals(baseAccounting.get(CUR), n.accounting().get(CUR))),
        completes(
            "cur NaN and infinite costs are quarantined row by row",
            in ->
                appendLines(
                    in.cur(BadInputs.CUR_FILE),
                    curInstanceLine("2026-11-28T04:00:00Z", "2026-11-28T05:00:00Z", "NaN", "USD"),
                    curInstanceLine(
                        "2026-11-28T05:00:00Z", "2026-11-28T06:00:00Z", "Infinity", "USD")),
            // The base file has a header and three lines: the new lines are 5 and 6.
            q(CUR, "cur-00001.csv:5", "non-numeric line_item_unblended_cost"),
            q(CUR, "cur-00001.csv:6", "non-numeric line_item_unblended_cost")),
        completes(
            "cur instance line ending before it starts is quarantined",
            in ->
                appendLines(
                    in.cur(BadInputs.CUR_FILE),
                    curInstanceLine("2026-11-28T05:00:00Z", "2026-11-28T04:00:00Z", "6.88", "USD")),
            q(CUR, "cur-00001.csv:5", "usage end not after start")),
        refused(
            "cur in another currency stops the night naming file, line and currency",
            in -> {
              rewrite(in.cur(BadInputs.CUR_FILE), t -> t.replace(",USD,", ",EUR,"));
              rewrite(in.cur("cur-other-services.csv"), t -> t.replace(",USD,", ",EUR,"));
            },
            "cur-00001.csv line 2: currency EUR, but input.billing.currency is USD",
            "set input.billing.currency = EUR"),
        completes(
                "cur wholly in EUR loads when input.billing.currency says EUR",
                in -> {
                  rewrite(in.cur(BadInputs.CUR_FILE), t -> t.replace(",USD,", ",EUR,"));
                  rewrite(in.cur("cur-other-services.csv"), t -> t.replace(",USD,", ",EUR,"));
                })
            .with("input.billing.currency=EUR")
            .then(
                n ->
                    assertEquals(
                        "EUR",
                        spark
                            .sql("SELECT max(currency) FROM " + DB + ".cluster_daily")
                            .first()
                            .getString(0))),
        refused(
            "cur line in another currency than the rest stops the night",
            in ->
                appendLines(
                    in.cur("cur-other-services.csv"),
                    curLine(
                        "2026-11-28T23:00:00Z",
                        "2026-11-29T00:00:00Z",
                        "AmazonS3",
                        "USE1-TimedStorage-ByteHrs",
                        "lake-bucket",
                        "0.0211",
                        "GBP")),
            "cur-other-services.csv line 50: currency GBP"),
        completes(
                "cur file duplicated under a second name counts its lines once",
                in -> copy(in.cur(BadInputs.CUR_FILE), in.cur("cur-00001 (copy).csv")))
            .then(
                n ->
                    assertEquals(3, n.accounting().get(CUR).duplicate(), "the copy's three lines")),
        completes(
                "cur and focus billing the same instance-hours count them once, from the preferred cur")
            .billedBy(Bill.BOTH)
            .then(
                n ->
                    assertEquals(
                        2,
                        n.accounting().get(FOCUS).duplicate(),
                        "FOCUS's two instance-hour lines")),

        // ---- FOCUS ----
        completes("focus in place of the cur gives the same money").billedBy(Bill.FOCUS),
        refused(
                "focus of an unknown version stops the night saying which versions are read",
                in -> {
                  BadInputs.delete(in.focus(BadInputs.FOCUS_FILE));
                  in.resource("focus/focus-0.5.csv", in.focus("focus-0.5.csv"));
                },
                "focus-0.5.csv: FOCUS columns of a version this job does not read (it reads FOCUS 1.0 to 1.3)")
            .billedBy(Bill.FOCUS),
        refused(
                "focus csv.gz truncated mid-upload stops the night naming the file",
                in -> truncatedGzip(in.focus(BadInputs.FOCUS_FILE), in.focus("focus-00002.csv.gz")),
                "focus-00002.csv.gz: unreadable file")
            .billedBy(Bill.FOCUS),
        completes(
                "focus with a byte order mark and CRLF lines loads unchanged",
                in ->
                    rewrite(
                        in.focus(BadInputs.FOCUS_FILE),
                        csv ->
                            reshapeCsv(csv, BadInputs.header(csv), true, true, (r, c) -> fail(c))))
            .billedBy(Bill.FOCUS),
        completes(
                "focus NaN cost and a charge ending before it starts are quarantined row by row",
                in ->
                    appendLines(
                        in.focus(BadInputs.FOCUS_FILE),
                        focusInstanceLine(
                            "2026-11-28T04:00:00Z", "2026-11-28T05:00:00Z", "NaN", "USD"),
                        focusInstanceLine(
                            "2026-11-28T06:00:00Z", "2026-11-28T05:00:00Z", "6.88", "USD")),
                // Header and 50 lines: the new ones are 52 and 53.
                q(FOCUS, "focus-h100.csv:52", "non-numeric EffectiveCost"),
                q(FOCUS, "focus-h100.csv:53", "usage end not after start"))
            .billedBy(Bill.FOCUS),
        refused(
                "focus in another currency stops the night naming file, line and currency",
                in -> rewrite(in.focus(BadInputs.FOCUS_FILE), t -> t.replace(",USD,", ",JPY,")),
                "focus-h100.csv line 2: currency JPY, but input.billing.currency is USD")
            .billedBy(Bill.FOCUS),
        completes(
                "focus file duplicated under a second name counts its lines once",
                in -> copy(in.focus(BadInputs.FOCUS_FILE), in.focus("focus-h100-redelivered.csv")))
            .billedBy(Bill.FOCUS)
            .then(
                n ->
                    assertEquals(
                        50, n.accounting().get(FOCUS).duplicate(), "the copy's 50 lines")));
  }

  static BadInputCase completes(String name) {
    return completes(name, in -> {});
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void badInput(CorpusNight night) {
    try {
      runNight(night);
      night.cases().forEach(c -> System.err.println("[bad-input] ok: " + c.name()));
    } catch (AssertionError | RuntimeException e) {
      // Said as each night ends: a corpus night takes seconds, the class minutes, and surefire
      // reports at its end.
      System.err.println(
          "[bad-input] FAILED: "
              + night
              + ": "
              + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
      throw e;
    }
  }

  private void runNight(CorpusNight night) {
    BadInputs in = BadInputs.cleanBase();
    night.cases().forEach(c -> c.breakIt().accept(in));
    BadInputCase c = night.cases().get(0);
    if (c.refusal() != null) {
      RunFailedException e =
          assertThrows(
              RunFailedException.class,
              () -> night(in, c.bill(), c.settings()),
              "only a RunFailedException is printed as one line; anything else ends in a stack trace");
      assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
      System.err.println("[bad-input] refused: " + e.getMessage());
      for (String fragment : c.refusal()) {
        assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' in: " + e.getMessage());
      }
      return;
    }
    Night n = night(in, c.bill(), c.settings());
    n.accounting()
        .forEach(
            (source, a) -> {
              assertTrue(
                  a.passed(), source + ": read = used + quarantined + duplicate + ignored: " + a);
              assertEquals(
                  quarantineRows(n.runId(), source),
                  a.quarantined(),
                  source + ": run_quality counts the quarantine table's rows");
            });
    List<Row> quarantined = quarantine(n.runId());
    quarantined.forEach(
        r ->
            System.err.println(
                "[bad-input] quarantined: "
                    + r.getString(0)
                    + " "
                    + fileName(r.getString(1))
                    + (r.isNullAt(2) ? "" : ":" + r.getLong(2))
                    + " "
                    + r.getString(3)));
    assertQuarantined(
        night.cases().stream().flatMap(one -> one.quarantined().stream()).toList(), quarantined);
    assertEquals(baseMoney, money(), "every good row's money is what the clean base gives");
    for (BadInputCase one : night.cases()) {
      try {
        one.check().accept(n);
      } catch (AssertionError e) {
        throw new AssertionError(one.name() + ": " + e.getMessage(), e);
      }
    }
  }

  private static Night night(BadInputs in, Bill bill, List<String> settings) {
    List<String> all =
        new ArrayList<>(
            List.of(
                "catalog.database=" + DB,
                "input.telemetry=" + in.root.resolve("telemetry"),
                "input.kube=" + in.root.resolve("kube"),
                "input.billing.cur=" + (bill == Bill.FOCUS ? "" : in.root.resolve("cur")),
                "input.billing.focus=" + (bill == Bill.CUR ? "" : in.root.resolve("focus"))));
    all.addAll(settings);
    LedgerConfig config = TestSpark.config(all.toArray(String[]::new));
    String runId = NightlyRun.newRunId();
    new NightlyRun(spark, config).runDate(DATE, runId);
    Map<String, Accounting> accounting = new LinkedHashMap<>();
    for (Row r :
        spark
            .sql(
                "SELECT source, rows_read, rows_used, rows_quarantined, rows_duplicate, passed FROM "
                    + DB
                    + ".run_quality WHERE check = 'rows_accounted' AND run_id = '"
                    + runId
                    + "'")
            .collectAsList()) {
      accounting.put(
          r.getString(0),
          new Accounting(r.getLong(1), r.getLong(2), r.getLong(3), r.getLong(4), r.getBoolean(5)));
    }
    return new Night(runId, accounting);
  }

  /** The money of the date's gold rows, one line per workload and per cluster, to 1e-9. */
  private static List<String> money() {
    String d = "date = DATE'" + DATE + "'";
    Stream<String> workloads =
        spark
            .sql(
                "SELECT namespace, workload_kind, workload_name, cost, idle_cost, idle_memory_held_cost, "
                    + "unused_capacity_cost, gpu_hours FROM "
                    + DB
                    + ".workload_daily WHERE "
                    + d)
            .collectAsList()
            .stream()
            .map(BadInputCorpusTest::line);
    Stream<String> clusters =
        spark
            .sql(
                "SELECT cluster, gpu_cost, allocated_cost, idle_cost, unallocated_cost, unobserved_cost, "
                    + "reconciliation_delta, billed_gpu_hours FROM "
                    + DB
                    + ".cluster_daily WHERE "
                    + d)
            .collectAsList()
            .stream()
            .map(BadInputCorpusTest::line);
    return Stream.concat(workloads, clusters).sorted().toList();
  }

  private static String line(Row r) {
    List<String> cells = new ArrayList<>();
    for (int i = 0; i < r.size(); i++) {
      Object v = r.get(i);
      cells.add(v instanceof Double x ? String.format(Locale.ROOT, "%.9f", x) : String.valueOf(v));
    }
    return String.join(" | ", cells);
  }

  private static List<Row> quarantine(String runId) {
    return spark
        .sql(
            "SELECT source, file, line, reason FROM "
                + DB
                + ".quarantine WHERE run_id = '"
                + runId
                + "'")
        .collectAsList();
  }

  private static long quarantineRows(String runId, String source) {
    return spark
        .sql(
            "SELECT count(*) FROM "
                + DB
                + ".quarantine WHERE run_id = '"
                + runId
                + "' AND source = '"
                + source
                + "'")
        .first()
        .getLong(0);
  }

  /** Each expected row matches one quarantine row (source, file name[:line], reason start), and nothing else is there. */
  private static void assertQuarantined(List<Quarantined> expected, List<Row> actual) {
    List<String> left =
        actual.stream()
            .map(
                r ->
                    r.getString(0)
                        + " "
                        + fileName(r.getString(1))
                        + (r.isNullAt(2) ? "" : ":" + r.getLong(2))
                        + " "
                        + r.getString(3))
            .collect(Collectors.toCollection(ArrayList::new));
    String all = String.join("\n", left);
    for (Quarantined q : expected) {
      String wanted = q.source() + " " + q.file() + " " + q.reasonStart();
      String match =
          left.stream()
              .filter(l -> l.startsWith(wanted))
              .findFirst()
              .orElseThrow(
                  () -> new AssertionError("no quarantine row '" + wanted + "' among:\n" + all));
      left.remove(match);
    }
    assertEquals(List.of(), left, "nothing else is quarantined");
  }

  private static String fileName(String path) {
    return path.substring(path.lastIndexOf('/') + 1)
        .replace("%20", " ")
        .replace("%28", "(")
        .replace("%29", ")");
  }

  private static String team(String workload) {
    return spark
        .sql(
            "SELECT team FROM "
                + DB
                + ".workload_daily WHERE date = DATE'"
                + DATE
                + "' AND workload_name = '"
                + workload
                + "'")
        .first()
        .getString(0);
  }

  private static Row check(Night n, String check) {
    return spark
        .sql(
            "SELECT value FROM "
                + DB
                + ".run_quality WHERE run_id = '"
                + n.runId()
                + "' AND check = '"
                + check
                + "'")
        .first();
  }

  private static List<String> append(List<String> list, String more) {
    List<String> out = new ArrayList<>(list);
    out.add(more);
    return out;
  }

  private static scala.collection.Map<String, String> scalaMap() {
    return JavaConverters.mapAsScalaMap(BadInputs.HELD_LABELS);
  }

  private static void appendLines(Path file, String... lines) {
    String before = text(file);
    BadInputs.write(
        file, before + (before.endsWith("\n") ? "" : "\n") + String.join("\n", lines) + "\n");
  }

  /** A CUR 2.0 on-demand line of the trace's p5.4xlarge, in the base file's column order. */
  private static String curInstanceLine(String start, String end, String cost, String currency) {
    return curLine(
            start,
            end,
            "AmazonEC2",
            "USE1-BoxUsage:p5.4xlarge",
            "i-0c0ffee0000000001",
            cost,
            currency)
        .replace(",OnDemand,,us-east-1,", ",OnDemand,p5.4xlarge,us-east-1,");
  }

  private static String curLine(
      String start,
      String end,
      String product,
      String usageType,
      String resource,
      String cost,
      String currency) {
    return String.join(
        ",",
        "2026-11-01T00:00:00Z",
        "123456789012",
        "Usage",
        start,
        end,
        product,
        usageType,
        "RunInstances",
        resource,
        "1.0",
        cost,
        currency,
        cost,
        "OnDemand",
        "",
        "us-east-1",
        "",
        "");
  }

  /** A FOCUS usage charge of the trace's instance, in the base file's column order. */
  private static String focusInstanceLine(String start, String end, String cost, String currency) {
    return String.join(
        ",",
        cost,
        "999988887777",
        currency,
        "2026-12-01T00:00:00Z",
        "2026-11-01T00:00:00Z",
        "Usage",
        "",
        "$6.88 per On Demand Linux p5.4xlarge Instance Hour",
        "Usage-Based",
        end,
        start,
        "",
        "",
        "1",
        "Hrs",
        cost,
        cost,
        "Standard",
        "AWS",
        "us-east-1",
        "arn:aws:ec2:us-east-1:123456789012:instance/i-0c0ffee0000000001",
        "",
        "Compute",
        "Amazon Elastic Compute Cloud",
        "8KQ2XG7WPD3N5TZR",
        "",
        "123456789012",
        "{}",
        "RunInstances",
        "AmazonEC2",
        "USE1-BoxUsage:p5.4xlarge");
  }
}
