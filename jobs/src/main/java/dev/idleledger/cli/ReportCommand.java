package dev.idleledger.cli;

import dev.idleledger.Progress;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.report.HtmlReport;
import dev.idleledger.report.ReportData;
import dev.idleledger.report.ReportOutput;
import dev.idleledger.spark.LakeTables;
import dev.idleledger.spark.LedgerSpark;
import java.io.IOException;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "report",
    description =
        "Write the waste report for the N days ending at DATE as one self-contained HTML file: "
            + "where the money went, the open recommendations (what to do, who, savings, ticket) and the savings realized so far.")
public final class ReportCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--date",
      required = true,
      paramLabel = "DATE",
      description = "last UTC day of the report, YYYY-MM-DD")
  LocalDate date;

  @Option(
      names = "--days",
      defaultValue = "7",
      paramLabel = "N",
      description = "days covered, ending at DATE (default: ${DEFAULT-VALUE})")
  int days;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "PATH",
      description =
          "where to write the report: a local file or any Hadoop path, e.g. s3a://bucket/reports/2026-11-30.html")
  String out;

  @Override
  public Integer call() throws IOException {
    if (days < 1) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--days must be at least 1, got " + days);
    }
    if (out.isBlank()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--out must name a file or a Hadoop path");
    }
    LedgerConfig config = common.load();
    if (common.stopsForDryRun(config)) {
      return IdleLedger.EXIT_OK;
    }
    SparkSession spark = LedgerSpark.create(config, "idle-ledger report");
    try {
      Written written = write(new LakeTables(spark, config), date.minusDays(days - 1L), date, out);
      Progress.line("report written to %s", written.path());
      return IdleLedger.EXIT_OK;
    } finally {
      spark.stop();
    }
  }

  /** The report as written: where, and the figures it shows (the demo prints the same ones). */
  record Written(String path, ReportData data) {}

  static Written write(LakeTables tables, LocalDate from, LocalDate to, String out)
      throws IOException {
    ReportData data = ReportData.read(tables, from, to);
    String path =
        ReportOutput.write(
            out, HtmlReport.render(data), tables.spark().sparkContext().hadoopConfiguration());
    return new Written(path, data);
  }
}
