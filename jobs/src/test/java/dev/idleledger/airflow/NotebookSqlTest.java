package dev.idleledger.airflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.attribute.GpuHourlyTable;
import dev.idleledger.quality.QualityTables;
import dev.idleledger.recommend.CombinedSavings;
import dev.idleledger.rollup.GoldTables;
import dev.idleledger.spark.TableSpec;
import dev.idleledger.tables.RecommendationTables;
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
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exported analyst notebooks: their shape, and that every SQL cell runs against the published columns. */
class NotebookSqlTest {
  /**
   * The published columns of CONTRACTS.md §2. Notebooks may use only these (the tables may carry more), so
   * the views the cells run against below hold exactly these columns.
   */
  static final Map<String, List<String>> CONTRACT_COLUMNS =
      Map.of(
          "gpu_hourly",
              List.of(
                  "date",
                  "hour",
                  "cluster",
                  "node",
                  "instance_id",
                  "instance_type",
                  "gpu_uuid",
                  "gpu_model",
                  "mig_profile",
                  "mig_instance_id",
                  "namespace",
                  "pod",
                  "workload_kind",
                  "workload_name",
                  "workload_type",
                  "team",
                  "labels",
                  "state_seconds_active",
                  "state_seconds_idle",
                  "state_seconds_idle_memory_held",
                  "state_seconds_unallocated",
                  "state_seconds_unobserved",
                  "avg_activity",
                  "max_activity",
                  "max_fb_used_mib",
                  "cost",
                  "active_cost",
                  "idle_cost",
                  "idle_memory_held_cost",
                  "unallocated_cost",
                  "unobserved_cost",
                  "unused_capacity_cost",
                  "price_source",
                  "currency"),
          "workload_daily",
              List.of(
                  "date",
                  "cluster",
                  "namespace",
                  "workload_kind",
                  "workload_name",
                  "workload_type",
                  "team",
                  "labels",
                  "pods",
                  "gpus",
                  "gpu_hours",
                  "active_gpu_hours",
                  "idle_gpu_hours",
                  "idle_memory_held_gpu_hours",
                  "avg_activity",
                  "p95_activity",
                  "max_fb_used_mib",
                  "cost",
                  "idle_cost",
                  "idle_memory_held_cost",
                  "unused_capacity_cost",
                  "efficiency",
                  "longest_idle_streak_seconds",
                  "currency"),
          "cluster_daily",
              List.of(
                  "date",
                  "cluster",
                  "gpus",
                  "billed_gpu_hours",
                  "allocated_gpu_hours",
                  "unallocated_gpu_hours",
                  "unobserved_gpu_hours",
                  "gpu_cost",
                  "allocated_cost",
                  "idle_cost",
                  "unallocated_cost",
                  "unobserved_cost",
                  "unused_capacity_cost",
                  "waste_cost",
                  "avg_activity",
                  "reconciliation_delta",
                  "currency"),
          "team_daily",
              List.of(
                  "date",
                  "team",
                  "gpu_hours",
                  "cost",
                  "idle_cost",
                  "unused_capacity_cost",
                  "efficiency",
                  "shared_waste_cost",
                  "cost_with_shared_waste",
                  "currency"),
          // The view of RECOMMENDATIONS.md's table with savings that add up (CombinedSavings).
          "recommendation_savings", List.of(CombinedSavings.columnNames()));

  static final List<TableSpec> SPECS =
      List.of(
          GpuHourlyTable.SPEC,
          GoldTables.WORKLOAD_DAILY,
          GoldTables.CLUSTER_DAILY,
          GoldTables.TEAM_DAILY,
          QualityTables.RUN_QUALITY,
          QualityTables.QUARANTINE);

  /** A table a cell reads: a CTE by name, or a ledger table of the database widget, {@code IDENTIFIER(:database || '.table')}. */
  static final Pattern TABLE_REF =
      Pattern.compile(
          "(?i)\\b(?:FROM|JOIN)\\s+(IDENTIFIER\\(:database \\|\\| '\\.(\\w+)'\\)|[A-Za-z_][\\w.]*)");

