package dev.idleledger.generate;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/** CSV with a header: timestamp (ISO-8601 UTC, milliseconds), metric, value, then one column per label; empty = absent. */
final class CsvSeriesSink implements SeriesSink {
  static final DateTimeFormatter ISO_MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private final CSVPrinter printer;
  private final List<String> labelColumns;
  private final Map<Series, String[]> cells = new IdentityHashMap<>();
  private long rows;
  private long lastTs = Long.MIN_VALUE;
  private String lastTsText;

  CsvSeriesSink(Path file, Collection<Series> series) throws IOException {
    Set<String> columns = new LinkedHashSet<>();
    series.forEach(s -> columns.addAll(s.labels().keySet()));
    this.labelColumns = new ArrayList<>(columns);
    List<String> header = new ArrayList<>(List.of("timestamp", "metric", "value"));
    header.addAll(labelColumns);
    BufferedWriter writer =
        new BufferedWriter(
            new OutputStreamWriter(SeriesSink.fastGzip(file), StandardCharsets.UTF_8), 1 << 16);
    this.printer =
        new CSVPrinter(
            writer,
            CSVFormat.RFC4180
                .builder()
                .setRecordSeparator('\n')
                .setHeader(header.toArray(String[]::new))
                .get());
  }

  @Override
  public void write(long timestampMs, String metric, double value, Series series)
      throws IOException {
    if (timestampMs != lastTs) {
      lastTs = timestampMs;
      lastTsText = ISO_MILLIS.format(Instant.ofEpochMilli(timestampMs));
    }
    printer.print(lastTsText);
    printer.print(metric);
    printer.print(Series.formatValue(value));
    for (String cell : cells.computeIfAbsent(series, this::cellsOf)) {
      printer.print(cell);
    }
    printer.println();
    rows++;
  }

  private String[] cellsOf(Series series) {
    if (!labelColumns.containsAll(series.labels().keySet())) {
      throw new IllegalStateException(
          "series " + series.labels() + " has a label outside the CSV header " + labelColumns);
    }
    String[] out = new String[labelColumns.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = series.labels().getOrDefault(labelColumns.get(i), "");
    }
    return out;
  }

  @Override
  public long rows() {
    return rows;
  }

  @Override
  public void close() throws IOException {
    printer.close();
  }
}
