package dev.idleledger.quality;

import dev.idleledger.spark.LakeTables;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;

/**
 * Where the checks a {@link QualityRecorder} flushes go: straight into {@code run_quality} ({@link #direct}), or
 * held for one commit at the end of the night ({@link #heldForNight}).
 *
 * <p>A night of three dates flushed its checks four times, a Delta commit each (on a first night, four of its
 * thirty commits). Held, they are one. A night that fails writes what it holds before the failure reaches the
 * caller ({@code NightlyRun}), so the evidence of a failed check is in the table either way. A process killed
 * outright loses the checks of the dates it had finished, which it used to have committed; those dates are
 * recomputed by the retry (their manifests are recorded last), which records its own checks of them.
 */
public final class QualityLog {
  private final LakeTables tables;
  private final boolean holding;
  private final List<Row> held = new ArrayList<>();

  private QualityLog(LakeTables tables, boolean holding) {
    this.tables = tables;
    this.holding = holding;
  }

  /** Every flush is a commit of its own. */
  public static QualityLog direct(LakeTables tables) {
    return new QualityLog(tables, false);
  }

  /** Flushes are held until {@link #write}. */
  public static QualityLog heldForNight(LakeTables tables) {
    return new QualityLog(tables, true);
  }

  void add(List<Row> checks) {
    if (checks.isEmpty()) {
      return;
    }
    if (holding) {
      held.addAll(checks);
    } else {
      append(checks);
    }
  }

  /** Writes the held checks in one commit (none: no commit). */
  public void write() {
    if (held.isEmpty()) {
      return;
    }
    append(held);
    held.clear();
  }

  private void append(List<Row> checks) {
    tables.append(
        QualityTables.RUN_QUALITY,
        tables.spark().createDataFrame(List.copyOf(checks), QualityTables.RUN_QUALITY.schema()));
  }
}
