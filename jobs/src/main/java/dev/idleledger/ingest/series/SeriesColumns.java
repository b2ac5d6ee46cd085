package dev.idleledger.ingest.series;

import dev.idleledger.quality.QualityTables.Quarantine;

/**
 * Column names of the long sample frame the archive reader produces: one row per raw sample of a wanted
 * metric, valid or not. Consumers see {@code ts, metric, value, series_id, reason}; the provenance columns
 * ({@code file, block, rid, line_offset, raw}) exist for quarantine and are pruned by Spark elsewhere.
 */
public final class SeriesColumns {
  private SeriesColumns() {}

  public static final String TS = "ts";
  public static final String METRIC = "metric";
  public static final String VALUE = "value";

  /**
   * The sample's series: for text encodings a canonical text of its label set, for Parquet a 64-bit hash of its
   * label map as written. Same labels = same id, so labels are parsed once per series, not per sample.
   */
  public static final String SERIES_ID = "series_id";

  public static final String LABELS = "labels";

  /**
   * A 64-bit hash of the series' canonical label set (empty values dropped, keys sorted), computed per series:
   * what "the same series" means when duplicate samples are counted, whatever label order a writer used.
   */
  public static final String SERIES_KEY = "series_key";

  /** Per series: the day's sample rows of the series ({@link SeriesRead#series}). */
  public static final String ROWS = "rows";

  /** Per series: of those rows, the ones rejected on their own (bad timestamp or value), whatever the series' labels. */
  public static final String REJECTED_ROWS = "rejected_rows";

  /** Parquet only: the row's label map as written, looked at only for one row per series (null for text). */
  public static final String LABEL_MAP = "label_map";

  /** Why the row cannot be used (quarantine reason), null when it is fine so far. */
  public static final String REASON = Quarantine.REASON;

  public static final String FILE = Quarantine.FILE;

  /** Start offset of the file split the row was read from (-1 for Parquet, which has exact row indexes). */
  public static final String BLOCK = "block";

  /** Row id: Parquet row index, or a monotonically increasing id within the split for text. */
  public static final String RID = "rid";

  /** Lines before the first data row (a CSV header) or 1 for Parquet's 0-based row index. */
  public static final String LINE_OFFSET = "line_offset";

  public static final String RAW = Quarantine.RAW;
  public static final String LINE = Quarantine.LINE;
}
