package dev.idleledger.nightly;

import dev.idleledger.attribute.GpuHourlyTable;
import dev.idleledger.ingest.SilverTables;
import dev.idleledger.quality.QualityTables;
import dev.idleledger.rollup.GoldTables;
import dev.idleledger.spark.LakeTables;
import dev.idleledger.spark.TableSpec;
import dev.idleledger.tables.RecommendationTables;
import java.util.List;
import java.util.stream.Stream;

/**
 * Every table a night writes. A run brings them all to this release's schema and properties before it writes
 * anything ({@link LakeTables#ensure}), so the first run of a release upgrades the whole lake at once, including
 * a table this night happens not to write (an empty quarantine, say).
 */
public final class LakeSchema {
  public static final List<TableSpec> ALL =
      Stream.concat(
              SilverTables.ALL.stream(),
              Stream.of(
                  GpuHourlyTable.SPEC,
                  GoldTables.WORKLOAD_DAILY,
                  GoldTables.CLUSTER_DAILY,
                  GoldTables.TEAM_DAILY,
                  QualityTables.QUARANTINE,
                  QualityTables.RUN_QUALITY,
                  RecommendationTables.RECOMMENDATIONS,
                  RecommendationTables.HISTORY,
                  RunInputs.SPEC))
          .toList();

  private LakeSchema() {}

  static void upgrade(LakeTables tables) {
    ALL.forEach(tables::ensure);
  }
}
