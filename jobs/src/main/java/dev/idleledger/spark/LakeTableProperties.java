package dev.idleledger.spark;

import java.util.Map;
import java.util.stream.Collectors;

/**
 * The Delta properties every table of the lake carries, set at creation and by the upgrade of an older table.
 *
 * <p>Time travel reaches back as far as the log is kept ({@code delta.logRetentionDuration}) and as far as the
 * replaced data files are kept ({@code delta.deletedFileRetentionDuration}); an analyst comparing a night with
 * last month's restated version needs both. The deleted-file retention is also the floor of Delta's VACUUM
 * safety check, so it matches the shortest retention {@code maintain} accepts (168 hours).
 */
public final class LakeTableProperties {
  /** The shortest VACUUM retention {@code maintain} accepts: Delta's default deleted-file retention. */
  public static final int MIN_VACUUM_RETENTION_HOURS = 168;

  /** Property → value, as Delta spells them (interval strings). */
  public static final Map<String, String> DEFAULTS =
      Map.of(
          "delta.logRetentionDuration", "interval 30 days",
          "delta.deletedFileRetentionDuration", "interval 7 days",
          // A checkpoint every 10 commits bounds a reader's log replay; a night writes each table
          // once or twice.
          "delta.checkpointInterval", "10");

  private LakeTableProperties() {}

  /** {@code 'k' = 'v', ...} for TBLPROPERTIES, in a stable order. */
  static String sql(Map<String, String> properties) {
    return properties.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .map(e -> "'" + e.getKey() + "' = '" + e.getValue() + "'")
        .collect(Collectors.joining(", "));
  }
}
