package dev.idleledger.airflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.testing.FleetLake;
import dev.idleledger.testing.TestSpark;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * Every SQL cell of every analyst notebook runs on a populated lake, with its widgets bound the way Databricks
 * binds them (named parameter markers): once with only the database set (the other widgets at their
 * defaults) and once with every widget filled in as a user would; the ones that report data return rows.
 */
class NotebookCellsOnLakeTest {
  /**
   * Cells that list problems may rightly be empty on a clean generated fleet: quarantined rows, failed checks,
   * and whole hours a workload sat idle (the shared fleet's days are four hours long); and a workload may have
   * no open recommendation. Every other cell reads tables the nights filled and must return rows.
   */
  private static boolean mayRightlyBeEmpty(String query) {
    return query.contains(".quarantine")
        || query.contains("NOT q.passed")
        || query.contains("state_seconds_active = 0")
        || query.contains("JOIN target t ON r.subject");
  }

  @Test
  void everySqlCellRunsOnAPopulatedLakeWithDefaultWidgetsAndReturnsRows() throws IOException {
    FleetLake.Lake lake = FleetLake.get();
    List<String> problems = runAll(Map.of("database", lake.database()));
    assertTrue(problems.isEmpty(), String.join("\n\n", problems));
    assertFalse(lake.dates().isEmpty());
  }

  @Test
  void everySqlCellRunsWithEveryWidgetFilledInByAUser() throws IOException {
    FleetLake.Lake lake = FleetLake.get();
    Row workload =
        TestSpark.session()
            .sql(
                "SELECT concat_ws('/', cluster, namespace, workload_kind, workload_name), team FROM "
                    + lake.database()
                    + ".workload_daily WHERE date = DATE'"
                    + lake.dates().get(0)
                    + "' ORDER BY cost DESC, workload_name LIMIT 1")
            .first();
    List<String> problems =
        runAll(
            Map.of(
                "database",
                lake.database(),
                "start_date",
                lake.dates().get(0).toString(),
                "end_date",
                lake.dates().get(0).toString(),
                "workload",
                workload.getString(0),
                "team",
                workload.getString(1),
                "label_key",
                "team"));
    assertTrue(problems.isEmpty(), String.join("\n\n", problems));
  }

  @Test
  void theDateWidgetsChooseTheDaysTheTrendShows() throws IOException {
    FleetLake.Lake lake = FleetLake.get();
    Path notebook = NotebookSql.exportDir().resolve("fleet_waste_overview.py");
    String trend = NotebookSql.cells(notebook).get(0);
    assertEquals(
        new TreeSet<>(lake.dates().stream().map(Object::toString).toList()),
        dates(notebook, trend, Map.of("database", lake.database())),
        "by default: every day of the lake (it is shorter than 30 days)");
    String first = lake.dates().get(0).toString();
    assertEquals(
        Set.of(first),
        dates(
            notebook,
            trend,
            Map.of("database", lake.database(), "start_date", first, "end_date", first)));
    assertEquals(
        Set.of(lake.dates().get(1).toString()),
        dates(
            notebook,
            trend,
            Map.of("database", lake.database(), "start_date", lake.dates().get(1).toString())));
  }

  @Test
  void theWorkloadWidgetChoosesTheWorkloadTheDrillDownShows() throws IOException {
    FleetLake.Lake lake = FleetLake.get();
    // The workload with the lowest idle cost on the first day: never the default (highest idle cost
    // on the last day).
    String chosen =
        TestSpark.session()
            .sql(
                "SELECT concat_ws('/', cluster, namespace, workload_kind, workload_name) FROM "
                    + lake.database()
                    + ".workload_daily WHERE date = DATE'"
                    + lake.dates().get(0)
                    + "' ORDER BY idle_cost, workload_name LIMIT 1")
            .first()
            .getString(0);
    Path notebook = NotebookSql.exportDir().resolve("workload_drilldown.py");
    String history = NotebookSql.cells(notebook).get(0);
    Map<String, String> values = Map.of("database", lake.database(), "workload", chosen);
    List<Row> rows =
        TestSpark.session()
            .sql(history, NotebookSql.arguments(notebook, history, values))
            .collectAsList();
    assertFalse(rows.isEmpty(), "no history for " + chosen);
    for (Row r : rows) {
      assertEquals(
          chosen,
          String.join(
              "/",
              r.<String>getAs("cluster"),
              r.getAs("namespace"),
              r.getAs("workload_kind"),
              r.getAs("workload_name")));
    }
  }

  @Test
  void theLabelKeyWidgetChoosesTheLabelTheChargebackGroupsBy() throws IOException {
    FleetLake.Lake lake = FleetLake.get();
    Path notebook = NotebookSql.exportDir().resolve("chargeback_by_label.py");
    String perValue = NotebookSql.cells(notebook).get(0);
    // The generator labels research and vision pods cc-2100, search and inference pods cc-3100,
    // ml-platform cc-1100 (FleetPlan); its eval CronJob, notebook and idle pod carry no team label
    // and so no cost-center.
    Set<String> costCenters = new TreeSet<>();
    TestSpark.session()
        .sql(
            perValue,
            NotebookSql.arguments(notebook, perValue, Map.of("database", lake.database())))
        .collectAsList()
        .forEach(r -> costCenters.add(r.getAs("label_value")));
    assertTrue(
        costCenters.containsAll(Set.of("cc-1100", "cc-2100", "cc-3100", "(no cost-center label)")),
        costCenters.toString());
    assertTrue(
        costCenters.stream()
            .allMatch(v -> v.startsWith("cc-") || v.equals("(no cost-center label)")),
        costCenters.toString());
    Set<String> teams = new TreeSet<>();
    TestSpark.session()
        .sql(
            perValue,
            NotebookSql.arguments(
                notebook, perValue, Map.of("database", lake.database(), "label_key", "team")))
        .collectAsList()
        .forEach(r -> teams.add(r.getAs("label_value")));
    assertTrue(teams.containsAll(Set.of("ml-platform", "research", "search")), teams.toString());
    assertFalse(teams.contains("cc-2100"), teams.toString());
  }

  private static Set<String> dates(Path notebook, String sql, Map<String, String> values) {
    Set<String> out = new TreeSet<>();
    TestSpark.session()
        .sql(sql, NotebookSql.arguments(notebook, sql, values))
        .collectAsList()
        .forEach(r -> out.add(r.getAs("date").toString()));
    return out;
  }

  private static List<String> runAll(Map<String, String> values) {
    List<String> problems = new ArrayList<>();
    int cells = 0;
    for (Path notebook : NotebookSql.notebooks(NotebookSql.exportDir())) {
      for (String sql : NotebookSql.cells(notebook)) {
        cells++;
        try {
          List<Row> rows =
              TestSpark.session()
                  .sql(sql, NotebookSql.arguments(notebook, sql, values))
                  .collectAsList();
          if (rows.isEmpty() && !mayRightlyBeEmpty(sql)) {
            problems.add(notebook.getFileName() + " with " + values + ": no rows from\n" + sql);
          }
        } catch (RuntimeException e) {
          problems.add(
              notebook.getFileName()
                  + " with "
                  + values
                  + ": "
                  + e.getMessage().lines().findFirst().orElse("")
                  + "\n"
                  + sql);
        }
      }
    }
    if (cells < 8) {
      problems.add("expected the notebooks' SQL cells, found " + cells);
    }
    return problems;
  }
}
