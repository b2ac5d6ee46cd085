package dev.idleledger.airflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.attribute.GpuHourlyTable;
import dev.idleledger.quality.QualityTables;
import dev.idleledger.rollup.GoldTables;
import dev.idleledger.spark.TableSpec;
import dev.idleledger.testing.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exported analyst notebooks: their shape, and that every SQL cell runs against the published columns. */
class NotebookSqlTest {
  /**
   * The published columns of CONTRACTS.md §2. Notebooks may use only these (the tables may carry more), so
   * the views the cells run against below hold exactly these columns.
   */
  static final Map<String, List<String>> CONTRACT_COLUMNS = Map.of(
      "gpu_hourly", List.of("date", "hour", "cluster", "node", "instance_id", "instance_type", "gpu_uuid", "gpu_model",
          "mig_profile", "mig_instance_id", "namespace", "pod", "workload_kind", "workload_name", "workload_type", "team",
          "state_seconds_active", "state_seconds_idle", "state_seconds_idle_memory_held", "state_seconds_unallocated",
          "state_seconds_unobserved", "avg_activity", "max_activity", "max_fb_used_mib", "cost", "active_cost",
          "idle_cost", "idle_memory_held_cost", "unallocated_cost", "unobserved_cost", "unused_capacity_cost",
          "price_source", "currency"),
      "workload_daily", List.of("date", "cluster", "namespace", "workload_kind", "workload_name", "workload_type", "team",
          "pods", "gpus", "gpu_hours", "active_gpu_hours", "idle_gpu_hours", "idle_memory_held_gpu_hours", "avg_activity",
          "p95_activity", "max_fb_used_mib", "cost", "idle_cost", "idle_memory_held_cost", "unused_capacity_cost",
          "efficiency", "longest_idle_streak_seconds", "currency"),
      "cluster_daily", List.of("date", "cluster", "gpus", "billed_gpu_hours", "allocated_gpu_hours",
          "unallocated_gpu_hours", "unobserved_gpu_hours", "gpu_cost", "allocated_cost", "idle_cost", "unallocated_cost",
          "unobserved_cost", "unused_capacity_cost", "waste_cost", "avg_activity", "reconciliation_delta", "currency"),
      "team_daily", List.of("date", "team", "gpu_hours", "cost", "idle_cost", "unused_capacity_cost", "efficiency",
          "currency"));

  static final List<TableSpec> SPECS = List.of(GpuHourlyTable.SPEC, GoldTables.WORKLOAD_DAILY, GoldTables.CLUSTER_DAILY,
      GoldTables.TEAM_DAILY, QualityTables.RUN_QUALITY, QualityTables.QUARANTINE);

  static final Pattern TABLE_REF = Pattern.compile("(?i)\\b(?:FROM|JOIN)\\s+([A-Za-z_][\\w.]*)");
  static final Pattern CTE_NAME = Pattern.compile("(?i)(?:\\bWITH|,)\\s*([A-Za-z_]\\w*)\\s+AS\\s*\\(");
  static final Pattern QUALIFIED = Pattern.compile("\\bidle_ledger\\.(\\w+)");

  @TempDir Path dir;

  @Test
  void theFourAnalystNotebooksAreExported() {
    List<String> names = NotebookSql.notebooks(NotebookSql.exportDir()).stream().map(p -> p.getFileName().toString()).toList();
    assertEquals(List.of("data_quality.py", "fleet_waste_overview.py", "team_chargeback.py", "workload_drilldown.py"), names);
  }

