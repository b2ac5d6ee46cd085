package dev.idleledger.nightly;

import static dev.idleledger.spark.TableSpec.col;

import dev.idleledger.spark.LakeTables;
import dev.idleledger.spark.TableSpec;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;

/**
 * Table {@code run_inputs}: the input manifest of every published date, as of the run that last published it. A
 * nightly run compares each date's current manifest with this one and recomputes only the dates whose inputs changed.
 */
public final class RunInputs {
  // Column names: SPEC is built from them, so a constant always names one of its columns.
  public static final String DATE = "date";
  public static final String RUN_ID = "run_id";
  public static final String INPUT = "input";
  public static final String PATH = "path";
  public static final String SIZE_BYTES = "size_bytes";
  public static final String MODIFIED_AT = "modified_at";
  public static final String ETAG = "etag";
  public static final String FINGERPRINT = "fingerprint";
  public static final String COMPARED = "compared";
  public static final String PUBLISHED_AT = "published_at";

  public static final TableSpec SPEC =
      new TableSpec(
          "run_inputs",
          "Input manifest of each published date, from the run that last published it: every raw file the date read (telemetry dt=D and the dt=D+1 stragglers, kube state, billing) with size and modification time, the fingerprint of the billing lines that price the date and of the settings that decide the money. A nightly run keeps a date whose manifest is unchanged and recomputes the others.",
          List.of(
              col(DATE, DataTypes.DateType, "UTC day published"),
              col(
                  RUN_ID,
                  DataTypes.StringType,
                  "the run that published the date from these inputs"),
              col(
                  INPUT,
                  DataTypes.StringType,
                  "telemetry | kube | billing.cur | billing.focus (one row per raw file), billing_lines (the date's billing lines), settings (the money settings)"),
              col(
                  PATH,
                  DataTypes.StringType,
                  "the raw file's path or URI; null for billing_lines and settings"),
              col(SIZE_BYTES, DataTypes.LongType, "file length, from the file system's listing"),
              col(
                  MODIFIED_AT,
                  DataTypes.TimestampType,
                  "file modification time from the listing (S3: the object's Last-Modified), UTC"),
              col(
                  ETAG,
                  DataTypes.StringType,
                  "the object's ETag where the file system gives one (s3a), else null"),
              col(
                  FINGERPRINT,
                  DataTypes.StringType,
                  "billing_lines: per source, the count and SHA-256 of the raw billing lines (file, text) that price the date; settings: SHA-256 of the settings and catalog files that decide the money; null for files"),
              col(
                  COMPARED,
                  DataTypes.BooleanType,
                  "true when a change of this row makes the next run recompute the date. Billing files are listed for the record only: a month's file is rewritten at every delivery, so the date's own lines (billing_lines) are compared instead"),
              col(PUBLISHED_AT, DataTypes.TimestampType, "when the run published the date (UTC)")),
          DATE);

  static final String BILLING_LINES = "billing_lines";
  static final String SETTINGS = "settings";

  private final LakeTables tables;

  public RunInputs(LakeTables tables) {
    this.tables = tables;
  }

  /** The recorded manifests of {@code dates}; a date never published (or published before manifests existed) is absent. */
  Map<LocalDate, InputManifest> recorded(Collection<LocalDate> dates) {
    Map<LocalDate, List<InputManifest.Entry>> entries = new HashMap<>();
    Map<LocalDate, String> runIds = new HashMap<>();
    Object[] wanted = dates.stream().map(Date::valueOf).toArray();
    for (Row r :
        tables
            .read(SPEC)
            .where(org.apache.spark.sql.functions.col(DATE).isin(wanted))
            .select(DATE, RUN_ID, INPUT, PATH, SIZE_BYTES, MODIFIED_AT, ETAG, FINGERPRINT, COMPARED)
            .collectAsList()) {
      LocalDate d = r.getDate(0).toLocalDate();
      runIds.put(d, r.getString(1));
      entries
          .computeIfAbsent(d, k -> new ArrayList<>())
          .add(
              new InputManifest.Entry(
                  r.getString(2),
                  r.getString(3),
                  r.isNullAt(4) ? null : r.getLong(4),
                  r.isNullAt(5) ? null : r.getTimestamp(5).toInstant(),
                  r.getString(6),
                  r.getString(7),
                  r.getBoolean(8)));
    }
    Map<LocalDate, InputManifest> out = new HashMap<>();
    entries.forEach((d, e) -> out.put(d, new InputManifest(d, runIds.get(d), e)));
    return out;
  }

  /** Replaces the manifests of the given dates, in one commit. */
  void record(List<InputManifest> manifests, String runId) {
    if (manifests.isEmpty()) {
      return;
    }
    Timestamp now = Timestamp.from(Instant.now());
    List<Row> rows = new ArrayList<>();
    for (InputManifest m : manifests) {
      for (InputManifest.Entry e : m.entries()) {
        rows.add(
            RowFactory.create(
                Date.valueOf(m.date()),
                runId,
                e.input(),
                e.path(),
                e.sizeBytes(),
                e.modifiedAt() == null ? null : Timestamp.from(e.modifiedAt()),
                e.etag(),
                e.fingerprint(),
                e.compared(),
                now));
      }
    }
    tables.replaceDates(
        SPEC,
        tables.spark().createDataFrame(rows, SPEC.schema()),
        manifests.stream().map(InputManifest::date).toList());
  }
}
