package dev.idleledger.airflow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads the analyst notebooks of notebooks-export/ (Databricks source format: a header line, cells
 * separated by {@code # COMMAND ----------}, magic cells as {@code # MAGIC %md} / {@code # MAGIC %sql}
 * lines, Python cells as plain lines) so tests can run their SQL cells as plain Spark SQL.
 *
 * <p>Parameters: a notebook declares its Databricks widgets in a Python cell of
 * {@code dbutils.widgets.text("name", "default", "label")} lines, and its SQL cells read them as named parameter
 * markers ({@code :name}; tables as {@code IDENTIFIER(:database || '.table')}), which is how Databricks binds
 * widget values to {@code %sql} cells from Runtime 15.2 (the {@code ${name}} form is deprecated there). Spark
 * binds the same markers through {@code spark.sql(text, args)}, so a test runs a cell as Databricks would.
 */
public final class NotebookSql {
  static final String HEADER = "# Databricks notebook source";
  static final String SEPARATOR = "# COMMAND ----------";
  static final String MAGIC = "# MAGIC";

  /** One widget declaration: {@code dbutils.widgets.text("name", "default")} with an optional label. */
  static final Pattern WIDGET =
      Pattern.compile(
          "dbutils\\.widgets\\.text\\(\"(\\w+)\",\\s*\"([^\"]*)\"(?:,\\s*\"[^\"]*\")?\\)");

  /** A named parameter marker; string literals, quoted identifiers and comments are removed before looking. */
  static final Pattern MARKER = Pattern.compile("(?<![\\w:]):([A-Za-z_]\\w*)");

  static final Pattern NOT_CODE = Pattern.compile("'(?:[^'\\\\]|\\\\.)*'|`[^`]*`|--[^\\n]*");

  public enum Kind {
    MARKDOWN,
    SQL,
    WIDGETS,
    OTHER
  }

  /** One cell: its kind and its text with the {@code # MAGIC} prefixes and the {@code %md}/{@code %sql} line removed. */
  public record Cell(Kind kind, String text) {}

  private NotebookSql() {}

  /** The exported notebooks folder of this repository (found from the conf folder surefire names). */
  public static Path exportDir() {
    return Path.of(System.getProperty("idleledger.conf.dir"))
        .toAbsolutePath()
        .normalize()
        .getParent()
        .resolve("notebooks-export");
  }

  /** Every notebook (*.py) under the folder, sorted by name. */
  public static List<Path> notebooks(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".py")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(dir + ": cannot list notebooks", e);
    }
  }

  /** The SQL statements of a notebook's {@code %sql} cells, in order, each ready for {@code spark.sql}. */
  public static List<String> cells(Path notebook) {
    return parse(notebook).stream().filter(c -> c.kind() == Kind.SQL).map(Cell::text).toList();
  }

  /** The notebook's widgets, name to default value, in declaration order. */
  public static Map<String, String> widgets(Path notebook) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Cell cell : parse(notebook)) {
      if (cell.kind() == Kind.WIDGETS) {
        Matcher m = WIDGET.matcher(cell.text());
        while (m.find()) {
          out.put(m.group(1), m.group(2));
        }
      }
    }
    return out;
  }

  /** The named parameter markers a SQL statement reads, in order of first use. */
  public static Set<String> parameters(String sql) {
    Set<String> out = new LinkedHashSet<>();
    Matcher m = MARKER.matcher(NOT_CODE.matcher(sql).replaceAll(" "));
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  /**
   * The arguments to run {@code sql} with, as Databricks binds a notebook's widgets: for every marker the
   * statement reads, the value a user set in {@code values}, else the widget's default.
   */
  public static Map<String, Object> arguments(
      Path notebook, String sql, Map<String, String> values) {
    Map<String, String> widgets = widgets(notebook);
    Map<String, Object> args = new LinkedHashMap<>();
    for (String name : parameters(sql)) {
      if (!widgets.containsKey(name)) {
        throw new IllegalArgumentException(
            notebook.getFileName()
                + ": a SQL cell reads :"
                + name
                + ", which no widget of the notebook declares");
      }
      args.put(name, values.getOrDefault(name, widgets.get(name)));
    }
    return args;
  }

  /** All cells of a notebook, in order; blank cells are dropped. */
  public static List<Cell> parse(Path notebook) {
    List<String> lines;
    try {
      lines = Files.readAllLines(notebook, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(notebook + ": cannot read notebook", e);
    }
    if (lines.isEmpty() || !lines.get(0).strip().equals(HEADER)) {
      throw new IllegalArgumentException(notebook + ": line 1 must be '" + HEADER + "'");
    }
    List<Cell> cells = new ArrayList<>();
    List<String> chunk = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      if (line.strip().equals(SEPARATOR)) {
        addCell(chunk, cells);
        chunk = new ArrayList<>();
      } else {
        chunk.add(line.stripTrailing());
      }
    }
    addCell(chunk, cells);
    return cells;
  }

  private static void addCell(List<String> chunk, List<Cell> cells) {
    List<String> body = trimBlankLines(chunk);
    if (body.isEmpty()) {
      return;
    }
    if (!body.stream().allMatch(l -> l.startsWith(MAGIC))) {
      boolean widgets =
          body.stream()
              .allMatch(
                  l -> l.isBlank() || l.startsWith("#") || WIDGET.matcher(l.strip()).matches());
      cells.add(new Cell(widgets ? Kind.WIDGETS : Kind.OTHER, String.join("\n", body)));
      return;
    }
    List<String> content = body.stream().map(NotebookSql::stripMagic).toList();
    String magic = content.get(0).strip();
    String text = String.join("\n", content.subList(1, content.size())).strip();
    switch (magic) {
      case "%sql" -> cells.add(new Cell(Kind.SQL, stripTrailingSemicolons(text)));
      case "%md" -> cells.add(new Cell(Kind.MARKDOWN, text));
      default -> cells.add(new Cell(Kind.OTHER, String.join("\n", content)));
    }
  }

  /** "# MAGIC SELECT 1" -> "SELECT 1"; a bare "# MAGIC" is an empty line of the cell. */
  private static String stripMagic(String line) {
    String rest = line.substring(MAGIC.length());
    return rest.startsWith(" ") ? rest.substring(1) : rest;
  }

  // spark.sql takes one statement; a trailing ';' is common in notebooks and harmless to drop.
  private static String stripTrailingSemicolons(String sql) {
    String s = sql;
    while (s.endsWith(";")) {
      s = s.substring(0, s.length() - 1).stripTrailing();
    }
    return s;
  }

  private static List<String> trimBlankLines(List<String> lines) {
    int from = 0;
    int to = lines.size();
    while (from < to && lines.get(from).isBlank()) {
      from++;
    }
    while (to > from && lines.get(to - 1).isBlank()) {
      to--;
    }
    return lines.subList(from, to);
  }
}
