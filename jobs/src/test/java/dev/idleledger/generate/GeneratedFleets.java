package dev.idleledger.generate;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * Small fleets generated once per test JVM and shared by the generator tests: the full six-node pool
 * pattern for one day at 30 s samples (every workload kind and every planted mess is in it).
 */
final class GeneratedFleets {
  static final LocalDate DAY = LocalDate.parse("2026-11-01");
  static final FleetSpec SPEC = new FleetSpec(DAY, 1, 6, 42, TelemetryFormat.CSV, 30);

  private static final Map<TelemetryFormat, Path> FLEETS = new HashMap<>();
  private static final Map<TelemetryFormat, FleetGenerator.Summary> SUMMARIES = new HashMap<>();

  private GeneratedFleets() {}

  static synchronized Path fleet(TelemetryFormat format) {
    return FLEETS.computeIfAbsent(
        format,
        f -> {
          try {
            // Under target/ (the module's build folder), so the fleets go away with the build
            // output.
            Path parent = Files.createDirectories(Path.of("target", "generated-fleets"));
            Path dir = Files.createTempDirectory(parent, "fleet-" + f.name().toLowerCase());
            SUMMARIES.put(f, FleetGenerator.generate(SPEC.withFormat(f), dir));
            return dir;
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  static synchronized FleetGenerator.Summary summary(TelemetryFormat format) {
    fleet(format);
    return SUMMARIES.get(format);
  }

  static List<Path> files(Path root, String suffix) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
    }
  }

  static List<CSVRecord> csv(Path file) throws IOException {
    InputStream in = Files.newInputStream(file);
    if (file.toString().endsWith(".gz")) {
      in = new GZIPInputStream(in);
    }
    try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      return CSVFormat.RFC4180
          .builder()
          .setHeader()
          .setSkipHeaderRecord(true)
          .get()
          .parse(r)
          .getRecords();
    }
  }

  static String gunzip(Path file) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
