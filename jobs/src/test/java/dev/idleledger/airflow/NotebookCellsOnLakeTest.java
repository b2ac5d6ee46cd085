package dev.idleledger.airflow;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.testing.FleetLake;
import dev.idleledger.testing.TestSpark;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** Every SQL cell of every analyst notebook runs on a populated lake, and the ones that report data return rows. */
class NotebookCellsOnLakeTest {
  /**
   * Cells that list problems may rightly be empty on a clean generated fleet: quarantined rows, failed checks,
   * and whole hours a workload sat idle (the shared fleet's days are four hours long). Every other cell reads
   * tables the nights filled and must return rows.
   */
  private static boolean mayRightlyBeEmpty(String query) {
    return query.contains(".quarantine") || query.contains("NOT passed") || query.contains("state_seconds_active = 0");
  }

  @Test
  void everySqlCellRunsOnAPopulatedLakeAndReturnsRows() throws IOException {
    FleetLake.Lake lake = FleetLake.get();
    List<String> problems = new ArrayList<>();
    int cells = 0;
    for (Path notebook : NotebookSql.notebooks(NotebookSql.exportDir())) {
      for (String sql : NotebookSql.cells(notebook)) {
        cells++;
        String query = sql.replace("idle_ledger.", lake.database() + ".");
        try {
          List<Row> rows = TestSpark.session().sql(query).collectAsList();
          if (rows.isEmpty() && !mayRightlyBeEmpty(query)) {
            problems.add(notebook.getFileName() + ": no rows from\n" + sql);
          }
        } catch (RuntimeException e) {
          problems.add(notebook.getFileName() + ": " + e.getMessage().lines().findFirst().orElse("") + "\n" + sql);
        }
      }
    }
    assertTrue(cells >= 8, "expected the notebooks' SQL cells, found " + cells);
    assertTrue(problems.isEmpty(), String.join("\n\n", problems));
    assertFalse(lake.dates().isEmpty());
  }
}
