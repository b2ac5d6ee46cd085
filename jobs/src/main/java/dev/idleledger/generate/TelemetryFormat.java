package dev.idleledger.generate;

import java.util.Locale;

/** The three archive encodings of CONTRACTS.md §1.1, with the file extension each is recognised by. */
public enum TelemetryFormat {
  PARQUET("parquet"),
  CSV("csv.gz"),
  PROM("prom.gz");

  private final String extension;

  TelemetryFormat(String extension) {
    this.extension = extension;
  }

  public String extension() {
    return extension;
  }

  public static TelemetryFormat parse(String name) {
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown format '" + name + "' (expected parquet, csv or prom)");
    }
  }
}
