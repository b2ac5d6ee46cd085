package dev.idleledger.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cluster jar drops into a Spark platform: nothing of the platform, DuckDB or the dev tools inside, and it runs. */
class ClusterJarIT {
  /**
   * What platforms ship (Spark, Scala, Hadoop with hadoop-aws and the AWS SDK v1 bundle, Delta; Spark's commons-io
   * and commons-codec, which the jar carries relocated) or the jar leaves out.
   */
  private static final List<String> FORBIDDEN =
      List.of(
          "org/apache/spark/",
          "scala/",
          "org/apache/hadoop/",
          "com/amazonaws/",
          "io/delta/",
          "org/duckdb/",
          "libduckdb",
          "dev/idleledger/generate/",
          "dev/idleledger/bench/",
          "org/slf4j/",
          "org/apache/commons/io/",
          "org/apache/commons/codec/");

  @Test
  void clusterJarHoldsNoPlatformDuckDbOrDevToolClasses() throws IOException {
    Path jar = ClusterJar.jar();
    List<String> offending;
    int entries;
    try (JarFile file = new JarFile(jar.toFile())) {
      entries = file.size();
      offending =
          file.stream()
              .map(ZipEntry::getName)
              .filter(n -> FORBIDDEN.stream().anyMatch(n::startsWith))
              .toList();
    }
    System.out.printf(
        "cluster jar %s: %,d bytes (%.1f MB), %,d entries%n",
        jar.getFileName(), Files.size(jar), Files.size(jar) / 1e6, entries);
    assertEquals(
        List.of(),
        offending.stream().limit(20).toList(),
        offending.size() + " entries of forbidden packages");
    try (JarFile file = new JarFile(jar.toFile())) {
      // The jar still carries what the night needs: the CLI, its defaults, and the libraries
      // platforms lack.
      for (String needed :
          List.of(
              "dev/idleledger/cli/IdleLedger.class",
              "dev/idleledger/nightly/NightlyRun.class",
              "conf/application.conf",
              "picocli/CommandLine.class",
              "com/typesafe/config/Config.class",
              "org/apache/commons/csv/CSVParser.class")) {
        assertTrue(file.getEntry(needed) != null, needed + " missing from the cluster jar");
      }
      assertEquals(
          "dev.idleledger.cli.IdleLedger",
          file.getManifest().getMainAttributes().getValue("Main-Class"));
    }
  }

  @Test
  void generatorAndBenchmarkCommandsSayTheyAreNotInTheClusterJar(@TempDir Path dir) {
    for (List<String> args :
        List.of(
            List.of("generate", "--out", dir.resolve("fleet").toString(), "--start", "2026-11-01"),
            List.of("demo", "--dir", dir.resolve("demo").toString()),
            List.of("bench", "--sizes", "16", "--dir", dir.resolve("bench").toString()))) {
      ClusterJar.Result r =
          ClusterJar.run(
              ClusterJar.javaCommand("dev.idleledger.cli.IdleLedger", args), Map.of(), 2);
      assertEquals(1, r.exitCode(), args + ": " + r.stderr());
      assertEquals(
          "idle-ledger: run failed: " + args.get(0) + " is not in the cluster jar",
          r.stderr().lines().findFirst().orElse("").replaceAll(" \\(it needs.*", ""),
          r.stderr());
      assertEquals(1, r.stderr().lines().count(), "one line, no stack trace: " + r.stderr());
    }
  }

  @Test
  void nightlyReadsItsDefaultsFromInsideTheJar() {
    // No -Didleledger.conf.dir and no repository: conf/application.conf and the catalogs come out
    // of the jar.
    ClusterJar.Result r =
        ClusterJar.run(
            ClusterJar.javaCommand(
                "dev.idleledger.cli.IdleLedger",
                List.of("nightly", "--date", "2026-11-03", "--dry-run")),
            Map.of(),
            2);
    assertEquals(0, r.exitCode(), r.stderr());
    assertTrue(
        r.stdout().contains("[2026-11-01, 2026-11-02, 2026-11-03]")
            || r.stderr().contains("[2026-11-01, 2026-11-02, 2026-11-03]"),
        r.stdout() + r.stderr());
  }
}
