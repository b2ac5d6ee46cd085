package dev.idleledger.ingest.telemetry;

import static dev.idleledger.ingest.SilverTables.GpuSamples.HOLD_SECONDS;
import static dev.idleledger.ingest.SilverTables.GpuSamples.HOLD_SECONDS_NEXT_HOUR;
import static dev.idleledger.ingest.SilverTables.GpuSamples.TS;
import static java.util.Map.entry;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.ceil;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.timestamp_micros;
import static org.apache.spark.sql.functions.unix_micros;
import static org.apache.spark.sql.functions.when;

import dev.idleledger.model.Periods;
import dev.idleledger.spark.OrderedColumns;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The hours a sample's hold covers (COST_MODEL.md §2): a sample at t holds [t, t + d), cut at 24:00 of its date
 * (the next date's run owns its seconds), and a hold that crosses hh:00 counts in each hour for the part of it
 * that lies there. Ingest cuts the hold and records the part past the sample's hour
 * ({@code gpu_samples.hold_seconds_next_hour}); whoever needs held time per hour spreads a sample over its hours
 * with {@link #byHour}, in the same pass that reads the samples.
 */
public final class HeldHours {
  /** gpu_samples: of hold_seconds, the seconds past the end of the sample's hour (0 when the hold ends within it). */
  public static final String NEXT_HOUR = HOLD_SECONDS_NEXT_HOUR;

  /** {@link #byHour} output: start of the hour, the hold's seconds in it, and when that part of the hold begins. */
  public static final String HOUR = "hour";

  public static final String HOUR_SECONDS = "hour_seconds";
  public static final String HOUR_FROM = "hour_from";

  private static final double SECONDS_PER_HOUR = Periods.SECONDS_PER_HOUR;
  private static final long HOUR_MICROS = Periods.SECONDS_PER_HOUR * 1_000_000L;
  private static final long DAY_MICROS = 24 * HOUR_MICROS;
  private static final String HOURS_AFTER = "hours_after";

  private HeldHours() {}

  /** {@code hold} seconds from {@code ts}, cut at 24:00 (UTC) of the sample's date. */
  public static Column clippedAtMidnight(Column ts, Column hold) {
    return least(hold, secondsToNext(ts, DAY_MICROS));
  }

  /** The seconds of a {@code hold} from {@code ts} that lie past the end of ts's hour. */
  public static Column pastTheHour(Column ts, Column hold) {
    return greatest(lit(0.0), hold.minus(secondsToNext(ts, HOUR_MICROS)));
  }

  /** Seconds from ts to the next multiple of the period (a whole period when ts is on one), exact for whole seconds. */
  private static Column secondsToNext(Column ts, long periodMicros) {
    return lit(periodMicros).minus(pmod(unix_micros(ts), lit(periodMicros))).divide(1e6);
  }

  /**
   * One row per (sample, hour its hold covers), with {@link #HOUR}, {@link #HOUR_SECONDS} and {@link #HOUR_FROM}
   * added and the sample's own columns kept. Needs {@code ts}, {@code hold_seconds} and {@link #NEXT_HOUR}.
   *
   * <p>Nearly every sample lies in one hour: it gets a one-element array, one that crosses hh:00 a two-element one,
   * both constants of the plan, so the explode is a narrow step that allocates nothing per row and adds a row only
   * where a hold crosses the hour. Holds longer than an hour (a series whose typical interval is that long) get one
   * row per hour they touch.
   */
  public static Dataset<Row> byHour(Dataset<Row> samples) {
    Column past = col(NEXT_HOUR);
    Column hoursAfter =
        when(past.leq(0), array(lit(0)))
            .when(past.leq(SECONDS_PER_HOUR), array(lit(0), lit(1)))
            .otherwise(sequence(lit(0), ceil(past.divide(SECONDS_PER_HOUR)).cast("int")));
    Column k = col(HOURS_AFTER);
    Column sampleHour = unix_micros(col(TS)).minus(pmod(unix_micros(col(TS)), lit(HOUR_MICROS)));
    Column hourStartMicros = sampleHour.plus(k.cast("long").multiply(HOUR_MICROS));
    Column hour = timestamp_micros(hourStartMicros);
    return samples
        .withColumn(HOURS_AFTER, explode(hoursAfter))
        .withColumns(
            OrderedColumns.of(
                entry(HOUR, hour),
                entry(
                    HOUR_SECONDS,
                    when(k.equalTo(0), col(HOLD_SECONDS).minus(past))
                        .otherwise(
                            least(
                                lit(SECONDS_PER_HOUR),
                                past.minus(k.minus(1).multiply(SECONDS_PER_HOUR))))),
                entry(HOUR_FROM, when(k.equalTo(0), col(TS)).otherwise(hour))))
        .drop(HOURS_AFTER);
  }
}
