package dev.idleledger.nightly;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;

import dev.idleledger.config.LedgerConfig;
import dev.idleledger.quality.QualityTables;
import dev.idleledger.quality.QualityTables.RunQuality;
import dev.idleledger.recommend.RecommendStage;
import dev.idleledger.spark.GlobalAggregate;
import dev.idleledger.spark.LakeTables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;

/**
 * The newest night the lake and its inputs have seen, which alone may act on tickets: the later of the newest
 * night already recommended (an Airflow re-run of an old date comes after it) and the newest complete day in the
 * telemetry and kube archives (an Airflow catch-up runs old dates in order while the archive already holds later
 * days). A day is complete once the archive has a folder for the day after it: at the normal hour the run for D
 * sees {@code dt=D+1} (today's folder, being written) and nothing later, so D is the newest night.
 */
final class NewestNight {
  private NewestNight() {}

  /** Why tickets may not act for {@code night}, or empty when it is the newest night seen. */
  static Optional<String> whyNotNewest(
      LakeTables tables,
      LedgerConfig config,
      Configuration hadoopConf,
      LocalDate night,
      Optional<LocalDate> newestRecommended) {
    if (newestRecommended.isPresent() && newestRecommended.get().isAfter(night)) {
      return Optional.of(newestRecommended.get() + " is already recommended");
    }
    Optional<LocalDate> archived =
        Stream.of(config.telemetryRoot, config.kubeRoot)
            .filter(r -> !r.isEmpty())
            .map(r -> newestDayFolder(r, hadoopConf))
            .flatMap(Optional::stream)
            .max(LocalDate::compareTo);
    if (archived.isPresent() && archived.get().minusDays(1).isAfter(night)) {
      return Optional.of(
          "the archive already holds "
              + archived.get().minusDays(1)
              + " complete (dt="
              + archived.get()
              + "/ exists)");
    }
    return Optional.empty();
  }

  /** The newest night a recommend stage ran for (its run_quality check is written every night, with or without recommendations). */
  static Optional<LocalDate> newestRecommended(LakeTables tables) {
    Row r =
        GlobalAggregate.of(
            tables
                .read(QualityTables.RUN_QUALITY)
                .where(col(RunQuality.CHECK).equalTo(RecommendStage.QUALITY_CHECK)),
            max(col(RunQuality.DATE)));
    return r.isNullAt(0) ? Optional.empty() : Optional.of(r.getDate(0).toLocalDate());
  }

  /** The newest {@code dt=YYYY-MM-DD} folder under an archive root; one listing of the root, no file contents. */
  private static Optional<LocalDate> newestDayFolder(String root, Configuration hadoopConf) {
    Path rootPath = new Path(root);
    try {
      FileSystem fs = rootPath.getFileSystem(hadoopConf);
      if (!fs.exists(rootPath)) {
        return Optional.empty();
      }
      LocalDate newest = null;
      for (FileStatus s : fs.listStatus(rootPath)) {
        String name = s.getPath().getName();
        if (s.isDirectory() && name.startsWith("dt=")) {
          try {
            LocalDate d = LocalDate.parse(name.substring(3));
            newest = newest == null || d.isAfter(newest) ? d : newest;
          } catch (DateTimeParseException e) {
            // not a day folder of the contract layout; the readers ignore it too
          }
        }
      }
      return Optional.ofNullable(newest);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root + ": " + e.getMessage(), e);
    }
  }
}
