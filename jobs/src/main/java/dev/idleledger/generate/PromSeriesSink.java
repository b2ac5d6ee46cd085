package dev.idleledger.generate;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Prometheus text exposition lines with explicit millisecond timestamps, gzip-compressed. */
final class PromSeriesSink implements SeriesSink {
  private final Writer out;
  private long rows;

  PromSeriesSink(Path file) throws IOException {
    this.out =
        new BufferedWriter(
            new OutputStreamWriter(SeriesSink.fastGzip(file), StandardCharsets.UTF_8), 1 << 16);
    out.write("# synthetic archive written by idle-ledger generate\n");
  }

  @Override
  public void write(long timestampMs, String metric, double value, Series series)
      throws IOException {
    out.write(metric);
    out.write(series.promLabels());
    out.write(' ');
    out.write(Series.formatValue(value));
    out.write(' ');
    out.write(Long.toString(timestampMs));
    out.write('\n');
    rows++;
  }

  @Override
  public long rows() {
    return rows;
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
