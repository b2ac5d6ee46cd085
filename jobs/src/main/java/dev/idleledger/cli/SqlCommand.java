package dev.idleledger.cli;

import dev.idleledger.RunFailedException;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.recommend.CombinedSavings;
import dev.idleledger.spark.LakeTables;
import dev.idleledger.spark.LedgerSpark;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "sql",
    description = "Run Spark SQL against the lake's catalog and print the result.")
public final class SqlCommand implements Callable<Integer> {
  enum Format {
    table,
    csv,
    json
  }

  @Mixin CommonOptions common;

  @Parameters(
      index = "0",
      paramLabel = "QUERY",
      description = "e.g. \"SELECT * FROM idle_ledger.cluster_daily\"")
  String query;

  @Option(
      names = "--format",
      defaultValue = "table",
      description = "table, csv or json (default: ${DEFAULT-VALUE})")
  Format format;

  @Override
  public Integer call() throws IOException {
    LedgerConfig config = common.load();
    if (common.stopsForDryRun(config)) {
      return IdleLedger.EXIT_OK;
    }
    SparkSession spark = LedgerSpark.create(config, "idle-ledger sql");
    try {
      spark.conf().set("spark.sql.jsonGenerator.ignoreNullFields", "false");
      spark.sql("CREATE DATABASE IF NOT EXISTS " + config.database);
      spark.catalog().setCurrentDatabase(config.database);
      CombinedSavings.republish(new LakeTables(spark, config));
      printQuery(spark, config.database);
      return IdleLedger.EXIT_OK;
    } finally {
      spark.stop();
    }
  }

  /**
   * Runs the person's query. A query Spark refuses (a typo in a table or column name, a parse error, a
   * failed cast) is their input, not our bug: one line that says what Spark said and where to look,
   * not a stack trace with the query plan in it.
   */
  private void printQuery(SparkSession spark, String database) throws IOException {
    try {
      print(spark.sql(query), format, System.out);
    } catch (Exception e) {
      if (e instanceof SparkThrowable) {
        throw new RunFailedException(
            "the query did not run: "
                + refusal(e)
                + " (SHOW TABLES IN "
                + database
                + " lists the tables, DESCRIBE "
                + database
                + ".<table> their columns)");
      }
      throw e;
    }
  }

  /** Spark's reason without the analyzed plan it appends to an analysis error's message. */
  private static String refusal(Exception e) {
    String message =
        e instanceof AnalysisException analysis ? analysis.getSimpleMessage() : e.getMessage();
    return message == null
        ? e.getClass().getSimpleName()
        : message.lines().findFirst().orElse(message).strip();
  }

  static void print(Dataset<Row> result, Format format, PrintStream out) throws IOException {
    String[] columns = result.columns();
    switch (format) {
      case json -> result.toJSON().collectAsList().forEach(out::println);
      case csv -> {
        // RFC 4180 quoting, a header of column names, null as an empty cell.
        CSVPrinter printer =
            new CSVPrinter(
                out, CSVFormat.RFC4180.builder().setHeader(columns).setNullString("").get());
        for (Row row : result.collectAsList()) {
          for (int i = 0; i < columns.length; i++) {
            printer.print(row.isNullAt(i) ? null : String.valueOf(row.get(i)));
          }
          printer.println();
        }
        printer.flush();
      }
      case table -> printTable(columns, result.collectAsList(), out);
    }
  }

  private static void printTable(String[] columns, List<Row> rows, PrintStream out) {
    int[] width = new int[columns.length];
    String[][] cells = new String[rows.size()][columns.length];
    for (int c = 0; c < columns.length; c++) {
      width[c] = columns[c].length();
    }
    for (int r = 0; r < rows.size(); r++) {
      for (int c = 0; c < columns.length; c++) {
        Object v = rows.get(r).get(c);
        cells[r][c] = v == null ? "NULL" : String.valueOf(v);
        width[c] = Math.max(width[c], cells[r][c].length());
      }
    }
    StringBuilder rule = new StringBuilder("+");
    for (int w : width) {
      rule.append("-".repeat(w + 2)).append('+');
    }
    out.println(rule);
    out.println(line(columns, width));
    out.println(rule);
    for (String[] row : cells) {
      out.println(line(row, width));
    }
    out.println(rule);
    out.println(rows.size() + (rows.size() == 1 ? " row" : " rows"));
  }

  private static String line(String[] cells, int[] width) {
    StringBuilder sb = new StringBuilder("|");
    for (int c = 0; c < cells.length; c++) {
      sb.append(' ').append(String.format("%-" + width[c] + "s", cells[c])).append(" |");
    }
    return sb.toString();
  }
}
