package dev.idleledger.spark;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What a night wrote to the tables that held no file when it started, date by date ({@link WrittenRows}), so that
 * recommend may take a window of such a table from memory instead of reading the lake.
 *
 * <p>On a new lake the first night's recommend reads its window of {@code gpu_samples}, {@code pod_info}, {@code
 * gpu_hourly} and {@code billing_hourly}, and all those tables hold is what the same night just wrote. A table that
 * held no file at the start (its version's checksum counts none: {@link LakeTables#holdsNoFiles}) holds, after the
 * night's writes, exactly the rows each date of the night replaced its rows with, because every write replaces whole
 * dates, the rows of a date are all of that date, and only this process writes the lake while it holds the run lock.
 * So when every date of the window the night wrote is known without the lake (kept rows of a small date, or rows
 * known to be none), the window is their union, and the dates the night did not write hold nothing. In any other case
 * (the table held files, or a date of the window was written by a fleet-sized date, which keeps nothing) the window
 * is read from the lake, as before.
 */
public final class NightWrites {
  private final LakeTables tables;
  private final Set<String> heldNoFilesAtStart;
  private final Map<LocalDate, WrittenRows> byDate = new TreeMap<>();

  private NightWrites(LakeTables tables, Set<String> heldNoFilesAtStart) {
    this.tables = tables;
    this.heldNoFilesAtStart = heldNoFilesAtStart;
  }

  /** Notes which of {@code specs} hold no file now, before the night writes anything. */
  public static NightWrites startingFrom(LakeTables tables, List<TableSpec> specs) {
    Set<String> none = new HashSet<>();
    for (TableSpec spec : specs) {
      if (tables.holdsNoFiles(spec)) {
        none.add(spec.name());
      }
    }
    return new NightWrites(tables, none);
  }

  /** Knows nothing: every window is read from the lake. */
  public static NightWrites none(LakeTables tables) {
    return new NightWrites(tables, Set.of());
  }

  /** Records what {@code date}'s stages wrote, once the date is published. */
  public void published(LocalDate date, WrittenRows written) {
    byDate.put(date, written);
  }

  /**
   * The table's rows of {@code start} … {@code end} when this night knows them without the lake: the table held no
   * file at the night's start and each date of the window the night wrote is known (see the class comment). Empty
   * when the lake must be read.
   */
  public Optional<Dataset<Row>> window(TableSpec spec, LocalDate start, LocalDate end) {
    if (!heldNoFilesAtStart.contains(spec.name())) {
      return Optional.empty();
    }
    List<Dataset<Row>> dates = new ArrayList<>();
    for (Map.Entry<LocalDate, WrittenRows> date : byDate.entrySet()) {
      WrittenRows written = date.getValue();
      if (date.getKey().isBefore(start) || date.getKey().isAfter(end) || written.isEmpty(spec)) {
        continue;
      }
      Optional<Dataset<Row>> kept = written.known(tables, spec);
      if (kept.isEmpty()) {
        return Optional.empty();
      }
      dates.add(kept.get());
    }
    return Optional.of(dates.stream().reduce(Dataset::union).orElseGet(() -> tables.noRows(spec)));
  }
}
