package dev.idleledger.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idleledger.generate.FleetGenerator;
import dev.idleledger.generate.FleetSpec;
import dev.idleledger.generate.TelemetryFormat;
import dev.idleledger.testing.S3ApiServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The night as users run it: the cluster jar through spark-submit on a 2-worker standalone cluster, raw files
 * and the lake in an S3 bucket (s3a://), against the same night run in local mode on local folders.
 * A tiny fleet (the pattern's first two nodes, a p4d with MIG slices and a p5 with the idle notebook: 16 GPUs,
 * 4 hours at 60 s scrapes, one night without lookback) keeps each run to minutes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterIT {
  private static final LocalDate NIGHT = LocalDate.of(2026, 11, 1);
  private static final String BUCKET = "ledger";
  private static Path fleet;
  private static Path localLake;
  private static S3ApiServer s3;
  private static StandaloneCluster cluster;
  private static SparkSession reader;

  @BeforeAll
  static void fleetLocalNightS3AndCluster() throws IOException {
    fleet = Files.createTempDirectory("cluster-fleet");
    FleetGenerator.generate(
        new FleetSpec(NIGHT, 1, 2, 7, TelemetryFormat.PARQUET, 60).withHoursPerDay(4), fleet);
    localLake = Files.createTempDirectory("local-lake");
    ClusterJar.Result local =
        ClusterJar.run(
            ClusterJar.javaCommand(
                "dev.idleledger.cli.IdleLedger",
                nightly(
                    localLake.toString(),
                    fleet.toUri().toString().replaceAll("/$", ""),
                    List.of("spark.master=local[2]"))),
            Map.of(),
            20);
    assertEquals(0, local.exitCode(), "the local reference night failed: " + local.stderr());

    s3 = S3ApiServer.start();
    s3.createBucket(BUCKET);
    try (Stream<Path> files = Files.walk(fleet)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        s3.upload(BUCKET, "raw/" + fleet.relativize(f), f);
      }
    }
    cluster = StandaloneCluster.up(2);
    reader =
        LakeComparison.reader(
            Map.of(
                "fs.s3a.endpoint",
                s3.endpoint(),
                "fs.s3a.endpoint.region",
                "us-east-1",
                "fs.s3a.path.style.access",
                "true",
                "fs.s3a.connection.ssl.enabled",
                "false",
                "fs.s3a.change.detection.mode",
                "none",
                "fs.s3a.aws.credentials.provider",
                "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
                "fs.s3a.access.key",
                S3ApiServer.ACCESS_KEY,
                "fs.s3a.secret.key",
                S3ApiServer.SECRET_KEY));
  }

  @AfterAll
  static void stopEverything() {
    if (reader != null) {
      reader.stop();
    }
    if (cluster != null) {
      cluster.close();
    }
    if (s3 != null) {
      s3.stop();
    }
  }

  @Test
  @Order(1)
  void nightOnTheClusterFromS3EqualsTheLocalNight() {
    String lake = "s3a://" + BUCKET + "/lake";
    ClusterJar.Result r =
        ClusterJar.run(
            sparkSubmit(List.of(), nightly(lake, "s3a://" + BUCKET + "/raw", s3Settings())),
            Map.of(),
            30);
    assertEquals(0, r.exitCode(), r.stderr());
    assertRunQualityPassed(lake);
    for (String table : LakeComparison.MONEY_TABLES) {
      LakeComparison.assertSameTable(
          table,
          LakeComparison.table(reader, localLake.toUri().toString(), table),
          LakeComparison.table(reader, lake, table));
    }
    // Executors on the workers did the work, not the driver: each worker made an application folder
    // for the executor it launched (bin/spark-cluster creates the work folders empty).
    assertEquals(
        List.of(true, true),
        Stream.of("work-1", "work-2")
            .map(w -> ranAnExecutor(cluster.logs().resolveSibling(w)))
            .toList(),
        "workers 1 and 2 each ran an executor");
  }

  @Test
  @Order(2)
  void nightSurvivesAWorkerKilledDuringTelemetryIngest() throws Exception {
    Path lake = Files.createTempDirectory("killed-worker-lake");
    int uiPort = freePort();
    AtomicReference<String> killedDuring = new AtomicReference<>();
    Thread killer =
        new Thread(
            () -> {
              // Watch the driver's own REST API for a running job of the telemetry ingest, then
              // kill -9 worker 1.
              long deadline = System.nanoTime() + 15L * 60 * 1_000_000_000;
              while (killedDuring.get() == null && System.nanoTime() < deadline) {
                String running = runningJobDescription(uiPort);
                if (running != null && running.startsWith("ingest telemetry")) {
                  cluster.killWorker(1);
                  killedDuring.set(running);
                  return;
                }
                sleep(200);
              }
            });
    killer.setDaemon(true);
    killer.start();
    ClusterJar.Result r =
        ClusterJar.run(
            sparkSubmit(
                List.of("--conf", "spark.ui.port=" + uiPort),
                nightly(lake.toString(), fleet.toUri().toString().replaceAll("/$", ""), List.of())),
            Map.of(),
            30);
    killer.interrupt();
    assertEquals(
        "ingest telemetry " + NIGHT,
        killedDuring.get(),
        "worker 1 was killed while the telemetry ingest ran");
    assertEquals(0, r.exitCode(), r.stderr());
    assertRunQualityPassed(lake.toUri().toString());
    for (String table : LakeComparison.MONEY_TABLES) {
      LakeComparison.assertSameTable(
          table,
          LakeComparison.table(reader, localLake.toUri().toString(), table),
          LakeComparison.table(reader, lake.toUri().toString(), table));
    }
  }

  private static boolean ranAnExecutor(Path workerWorkDir) {
    try (Stream<Path> apps = Files.list(workerWorkDir)) {
      return apps.anyMatch(
          a -> a.getFileName().toString().startsWith("app-") && Files.isDirectory(a));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void assertRunQualityPassed(String lake) {
    List<Row> checks = LakeComparison.table(reader, lake, "run_quality").collectAsList();
    assertTrue(!checks.isEmpty(), "run_quality has rows");
    List<String> failed =
        checks.stream().filter(c -> !c.<Boolean>getAs("passed")).map(Row::toString).toList();
    assertEquals(List.of(), failed, "run_quality checks that failed");
  }

  private static List<String> nightly(String lake, String raw, List<String> extraSettings) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "nightly",
                "--date",
                NIGHT.toString(),
                "--lookback",
                "0",
                "--set",
                "lake.root=" + lake,
                "--set",
                "input.telemetry=" + raw + "/telemetry",
                "--set",
                "input.kube=" + raw + "/kube",
                "--set",
                "input.billing.cur=" + raw + "/billing/cur",
                "--set",
                "input.billing.focus=" + raw + "/billing/focus",
                "--set",
                "spark.shuffle_partitions=4"));
    extraSettings.forEach(s -> args.addAll(List.of("--set", s)));
    return args;
  }

  private static List<String> s3Settings() {
    return List.of(
        "s3.endpoint=" + s3.endpoint(),
        "s3.path_style_access=true",
        "s3.access_key=" + S3ApiServer.ACCESS_KEY,
        "s3.secret_key=" + S3ApiServer.SECRET_KEY);
  }

  /** spark-submit as a Spark distribution's bin/spark-submit runs it: SparkSubmit on the platform's jars, the cluster jar as the application. */
  private static List<String> sparkSubmit(List<String> extraConf, List<String> appArgs) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ClusterJar.java());
    cmd.addAll(ClusterJar.addOpens());
    cmd.addAll(
        List.of(
            "-Xmx1g",
            "-cp",
            ClusterJar.platformClasspath(),
            "org.apache.spark.deploy.SparkSubmit",
            "--master",
            cluster.masterUrl(),
            "--deploy-mode",
            "client",
            "--class",
            "dev.idleledger.cli.IdleLedger",
            "--conf",
            "spark.executor.memory=1g",
            "--conf",
            "spark.executor.extraJavaOptions=" + String.join(" ", ClusterJar.addOpens())));
    cmd.addAll(extraConf);
    cmd.add(ClusterJar.jar().toString());
    cmd.addAll(appArgs);
    return cmd;
  }

  /** The description of a running job of the application behind the driver UI on {@code port}, or null. */
  private static String runningJobDescription(int port) {
    try {
      ObjectMapper json = new ObjectMapper();
      JsonNode apps =
          json.readTree(URI.create("http://127.0.0.1:" + port + "/api/v1/applications").toURL());
      if (!apps.isArray() || apps.isEmpty()) {
        return null;
      }
      JsonNode jobs =
          json.readTree(
              URI.create(
                      "http://127.0.0.1:"
                          + port
                          + "/api/v1/applications/"
                          + apps.get(0).get("id").asText()
                          + "/jobs?status=running")
                  .toURL());
      for (JsonNode job : jobs) {
        if (job.hasNonNull("description")) {
          return job.get("description").asText();
        }
      }
      return null;
    } catch (IOException notUpYet) {
      return null;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