  @Test
  void everyNotebookOpensWithAQuestionAndHasSqlCells() {
    for (Path notebook : NotebookSql.notebooks(NotebookSql.exportDir())) {
      List<NotebookSql.Cell> cells = NotebookSql.parse(notebook);
      assertEquals(NotebookSql.Kind.MARKDOWN, cells.get(0).kind(), notebook + " does not open with a markdown cell");
      assertTrue(cells.get(0).text().contains("Question:"), notebook + ": the first cell should say which question it answers");
      assertFalse(NotebookSql.cells(notebook).isEmpty(), notebook + " has no SQL cell");
      assertTrue(cells.stream().noneMatch(c -> c.kind() == NotebookSql.Kind.OTHER), notebook + " has a non-SQL, non-markdown cell");
    }
  }

  @Test
  void cellsStripMagicPrefixesAndSkipMarkdown() throws Exception {
    Path notebook = dir.resolve("n.py");
    Files.writeString(notebook, String.join("\n",
        "# Databricks notebook source",
        "# MAGIC %md",
        "# MAGIC # Title",
        "",
        "# COMMAND ----------",
        "",
        "# MAGIC %sql",
        "# MAGIC SELECT 1 AS a",
        "# MAGIC",
        "# MAGIC   FROM idle_ledger.team_daily;",
        "",
        "# COMMAND ----------",
        "",
        "# MAGIC %sql",
        "# MAGIC SELECT 2",
        ""));
    assertEquals(List.of("SELECT 1 AS a\n\n  FROM idle_ledger.team_daily", "SELECT 2"), NotebookSql.cells(notebook));
    assertEquals(new NotebookSql.Cell(NotebookSql.Kind.MARKDOWN, "# Title"), NotebookSql.parse(notebook).get(0));
  }

  @Test
  void aFileWithoutTheDatabricksHeaderIsRejectedByName() throws Exception {
    Path notebook = dir.resolve("plain.py");
    Files.writeString(notebook, "print('hi')\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NotebookSql.parse(notebook));
    assertTrue(e.getMessage().contains("plain.py"), e.getMessage());
  }

  @Test
  void everySqlCellReadsOnlyQualifiedLedgerTables() {
    Set<String> known = new HashSet<>(CONTRACT_COLUMNS.keySet());
    known.addAll(List.of("run_quality", "quarantine"));
    for (Path notebook : NotebookSql.notebooks(NotebookSql.exportDir())) {
      for (String sql : NotebookSql.cells(notebook)) {
        Set<String> ctes = new HashSet<>();
        Matcher cte = CTE_NAME.matcher(sql);
        while (cte.find()) {
          ctes.add(cte.group(1).toLowerCase());
        }
        Matcher ref = TABLE_REF.matcher(sql);
        while (ref.find()) {
          String table = ref.group(1);
          boolean ok = ctes.contains(table.toLowerCase())
              || table.startsWith("idle_ledger.") && known.contains(table.substring("idle_ledger.".length()));
          assertTrue(ok, notebook.getFileName() + ": reads " + table + ", not a published idle_ledger table:\n" + sql);
        }
      }
    }
  }

  @Test
  void everySqlCellRunsAgainstThePublishedColumns() {
    SparkSession spark = TestSpark.session();
    for (TableSpec spec : SPECS) {
      List<String> columns = CONTRACT_COLUMNS.getOrDefault(spec.name(), List.of(spec.columnNames()));
      Column[] projection = columns.stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new);
      spark.createDataFrame(new ArrayList<Row>(), spec.schema()).select(projection)
          .createOrReplaceTempView("notebook_contract_" + spec.name());
    }
    int cells = 0;
    for (Path notebook : NotebookSql.notebooks(NotebookSql.exportDir())) {
      for (String sql : NotebookSql.cells(notebook)) {
        // Same statement, pointed at empty views that hold only the contract's columns.
        String local = QUALIFIED.matcher(sql).replaceAll("notebook_contract_$1");
        try {
          spark.sql(local).collectAsList();
        } catch (Exception e) {
          throw new AssertionError(notebook.getFileName() + ": SQL cell fails: " + e.getMessage() + "\n" + sql, e);
        }
        cells++;
      }
    }
    assertTrue(cells >= 4, "only " + cells + " SQL cells");
  }
}
