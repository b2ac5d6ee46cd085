package dev.idleledger.airflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idleledger.cli.IdleLedger;
import dev.idleledger.generate.FleetGenerator;
import dev.idleledger.generate.FleetSpec;
import dev.idleledger.generate.TelemetryFormat;
import dev.idleledger.testing.TestSpark;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.io.FileUtils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Airflow DAGs checked without Airflow: airflow-dags/tests/dag_contract.py reads each DAG's syntax tree
 * and renders its templates for a sample data interval; this test holds the result to the real command
 * line (every Spark task's arguments pass {@code --dry-run}) and to CONTRACTS.md §1 (what the sensors watch).
 */
class DagContractTest {
  /** The sample data interval: [2026-11-01T00:00Z, 2026-11-02T00:00Z), so ds = 2026-11-01. */
  static final String SAMPLE_DS = "2026-11-01";

  static final Path REPO =
      Path.of(System.getProperty("idleledger.conf.dir")).toAbsolutePath().normalize().getParent();
  static final Path DAGS = REPO.resolve("airflow-dags");

  /** Distinct sample Variables, so a sensor watching the wrong bucket or prefix cannot pass by accident. */
  static final Map<String, String> VARIABLES =
      Map.of(
          "idle_ledger_raw_bucket", "raw-bucket",
          "idle_ledger_billing_bucket", "billing-bucket",
          "idle_ledger_telemetry_prefix", "dcgm/archive",
          "idle_ledger_kube_prefix", "ksm/archive",
          "idle_ledger_cur_prefix", "cur/gpu-fleet/data",
          "idle_ledger_conf_file", DAGS.resolve("idle-ledger-cluster.conf").toString());

  @TempDir static Path pycache;

  /** Buckets laid out as the archivers and AWS write them, for the sample date (see {@link #archive}). */
  @TempDir Path buckets;

  static List<JsonNode> dags;

  @BeforeAll
  static void readContract() throws Exception {
    dags = contract(SAMPLE_DS);
    assertFalse(dags.isEmpty(), "no DAG files found in " + DAGS);
  }

  @Test
  void everyPythonFileUnderAirflowDagsCompiles() throws Exception {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(DAGS)) {
      files = walk.filter(p -> p.toString().endsWith(".py")).sorted().toList();
    }
    assertTrue(files.size() >= 2, "expected the DAG and the contract reader, found " + files);
    for (Path file : files) {
      Result r = python(List.of("-m", "py_compile", file.toString()));
      assertEquals(0, r.exitCode, file + " does not compile: " + r.stderr);
    }
  }

  @Test
  void everySparkTaskIsAcceptedByTheRealCommandLine() {
    for (JsonNode task : sparkTasks()) {
      assertEquals(
          "dev.idleledger.cli.IdleLedger",
          task.path("java_class").asText(),
          task.path("task_id").asText());
      List<String> args = strings(task.path("application_args"));
      args.add("--dry-run");
      assertEquals(
          IdleLedger.EXIT_OK,
          IdleLedger.execute(args.toArray(String[]::new)),
          task.path("task_id").asText() + " is rejected by the command line: " + args);
    }
  }

  @Test
  void theDataIntervalDrivesTheDateOfEveryRun() throws Exception {
    List<JsonNode> runs = sparkTasks().stream().filter(t -> argsOf(t).contains("--date")).toList();
    assertFalse(runs.isEmpty(), "no Spark task runs a date");
    for (JsonNode task : runs) {
      assertEquals(SAMPLE_DS, valueAfter(argsOf(task), "--date"), task.path("task_id").asText());
    }
    // A second interval, across a month and year end, moves the date with it: the date is
    // templated, not written in.
    for (JsonNode dag : contract("2026-12-31")) {
      for (JsonNode task : dag.path("spark_tasks")) {
        if (argsOf(task).contains("--date")) {
          assertEquals(
              "2026-12-31", valueAfter(argsOf(task), "--date"), task.path("task_id").asText());
        }
      }
    }
  }

  @Test
  void sensorsWatchTheContractLayoutOfWhatTheNightlyRunReads() {
    JsonNode nightly =
        sparkTasks().stream().filter(t -> argsOf(t).contains("nightly")).findFirst().orElse(null);
    assertNotNull(nightly, "no Spark task runs `nightly`");
    Map<String, String> inputs = setOverrides(argsOf(nightly));
    // CONTRACTS §1: telemetry and kube by day (the day is complete once the archiver writes the
    // next day's first hour), CUR by billing month, as the AWS export delivers it (a manifest per
    // delivery under metadata/).
    assertWatched(inputs.get("input.telemetry"), "/dt=2026-11-02/hour=00/");
    assertWatched(inputs.get("input.kube"), "/dt=2026-11-02/hour=00/");
    assertWatched(inputs.get("input.billing.cur"), "/metadata/BILLING_PERIOD=2026-11/");
  }

  @Test
  void dayFolderSensorsFireOnAGeneratedFleetOnlyOnceTheNextDayBegan() throws Exception {
    Path archive = archive();
    Map<String, String> vars =
        Map.of("idle_ledger_day_complete", "next_day", "idle_ledger_cur_layout", "folders");
    // The generator writes dt=2026-11-01/ and dt=2026-11-02/ (with 11-01's stragglers): 11-01 is
    // complete.
    Map<String, JsonNode> day1 = sensors(contract(SAMPLE_DS, vars, Map.of(), archive));
    assertFires(day1.get("wait_telemetry"), "dcgm/archive/dt=2026-11-02/");
    assertFires(day1.get("wait_kube"), "ksm/archive/dt=2026-11-02/");
    assertFires(day1.get("wait_billing"), "cur/gpu-fleet/data/BILLING_PERIOD=2026-11/");
    // 11-02 has begun but the archivers have not moved on to 11-03: its files are present, the day
    // is not complete.
    FileUtils.deleteDirectory(archive.resolve("raw-bucket/dcgm/archive/dt=2026-11-03").toFile());
    FileUtils.deleteDirectory(archive.resolve("raw-bucket/ksm/archive/dt=2026-11-03").toFile());
    Map<String, JsonNode> day2 = sensors(contract("2026-11-02", vars, Map.of(), archive));
    assertTrue(
        Files.isDirectory(archive.resolve("raw-bucket/dcgm/archive/dt=2026-11-02")),
        "the day's own folder is there");
    assertWaits(day2.get("wait_telemetry"));
    assertWaits(day2.get("wait_kube"));
  }

  @Test
  void hourFolderSensorsWaitForTheNextDaysFirstHour() throws Exception {
    Path archive = archive();
    // The archiver's layout with hour folders: each day's files under dt=<day>/hour=00/ (stragglers
    // of a day
    // are flushed into the next day's first hour).
    for (String root : List.of("raw-bucket/dcgm/archive", "raw-bucket/ksm/archive")) {
      try (Stream<Path> days = Files.list(archive.resolve(root))) {
        for (Path day : days.toList()) {
          Path hour = Files.createDirectories(day.resolve("hour=00"));
          try (Stream<Path> files = Files.list(day)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
              Files.move(f, hour.resolve(f.getFileName()));
            }
          }
        }
      }
    }
    Map<String, JsonNode> complete =
        sensors(
            contract(SAMPLE_DS, Map.of("idle_ledger_cur_layout", "folders"), Map.of(), archive));
    assertFires(complete.get("wait_telemetry"), "dcgm/archive/dt=2026-11-02/hour=00/");
    assertFires(complete.get("wait_kube"), "ksm/archive/dt=2026-11-02/hour=00/");
    // Only later hours of the next day, not its first: the sensor does not take them for the start
    // of the day.
    Path kubeNext = archive.resolve("raw-bucket/ksm/archive/dt=2026-11-02");
    Files.move(kubeNext.resolve("hour=00"), kubeNext.resolve("hour=01"));
    assertWaits(
        sensors(contract(SAMPLE_DS, Map.of("idle_ledger_cur_layout", "folders"), Map.of(), archive))
            .get("wait_kube"));
  }

  @Test
  void successMarkerSensorsWaitForTheMarkerInTheDaysFolder() throws Exception {
    Path archive = archive();
    Map<String, String> vars =
        Map.of("idle_ledger_day_complete", "_SUCCESS", "idle_ledger_cur_layout", "folders");
    assertWaits(sensors(contract(SAMPLE_DS, vars, Map.of(), archive)).get("wait_telemetry"));
    Files.createFile(archive.resolve("raw-bucket/dcgm/archive/dt=" + SAMPLE_DS + "/_SUCCESS"));
    Map<String, JsonNode> marked = sensors(contract(SAMPLE_DS, vars, Map.of(), archive));
    assertFires(marked.get("wait_telemetry"), "dcgm/archive/dt=" + SAMPLE_DS + "/_SUCCESS");
    assertWaits(marked.get("wait_kube"));
  }

  @Test
  void billingSensorWantsACurExportManifestWrittenAfterTheDayEnded() throws Exception {
    Path archive = archive();
    // The export as AWS Data Exports delivers it: data/BILLING_PERIOD=<month>/ plus a manifest per
    // delivery.
    Path export = archive.resolve("billing-bucket/cur/gpu-fleet/data");
    Path data = Files.createDirectories(archive.resolve("billing-bucket/export/data"));
    Files.move(export.resolve("BILLING_PERIOD=2026-11"), data.resolve("BILLING_PERIOD=2026-11"));
    FileUtils.deleteDirectory(export.toFile());
    Files.move(archive.resolve("billing-bucket/export"), export);
    Path manifest =
        Files.createDirectories(export.resolve("metadata/BILLING_PERIOD=2026-11"))
            .resolve("gpu-fleet-Manifest.json");
    Files.writeString(manifest, "{\"dataFiles\": [\"data/BILLING_PERIOD=2026-11/cur-00001.csv\"]}");

    // Delivered at 23:00 on the day itself: the month's bill, but it cannot hold the day's last
    // hour.
    Files.setLastModifiedTime(manifest, FileTime.from(Instant.parse("2026-11-01T23:00:00Z")));
    JsonNode early = sensors(contract(SAMPLE_DS, Map.of(), Map.of(), archive)).get("wait_billing");
    assertEquals(
        List.of("cur/gpu-fleet/data/metadata/BILLING_PERIOD=2026-11/gpu-fleet-Manifest.json"),
        strings(early.path("matched_keys")));
    assertFalse(
        early.path("fires").asBoolean(),
        "a delivery before the day ended must not release the run");
    // Delivered the next morning: it does.
    Files.setLastModifiedTime(manifest, FileTime.from(Instant.parse("2026-11-02T05:10:00Z")));
    assertTrue(
        sensors(contract(SAMPLE_DS, Map.of(), Map.of(), archive))
            .get("wait_billing")
            .path("fires")
            .asBoolean());
  }

  @Test
  void theCatalogDatabaseOfTheJobThePublishCheckAndTheAssetsIsOneVariable() throws Exception {
    for (JsonNode dag :
        contract(
            SAMPLE_DS, Map.of(), Map.of("AIRFLOW_VAR_IDLE_LEDGER_DATABASE", "ledger_prod"), null)) {
      for (JsonNode task : dag.path("spark_tasks")) {
        List<String> args = argsOf(task);
        assertEquals(
            "ledger_prod",
            setOverrides(args).get("catalog.database"),
            task.path("task_id").asText());
        if (args.get(0).equals("sql")) {
          Matcher tables =
              Pattern.compile("(?i)\\b(?:FROM|JOIN)\\s+([\\w.]+)").matcher(args.get(1));
          int n = 0;
          while (tables.find()) {
            if (tables.group(1).contains(".")) {
              assertTrue(
                  tables.group(1).startsWith("ledger_prod."),
                  "the publish check reads " + tables.group(1));
              n++;
            }
          }
          assertTrue(n >= 2, "the publish check reads no ledger table");
          assertFalse(
              args.get(1).contains("idle_ledger."),
              "the default database is written into the check");
        }
        for (JsonNode uri : task.path("outlets")) {
          assertTrue(uri.asText().startsWith("idle-ledger://ledger_prod/"), uri.asText());
        }
      }
      if (isNightly(dag)) {
        assertEquals(
            4,
            stream(dag.path("spark_tasks")).mapToInt(t -> t.path("outlets").size()).sum(),
            "the four gold tables as Assets");
      }
    }
  }

  @Test
  void maintenanceRunsInItsOwnDagWithTheJobsConfigAndIsRetriedWhenANightHoldsTheLake() {
    List<JsonNode> maintain =
        sparkTasks().stream().filter(t -> argsOf(t).get(0).equals("maintain")).toList();
    assertEquals(1, maintain.size(), "one task runs `maintain`");
    JsonNode task = maintain.get(0);
    List<String> args = argsOf(task);
    // The retention and the recent dates come from the same config file as the nightly run's, not
    // from flags.
    assertEquals(VARIABLES.get("idle_ledger_conf_file"), valueAfter(args, "--conf"));
    assertEquals("idle_ledger", setOverrides(args).get("catalog.database"));
    assertFalse(
        args.contains("--from") || args.contains("--to"),
        "the weekly run compacts the recent dates: " + args);
    // A night holding the run lock makes maintain exit 1: worth a retry later.
    assertTrue(task.path("retries").asInt() > 0, "maintain is retried");
    for (JsonNode dag : dags) {
      if (stream(dag.path("spark_tasks")).anyMatch(t -> t == task)) {
        assertFalse(isNightly(dag), "maintain runs weekly, not in the nightly DAG");
      }
    }
  }

  @Test
  void badUsageAndAFailedPublishCheckAreNotRetriedButAFailedNightIs() {
    for (JsonNode task : sparkTasks()) {
      // The DAG's operator turns exit 2 into a failure without retries
      // (airflow-dags/tests/test_dag_rules.py).
      assertEquals(
          "LedgerSparkSubmitOperator",
          task.path("operator").asText(),
          task.path("task_id").asText());
      if (argsOf(task).get(0).equals("nightly")) {
        assertTrue(task.path("retries").asInt() > 0, "a failed night (exit 1) is worth a retry");
      }
      if (argsOf(task).get(0).equals("sql")) {
        assertEquals(
            0, task.path("retries").asInt(), "a failed publish check reads the same tables again");
      }
    }
  }

  @Test
  void theReportOfAVerifiedNightIsWrittenToS3NamedForItsDate() {
    // The nightly DAG writes the night's report; the weekly maintenance DAG has none to write.
    for (JsonNode dag : nightlyDags()) {
      JsonNode report = null;
      for (JsonNode task : dag.path("spark_tasks")) {
        report = argsOf(task).get(0).equals("report") ? task : report;
      }
      assertNotNull(report, "no task writes the report");
      List<String> args = argsOf(report);
      assertEquals(SAMPLE_DS, valueAfter(args, "--date"));
      String out = valueAfter(args, "--out");
      assertTrue(out.startsWith("s3a://") && out.endsWith("/" + SAMPLE_DS + ".html"), out);
      boolean afterCheck = false;
      for (JsonNode edge : dag.path("edges")) {
        afterCheck |=
            edge.get(0).asText().equals("publish_check")
                && edge.get(1).asText().equals(report.path("task_id").asText());
      }
      assertTrue(afterCheck, "the report must wait for the publish check: " + dag.path("edges"));
    }
  }

  @Test
  void theDagsPythonTestsPass() throws Exception {
    Result r =
        python(
            List.of(
                "-m",
                "unittest",
                "discover",
                "-s",
                DAGS.resolve("tests").toString(),
                "-p",
                "test_*.py"));
    assertEquals(0, r.exitCode, r.stdout + r.stderr);
    assertTrue(r.stderr.contains("OK") && !r.stderr.contains("Ran 0 tests"), r.stderr);
  }

  @Test
  void lateBillingSkipsItsSensorButNotTheRun() {
    for (JsonNode dag : nightlyDags()) {
      for (JsonNode sensor : dag.path("sensors")) {
        boolean billing = sensor.path("bucket_key").asText().contains("BILLING_PERIOD=");
        assertEquals(
            billing,
            sensor.path("soft_fail").asBoolean(),
            sensor.path("task_id").asText()
                + ": only the billing sensor may give up without failing the run");
        assertTrue(
            sensor.path("deferrable").asBoolean(),
            sensor.path("task_id").asText() + " holds a worker slot while waiting");
        assertTrue(
            sensor.path("timeout").asLong() > 0,
            sensor.path("task_id").asText() + " has no timeout");
        if (billing) {
          for (JsonNode edge : dag.path("edges")) {
            if (edge.get(0).asText().equals(sensor.path("task_id").asText())) {
              assertEquals(
                  "none_failed",
                  task(dag, edge.get(1).asText()).path("trigger_rule").asText(),
                  edge.get(1).asText() + " would be skipped with a late bill");
            }
          }
        }
      }
    }
  }

  @Test
  void everySparkStageRunsAfterEverySensor() {
    for (JsonNode dag : nightlyDags()) {
      Map<String, Set<String>> downstream = new HashMap<>();
      for (JsonNode edge : dag.path("edges")) {
        downstream
            .computeIfAbsent(edge.get(0).asText(), k -> new HashSet<>())
            .add(edge.get(1).asText());
      }
      assertFalse(dag.path("sensors").isEmpty(), "a DAG without sensors");
      for (JsonNode sensor : dag.path("sensors")) {
        Set<String> reached = reachable(sensor.path("task_id").asText(), downstream);
        for (JsonNode task : dag.path("spark_tasks")) {
          assertTrue(
              reached.contains(task.path("task_id").asText()),
              task.path("task_id").asText()
                  + " can start before "
                  + sensor.path("task_id").asText());
        }
      }
    }
  }

  @Test
  void everyTaskIsDocumentedAndTheGoldTablesArePublishedAsAssets() {
    for (JsonNode dag : dags) {
      for (JsonNode task : concat(dag.path("spark_tasks"), dag.path("sensors"))) {
        assertTrue(
            task.path("has_doc_md").asBoolean(), task.path("task_id").asText() + " has no doc_md");
      }
      if (!isNightly(dag)) {
        continue;
      }
      assertTrue(
          stream(dag.path("spark_tasks")).anyMatch(t -> t.path("has_outlets").asBoolean()),
          "no task publishes Assets");
    }
  }

  @Test
  void sqlChecksOfTheDagParseAsSparkSql() throws Exception {
    for (JsonNode task : sparkTasks()) {
      List<String> args = argsOf(task);
      if (args.get(0).equals("sql")) {
        // Parse only (no tables needed): a syntax error would otherwise surface at 6 am on the
        // cluster.
        TestSpark.session().sessionState().sqlParser().parsePlan(args.get(1));
      }
    }
  }

  // ------------------------------------------------------------------ helpers

  private void assertWatched(String inputRoot, String layoutFolder) {
    assertNotNull(inputRoot, "the nightly run does not set this input's root");
    assertTrue(inputRoot.startsWith("s3a://"), inputRoot);
    String rest = inputRoot.substring("s3a://".length());
    String bucket = rest.substring(0, rest.indexOf('/'));
    String prefix = rest.substring(rest.indexOf('/') + 1);
    boolean watched = false;
    for (JsonNode dag : dags) {
      for (JsonNode sensor : dag.path("sensors")) {
        watched |=
            sensor.path("bucket_name").asText().equals(bucket)
                && sensor.path("bucket_key").asText().startsWith(prefix + layoutFolder);
      }
    }
    assertTrue(
        watched,
        "no sensor watches s3://" + bucket + "/" + prefix + layoutFolder + " (what the job reads)");
  }

  private static List<JsonNode> contract(String ds) throws Exception {
    return contract(ds, Map.of(), Map.of(), null);
  }

  /** The DAG's contract for {@code ds}, with more Variables, parse-time environment, and the sensors matched against {@code archive}. */
  private static List<JsonNode> contract(
      String ds, Map<String, String> moreVariables, Map<String, String> env, Path archive)
      throws Exception {
    List<String> args =
        new ArrayList<>(List.of(DAGS.resolve("tests/dag_contract.py").toString(), "--ds", ds));
    Map<String, String> vars = new HashMap<>(VARIABLES);
    vars.putAll(moreVariables);
    vars.forEach((k, v) -> args.addAll(List.of("--var", k + "=" + v)));
    env.forEach((k, v) -> args.addAll(List.of("--env", k + "=" + v)));
    if (archive != null) {
      args.addAll(List.of("--archive", archive.toString()));
    }
    Result r = python(args);
    assertEquals(0, r.exitCode, "dag_contract.py failed: " + r.stderr);
    return stream(new ObjectMapper().readTree(r.stdout).path("dags")).toList();
  }

  /**
   * A generated fleet of two days from the sample date, laid out in buckets the way the Variables name them:
   * raw-bucket/dcgm/archive/dt=…, raw-bucket/ksm/archive/dt=…, billing-bucket/cur/gpu-fleet/data/BILLING_PERIOD=….
   */
  private Path archive() throws IOException {
    Path fleet = buckets.resolve("fleet");
    FleetGenerator.generate(
        new FleetSpec(
            LocalDate.parse(SAMPLE_DS),
            2,
            FleetSpec.DEFAULT_NODES,
            11,
            TelemetryFormat.PROM,
            60,
            2),
        fleet);
    Path root = buckets.resolve("s3");
    Files.createDirectories(root.resolve("raw-bucket/dcgm"));
    Files.createDirectories(root.resolve("raw-bucket/ksm"));
    Files.createDirectories(root.resolve("billing-bucket/cur/gpu-fleet"));
    Files.move(fleet.resolve("telemetry"), root.resolve("raw-bucket/dcgm/archive"));
    Files.move(fleet.resolve("kube"), root.resolve("raw-bucket/ksm/archive"));
    Files.move(fleet.resolve("billing/cur"), root.resolve("billing-bucket/cur/gpu-fleet/data"));
    return root;
  }

  private static Map<String, JsonNode> sensors(List<JsonNode> dagList) {
    Map<String, JsonNode> out = new HashMap<>();
    dagList.forEach(d -> d.path("sensors").forEach(s -> out.put(s.path("task_id").asText(), s)));
    return out;
  }

  private static void assertFires(JsonNode sensor, String keyPrefix) {
    List<String> keys = strings(sensor.path("matched_keys"));
    assertFalse(
        keys.isEmpty(),
        sensor.path("task_id").asText()
            + " matches nothing for "
            + sensor.path("bucket_key").asText());
    assertTrue(
        keys.stream().allMatch(k -> k.startsWith(keyPrefix)),
        sensor.path("task_id").asText() + " matched " + keys);
    assertTrue(
        sensor.path("fires").asBoolean(),
        sensor.path("task_id").asText() + " does not fire on " + keys);
  }

  private static void assertWaits(JsonNode sensor) {
    assertFalse(
        sensor.path("fires").asBoolean(),
        sensor.path("task_id").asText() + " fires on " + sensor.path("matched_keys"));
  }

  /** The DAG of the nightly run (sensors, publish check, Assets); the weekly maintenance DAG has none of those. */
  private static List<JsonNode> nightlyDags() {
    List<JsonNode> nightly = dags.stream().filter(DagContractTest::isNightly).toList();
    assertEquals(1, nightly.size(), "one DAG runs `nightly`");
    return nightly;
  }

  private static boolean isNightly(JsonNode dag) {
    return stream(dag.path("spark_tasks")).anyMatch(t -> argsOf(t).get(0).equals("nightly"));
  }

  private static List<JsonNode> sparkTasks() {
    return dags.stream().flatMap(d -> stream(d.path("spark_tasks"))).toList();
  }

  private static JsonNode task(JsonNode dag, String taskId) {
    return concat(dag.path("spark_tasks"), dag.path("sensors")).stream()
        .filter(t -> t.path("task_id").asText().equals(taskId))
        .findFirst()
        .orElseThrow(() -> new AssertionError("edge to unknown task " + taskId));
  }

  private static List<String> argsOf(JsonNode task) {
    return strings(task.path("application_args"));
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static String valueAfter(List<String> args, String flag) {
    int i = args.indexOf(flag);
    return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : null;
  }

  private static Map<String, String> setOverrides(List<String> args) {
    Map<String, String> out = new HashMap<>();
    for (int i = 0; i + 1 < args.size(); i++) {
      if (args.get(i).equals("--set")) {
        String kv = args.get(i + 1);
        out.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
      }
    }
    return out;
  }

  private static Set<String> reachable(String from, Map<String, Set<String>> downstream) {
    Set<String> seen = new HashSet<>();
    List<String> todo = new ArrayList<>(List.of(from));
    while (!todo.isEmpty()) {
      for (String next : downstream.getOrDefault(todo.remove(todo.size() - 1), Set.of())) {
        if (seen.add(next)) {
          todo.add(next);
        }
      }
    }
    return seen;
  }

  private static Stream<JsonNode> stream(JsonNode array) {
    List<JsonNode> out = new ArrayList<>();
    array.forEach(out::add);
    return out.stream();
  }

  private static List<JsonNode> concat(JsonNode a, JsonNode b) {
    return Stream.concat(stream(a), stream(b)).toList();
  }

  private record Result(int exitCode, String stdout, String stderr) {}

  /** Runs python3 (stdlib only); byte-code goes to a temp dir so the repo stays clean. */
  private static Result python(List<String> args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add("python3");
    cmd.addAll(args);
    Path out = Files.createTempFile(pycache, "py-out", ".txt");
    Path err = Files.createTempFile(pycache, "py-err", ".txt");
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(REPO.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    pb.environment().put("PYTHONPYCACHEPREFIX", pycache.resolve("pyc").toString());
    Process p = pb.start();
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("python3 " + args + " did not finish in 2 minutes");
    }
    return new Result(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }
}
