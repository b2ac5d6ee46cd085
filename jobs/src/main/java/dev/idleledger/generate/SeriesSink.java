package dev.idleledger.generate;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/** Streams samples into one archive file; nothing but the current row group (Parquet) or buffer is in memory. */
interface SeriesSink extends Closeable {
  void write(long timestampMs, String metric, double value, Series series) throws IOException;

  long rows();

  /** Opens {@code file} (its extension is added) for {@code series}, which must include every series written. */
  static SeriesSink open(
      TelemetryFormat format, Path fileWithoutExtension, Collection<Series> series)
      throws IOException {
    Path file =
        fileWithoutExtension.resolveSibling(
            fileWithoutExtension.getFileName() + "." + format.extension());
    Files.createDirectories(file.getParent());
    return switch (format) {
      case PARQUET -> new ParquetSeriesSink(file);
      case CSV -> new CsvSeriesSink(file, series);
      case PROM -> new PromSeriesSink(file);
    };
  }

  /** gzip at the fastest level: archives of a large fleet are big, and speed matters more than the last 20 % of size. */
  static OutputStream fastGzip(Path file) throws IOException {
    return new GZIPOutputStream(Files.newOutputStream(file), 1 << 16) {
      {
        def.setLevel(Deflater.BEST_SPEED);
      }
    };
  }
}
