package dev.idleledger.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.attribute.GpuHourlyTable;
import dev.idleledger.ingest.SilverTables;
import dev.idleledger.nightly.LakeSchema;
import dev.idleledger.quality.QualityTables;
import dev.idleledger.rollup.GoldTables;
import dev.idleledger.tables.RecommendationTables;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Code names a table's columns by constant, and each table's spec is built from its constants: these pin that
 * every constant is a column of its table and every column has its constant, so neither can be renamed alone.
 */
class TableColumnNamesTest {
  /** Each table's spec and the class holding its column names. */
  private record Named(TableSpec spec, Class<?> names, Set<String> notColumns) {}

  private static final List<Named> TABLES =
      List.of(
          new Named(SilverTables.GPU_SAMPLES, SilverTables.GpuSamples.class, Set.of()),
          new Named(SilverTables.POD_INFO, SilverTables.PodInfo.class, Set.of()),
          new Named(SilverTables.NODE_INFO, SilverTables.NodeInfo.class, Set.of()),
          new Named(SilverTables.BILLING_HOURLY, SilverTables.BillingHourly.class, Set.of()),
          new Named(SilverTables.BILLING_POD_SPLIT, SilverTables.BillingPodSplit.class, Set.of()),
          // A one-table class: besides the column names it holds a value the cluster column takes.
          new Named(GpuHourlyTable.SPEC, GpuHourlyTable.class, Set.of("UNATTRIBUTED_CLUSTER")),
          new Named(GoldTables.WORKLOAD_DAILY, GoldTables.WorkloadDaily.class, Set.of()),
          new Named(GoldTables.CLUSTER_DAILY, GoldTables.ClusterDaily.class, Set.of()),
          new Named(GoldTables.TEAM_DAILY, GoldTables.TeamDaily.class, Set.of()),
          new Named(QualityTables.QUARANTINE, QualityTables.Quarantine.class, Set.of()),
          new Named(QualityTables.RUN_QUALITY, QualityTables.RunQuality.class, Set.of()),
          new Named(
              RecommendationTables.RECOMMENDATIONS,
              RecommendationTables.Recommendations.class,
              Set.of()),
          new Named(RecommendationTables.HISTORY, RecommendationTables.History.class, Set.of()));

  /** The night's bookkeeping of its inputs: read and written by the nightly package alone. */
  private static final Set<String> UNNAMED = Set.of("run_inputs");

  @Test
  void everyColumnOfEveryTableHasAConstantOfTheSameName() {
    for (Named t : TABLES) {
      Map<String, String> constants = constants(t);
      for (String column : t.spec().columnNames()) {
        String expected = column.toUpperCase(Locale.ROOT);
        assertEquals(
            column,
            constants.get(expected),
            t.spec().name()
                + "."
                + column
                + " has no constant "
                + t.names().getSimpleName()
                + "."
                + expected);
      }
    }
  }

  @Test
  void everyConstantNamesAColumnOfItsTable() {
    for (Named t : TABLES) {
      List<String> columns = Arrays.asList(t.spec().columnNames());
      constants(t)
          .forEach(
              (name, value) ->
                  assertTrue(
                      columns.contains(value),
                      t.names().getSimpleName()
                          + "."
                          + name
                          + " = \""
                          + value
                          + "\" is no column of "
                          + t.spec().name()));
      assertTrue(
          columns.contains(t.spec().partitionColumn()) || t.spec().partitionColumn() == null,
          t.spec().name()
              + " is partitioned by "
              + t.spec().partitionColumn()
              + ", none of its columns");
    }
  }

  @Test
  void everyTableOfTheLakeHasItsColumnNames() {
    Set<String> named = TABLES.stream().map(t -> t.spec().name()).collect(Collectors.toSet());
    List<String> missing =
        LakeSchema.ALL.stream()
            .map(TableSpec::name)
            .filter(n -> !named.contains(n) && !UNNAMED.contains(n))
            .toList();
    assertEquals(
        List.of(),
        missing,
        "tables without a class of column-name constants (add one next to the spec and list it here)");
  }

  /** The public static final String fields of the table's names class, by field name. */
  private static Map<String, String> constants(Named t) {
    Map<String, String> out = new TreeMap<>();
    for (Field f : t.names().getDeclaredFields()) {
      int m = f.getModifiers();
      if (f.getType() == String.class
          && Modifier.isPublic(m)
          && Modifier.isStatic(m)
          && Modifier.isFinal(m)
          && !t.notColumns().contains(f.getName())) {
        try {
          out.put(f.getName(), (String) f.get(null));
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return out;
  }
}