  static final Pattern CTE_NAME =
      Pattern.compile("(?i)(?:\\bWITH|,)\\s*([A-Za-z_]\\w*)\\s+AS\\s*\\(");

  @TempDir Path dir;

  @Test
  void theFiveAnalystNotebooksAreExported() {
    List<String> names =
        NotebookSql.notebooks(NotebookSql.exportDir()).stream()
            .map(p -> p.getFileName().toString())
            .toList();
    assertEquals(
        List.of(
            "chargeback_by_label.py",
            "data_quality.py",
            "fleet_waste_overview.py",
            "team_chargeback.py",
            "workload_drilldown.py"),
        names);
  }

  @Test
  void everyNotebookOpensWithAQuestionAndHasSqlCells() {
    for (Path notebook : NotebookSql.notebooks(NotebookSql.exportDir())) {
      List<NotebookSql.Cell> cells = NotebookSql.parse(notebook);
      assertEquals(
          NotebookSql.Kind.MARKDOWN,
          cells.get(0).kind(),
          notebook + " does not open with a markdown cell");
      assertTrue(
          cells.get(0).text().contains("Question:"),
          notebook + ": the first cell should say which question it answers");
      assertFalse(NotebookSql.cells(notebook).isEmpty(), notebook + " has no SQL cell");
      assertTrue(
          cells.stream().noneMatch(c -> c.kind() == NotebookSql.Kind.OTHER),
          notebook + " has a cell other than SQL, markdown and widgets");
    }
  }

  @Test
  void everyNotebookTakesTheDatabaseAndDateRangeFromWidgetsWithDefaults() {
    for (Path notebook : NotebookSql.notebooks(NotebookSql.exportDir())) {
      Map<String, String> widgets = NotebookSql.widgets(notebook);
      String name = notebook.getFileName().toString();
      assertEquals(
          "idle_ledger",
          widgets.get("database"),
          name + ": the database widget defaults to the published database");
      assertEquals(
          "",
          widgets.get("start_date"),
          name + ": the range starts from a default the cells work out");
      assertEquals(
          "", widgets.get("end_date"), name + ": the range ends at the latest date by default");
      List<NotebookSql.Cell> cells = NotebookSql.parse(notebook);
      int firstSql =
          cells.stream().map(NotebookSql.Cell::kind).toList().indexOf(NotebookSql.Kind.SQL);
      int widgetCell =
          cells.stream().map(NotebookSql.Cell::kind).toList().indexOf(NotebookSql.Kind.WIDGETS);
      assertTrue(
          widgetCell >= 0 && widgetCell < firstSql,
          name + ": widgets are declared before the first SQL cell");
      for (String sql : NotebookSql.cells(notebook)) {
        Set<String> used = NotebookSql.parameters(sql);
        assertTrue(
            used.contains("database"),
            name + ": a cell does not read the database widget:\n" + sql);
        assertTrue(
            widgets.keySet().containsAll(used),
            name + ": reads " + used + " but declares only " + widgets.keySet());
      }
    }
    // Drill-downs take what they drill into.
    assertEquals(
        "",
        NotebookSql.widgets(NotebookSql.exportDir().resolve("workload_drilldown.py"))
            .get("workload"));
    assertEquals(
        "", NotebookSql.widgets(NotebookSql.exportDir().resolve("team_chargeback.py")).get("team"));
    assertEquals(
        "cost-center",
        NotebookSql.widgets(NotebookSql.exportDir().resolve("chargeback_by_label.py"))
            .get("label_key"));
  }

