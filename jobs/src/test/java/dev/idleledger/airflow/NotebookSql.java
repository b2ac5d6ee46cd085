package dev.idleledger.airflow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads the analyst notebooks of notebooks-export/ (Databricks source format: a header line, cells
 * separated by {@code # COMMAND ----------}, magic cells as {@code # MAGIC %md} / {@code # MAGIC %sql}
 * lines) so tests can run their SQL cells as plain Spark SQL.
 */
public final class NotebookSql {
  static final String HEADER = "# Databricks notebook source";
  static final String SEPARATOR = "# COMMAND ----------";
  static final String MAGIC = "# MAGIC";

  public enum Kind { MARKDOWN, SQL, OTHER }

  /** One cell: its kind and its text with the {@code # MAGIC} prefixes and the {@code %md}/{@code %sql} line removed. */
  public record Cell(Kind kind, String text) {}

  private NotebookSql() {}

  /** The exported notebooks folder of this repository (found from the conf folder surefire names). */
  public static Path exportDir() {
    return Path.of(System.getProperty("idleledger.conf.dir")).toAbsolutePath().normalize().getParent().resolve("notebooks-export");
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
      cells.add(new Cell(Kind.OTHER, String.join("\n", body)));
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
