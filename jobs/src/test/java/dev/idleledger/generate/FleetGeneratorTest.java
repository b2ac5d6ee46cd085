package dev.idleledger.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.testing.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVRecord;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MapType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FleetGeneratorTest {
  private static final FleetSpec TINY =
      new FleetSpec(GeneratedFleets.DAY, 1, 2, 7, TelemetryFormat.CSV, 60, 3);

  @Test
  void sameSeedWritesTheSameRows(@TempDir Path a, @TempDir Path b) throws Exception {
    FleetGenerator.generate(TINY, a);
    FleetGenerator.generate(TINY, b);
    List<Path> filesA = GeneratedFleets.files(a, ".csv.gz");
    assertFalse(filesA.isEmpty());
    for (Path f : filesA) {
      Path other = b.resolve(a.relativize(f));
      assertEquals(
          GeneratedFleets.gunzip(f), GeneratedFleets.gunzip(other), "rows of " + a.relativize(f));
    }
    assertEquals(
        Files.readString(a.resolve("truth/workload_daily.csv")),
        Files.readString(b.resolve("truth/workload_daily.csv")));
  }

  @Test
  void differentSeedWritesDifferentRows(@TempDir Path a, @TempDir Path b) throws Exception {
    FleetGenerator.generate(TINY, a);
    FleetGenerator.generate(TINY.withSeed(8), b);
    String rowsA =
        GeneratedFleets.gunzip(GeneratedFleets.files(a.resolve("telemetry"), ".csv.gz").get(0));
    String rowsB =
        GeneratedFleets.gunzip(GeneratedFleets.files(b.resolve("telemetry"), ".csv.gz").get(0));
    assertNotEquals(rowsA, rowsB);
  }

  @Test
  void refusesToMixWithAnEarlierFleet(@TempDir Path a) throws Exception {
    FleetGenerator.generate(TINY, a);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> FleetGenerator.generate(TINY, a));
    assertTrue(e.getMessage().contains("telemetry"), e.getMessage());
  }

  @Test
  void sizingByGpusRepeatsThePoolPattern() {
    assertEquals(
        6, FleetSpec.forGpus(GeneratedFleets.DAY, 1, 23, 42, TelemetryFormat.PARQUET, 1).nodes());
    assertEquals(
        1, FleetSpec.forGpus(GeneratedFleets.DAY, 1, 8, 42, TelemetryFormat.PARQUET, 1).nodes());
    assertEquals(
        7, FleetSpec.forGpus(GeneratedFleets.DAY, 1, 24, 42, TelemetryFormat.PARQUET, 1).nodes());
  }

  @Test
  void everyCsvFileParsesWithTimestampMetricValueAndLabelColumns() throws Exception {
    Path root = GeneratedFleets.fleet(TelemetryFormat.CSV);
    long rows = 0;
    List<Path> files = new ArrayList<>(GeneratedFleets.files(root.resolve("telemetry"), ".csv.gz"));
    files.addAll(GeneratedFleets.files(root.resolve("kube"), ".csv.gz"));
    assertEquals(8, files.size(), "6 node files, 1 straggler file, 1 kube file: " + files);
    for (Path f : files) {
      for (CSVRecord r : GeneratedFleets.csv(f)) {
        Instant.parse(r.get("timestamp"));
        Double.parseDouble(r.get("value"));
        assertFalse(r.get("metric").isEmpty(), f + " row " + r.getRecordNumber());
        assertFalse(r.get("cluster").isEmpty(), f + " row " + r.getRecordNumber());
        rows++;
      }
    }
    assertEquals(GeneratedFleets.summary(TelemetryFormat.CSV).samples(), rows);
  }

  private static final String LABEL = "[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\"\\\\n])*\"";
  private static final Pattern PROM_LINE =
      Pattern.compile(
          "([a-zA-Z_:][a-zA-Z0-9_:]*)\\{(" + LABEL + "(?:," + LABEL + ")*)\\} (\\S+) (\\d{13})");

  @Test
  void everyPromLineIsTextExpositionWithAMillisecondTimestamp() throws Exception {
    Path root = GeneratedFleets.fleet(TelemetryFormat.PROM);
    long rows = 0;
    boolean sawEscapes = false;
    for (Path f : GeneratedFleets.files(root, ".prom.gz")) {
      for (String line : GeneratedFleets.gunzip(f).split("\n")) {
        if (line.startsWith("#")) {
          continue;
        }
        Matcher m = PROM_LINE.matcher(line);
        assertTrue(m.matches(), f + ": " + line);
        Double.parseDouble(m.group(3));
        sawEscapes |=
            m.group(2).contains("label_description=\"quick \\\"scratch\\\" kernel, C:\\\\tmp\"");
        rows++;
      }
    }
    assertTrue(sawEscapes, "the pod label with quotes and a backslash is written escaped");
    assertEquals(GeneratedFleets.summary(TelemetryFormat.PROM).samples(), rows);
  }

  @Test
  void everyParquetFileReadsBackWithTheArchiveSchema() throws Exception {
    Path root = GeneratedFleets.fleet(TelemetryFormat.PARQUET);
    List<String> paths = new ArrayList<>();
    for (Path f : GeneratedFleets.files(root, ".parquet")) {
      paths.add(f.toString());
    }
    Dataset<Row> all = TestSpark.session().read().parquet(paths.toArray(String[]::new));
    assertEquals(DataTypes.TimestampType, all.schema().apply("timestamp").dataType());
    assertEquals(DataTypes.StringType, all.schema().apply("metric").dataType());
    assertEquals(DataTypes.DoubleType, all.schema().apply("value").dataType());
    assertTrue(all.schema().apply("labels").dataType() instanceof MapType);
    assertEquals(GeneratedFleets.summary(TelemetryFormat.PARQUET).samples(), all.count());
    Row first = all.filter("metric = 'DCGM_FI_DEV_FB_USED'").orderBy("timestamp").first();
    assertEquals(Instant.parse("2026-11-01T00:00:00Z"), first.getTimestamp(0).toInstant());
  }

  @Test
  void stragglersInTheNextDaysFolderCarryTimestampsOfTheirOwnDay() throws Exception {
    Path root = GeneratedFleets.fleet(TelemetryFormat.CSV);
    List<Path> late = GeneratedFleets.files(root.resolve("telemetry/dt=2026-11-02"), ".csv.gz");
    assertEquals(1, late.size());
    Set<String> days = new HashSet<>();
    for (CSVRecord r : GeneratedFleets.csv(late.get(0))) {
      days.add(r.get("timestamp").substring(0, 10));
    }
    assertEquals(Set.of("2026-11-01"), days);
  }

  @Test
  void telemetryCarriesBothHostnameSpellingsOldPodLabelsAndMigInstancesWithoutGpuUtil()
      throws Exception {
    Path root = GeneratedFleets.fleet(TelemetryFormat.CSV);
    Set<String> headers = new HashSet<>();
    boolean migUtil = false;
    boolean migSeen = false;
    for (Path f : GeneratedFleets.files(root.resolve("telemetry"), ".csv.gz")) {
      List<CSVRecord> records = GeneratedFleets.csv(f);
      headers.addAll(records.get(0).getParser().getHeaderNames());
      for (CSVRecord r : records) {
        if (r.isMapped("GPU_I_PROFILE") && !r.get("GPU_I_PROFILE").isEmpty()) {
          migSeen = true;
          migUtil |= r.get("metric").equals("DCGM_FI_DEV_GPU_UTIL");
        }
      }
    }
    assertTrue(
        headers.containsAll(
            List.of(
                "Hostname",
                "hostname",
                "pod_name",
                "pod_namespace",
                "container_name",
                "pod",
                "namespace")),
        headers.toString());
    assertTrue(migSeen);
    assertFalse(migUtil, "MIG instances report no GPU_UTIL");
  }

  @Test
  void kubeStateNamesEachControllerOncePerScrapeAndTiesNodesToInstances() throws Exception {
    Path root = GeneratedFleets.fleet(TelemetryFormat.CSV);
    List<CSVRecord> kube =
        GeneratedFleets.csv(GeneratedFleets.files(root.resolve("kube"), ".csv.gz").get(0));
    long scrapes = kube.stream().map(r -> r.get("timestamp")).distinct().count();
    assertEquals(24 * 120, scrapes, "every 30 s");
    long chatOwner =
        kube.stream()
            .filter(
                r ->
                    r.get("metric").equals("kube_replicaset_owner")
                        && r.get("owner_name").equals("chat-api"))
            .count();
    assertEquals(scrapes, chatOwner, "two replicas, one ReplicaSet series");
    Set<String> providerIds = new HashSet<>();
    kube.stream()
        .filter(r -> r.get("metric").equals("kube_node_info"))
        .forEach(r -> providerIds.add(r.get("provider_id")));
    assertEquals(6, providerIds.size());
    providerIds.forEach(p -> assertTrue(p.matches("aws:///us-east-1[a-c]/i-0[0-9a-f]{16}"), p));
  }
}