  @Test
  void widgetCellsAndParameterMarkersAreReadAsDatabricksDoes() throws Exception {
    Path notebook = dir.resolve("w.py");
    Files.writeString(
        notebook,
        String.join(
            "\n",
            "# Databricks notebook source",
            "dbutils.widgets.text(\"database\", \"idle_ledger\", \"Database\")",
            "dbutils.widgets.text(\"team\", \"\")",
            "",
            "# COMMAND ----------",
            "",
            "# MAGIC %sql",
            "# MAGIC SELECT ':not_a_marker', `:col` -- :comment",
            "# MAGIC FROM IDENTIFIER(:database || '.team_daily') WHERE team = :team AND hour > '10:30'",
            ""));
    assertEquals(NotebookSql.Kind.WIDGETS, NotebookSql.parse(notebook).get(0).kind());
    assertEquals(Map.of("database", "idle_ledger", "team", ""), NotebookSql.widgets(notebook));
    String sql = NotebookSql.cells(notebook).get(0);
    assertEquals(List.of("database", "team"), new ArrayList<>(NotebookSql.parameters(sql)));
    assertEquals(
        Map.of("database", "ledger_x", "team", ""),
        NotebookSql.arguments(notebook, sql, Map.of("database", "ledger_x")));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> NotebookSql.arguments(notebook, sql + " AND x = :undeclared", Map.of()));
    assertTrue(
        e.getMessage().contains(":undeclared") && e.getMessage().contains("w.py"), e.getMessage());
  }

  @Test
  void cellsStripMagicPrefixesAndSkipMarkdown() throws Exception {
    Path notebook = dir.resolve("n.py");
    Files.writeString(
        notebook,
        String.join(
            "\n",
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
    assertEquals(
        List.of("SELECT 1 AS a\n\n  FROM idle_ledger.team_daily", "SELECT 2"),
        NotebookSql.cells(notebook));
    assertEquals(
        new NotebookSql.Cell(NotebookSql.Kind.MARKDOWN, "# Title"),
        NotebookSql.parse(notebook).get(0));
  }

  @Test
  void aFileWithoutTheDatabricksHeaderIsRejectedByName() throws Exception {
    Path notebook = dir.resolve("plain.py");
    Files.writeString(notebook, "print('hi')\n");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> NotebookSql.parse(notebook));
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
          boolean ok =
              ref.group(2) != null
                  ? known.contains(ref.group(2))
                  : ctes.contains(table.toLowerCase());
          assertTrue(
              ok,
              notebook.getFileName()
                  + ": reads "
                  + table
                  + ", not a published table of the database widget:\n"
                  + sql);
        }
      }
    }
  }

  @Test
  void everySqlCellRunsAgainstThePublishedColumns() {
    SparkSession spark = TestSpark.session();
    // Empty views that hold only the contract's columns, as global temp views: the database widget
    // is set to global_temp, so IDENTIFIER(:database || '.table') finds them.
    for (TableSpec spec : SPECS) {
      List<String> columns =
          CONTRACT_COLUMNS.getOrDefault(spec.name(), List.of(spec.columnNames()));
      Column[] projection = columns.stream().map(functions::col).toArray(Column[]::new);
      spark
          .createDataFrame(new ArrayList<Row>(), spec.schema())
          .select(projection)
          .createOrReplaceGlobalTempView(spec.name());
    }
    Column[] savingsColumns =
        CONTRACT_COLUMNS.get("recommendation_savings").stream()
            .map(functions::col)
            .toArray(Column[]::new);
    CombinedSavings.of(
            spark,
            spark.createDataFrame(
                new ArrayList<Row>(), RecommendationTables.RECOMMENDATIONS.schema()))
        .select(savingsColumns)
        .createOrReplaceGlobalTempView("recommendation_savings");
    int cells = 0;
    for (Path notebook : NotebookSql.notebooks(NotebookSql.exportDir())) {
      for (String sql : NotebookSql.cells(notebook)) {
        try {
          spark
              .sql(sql, NotebookSql.arguments(notebook, sql, Map.of("database", "global_temp")))
              .collectAsList();
        } catch (Exception e) {
          throw new AssertionError(
              notebook.getFileName() + ": SQL cell fails: " + e.getMessage() + "\n" + sql, e);
        }
        cells++;
      }
    }
    assertTrue(cells >= 4, "only " + cells + " SQL cells");
  }
}
