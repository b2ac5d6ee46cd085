package dev.idleledger.ingest.series;

import java.util.Locale;
import java.util.Optional;

/** The three encodings of an archived Prometheus sample file (CONTRACTS.md §1.1), chosen by file extension. */
public enum SeriesEncoding {
  PARQUET,
  CSV,
  PROM;

  /** The encoding of a file by its name; empty for files that are not samples (_SUCCESS, .crc, README). */
  public static Optional<SeriesEncoding> of(String fileName) {
    String n = fileName.toLowerCase(Locale.ROOT);
    if (n.startsWith(".") || n.startsWith("_")) {
      return Optional.empty();
    }
    if (n.endsWith(".parquet")) {
      return Optional.of(PARQUET);
    }
    if (n.endsWith(".csv") || n.endsWith(".csv.gz")) {
      return Optional.of(CSV);
    }
    if (n.endsWith(".prom") || n.endsWith(".prom.gz")) {
      return Optional.of(PROM);
    }
    return Optional.empty();
  }

  public static boolean gzipped(String fileName) {
    return fileName.toLowerCase(Locale.ROOT).endsWith(".gz");
  }
}
