package dev.idleledger.cli;

import dev.idleledger.config.LedgerConfig;
import dev.idleledger.report.HtmlReport;
import dev.idleledger.report.ReportData;
import dev.idleledger.spark.LakeTables;
import dev.idleledger.spark.LedgerSpark;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "report", description = "Write the waste report for the N days ending at DATE as one self-contained HTML file.")
public final class ReportCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--date", required = true, paramLabel = "DATE", description = "last UTC day of the report, YYYY-MM-DD")
  LocalDate date;

  @Option(names = "--days", defaultValue = "7", paramLabel = "N", description = "days covered, ending at DATE (default: ${DEFAULT-VALUE})")
  int days;

  @Option(names = "--out", required = true, paramLabel = "FILE.html", description = "where to write the report")
  Path out;

  @Override
  public Integer call() throws IOException {
    if (days < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--days must be at least 1, got " + days);
    }
    LedgerConfig config = common.load();
    if (common.stopsForDryRun(config)) {
      return IdleLedger.EXIT_OK;
    }
    SparkSession spark = LedgerSpark.create(config, "idle-ledger report");
    try {
      write(new LakeTables(spark, config), date.minusDays(days - 1L), date, out);
      Progress.line("report written to %s", out.toAbsolutePath());
      return IdleLedger.EXIT_OK;
    } finally {
      spark.stop();
    }
  }

  static void write(LakeTables tables, LocalDate from, LocalDate to, Path out) throws IOException {
    Path parent = out.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(out, HtmlReport.render(ReportData.read(tables, from, to)), StandardCharsets.UTF_8);
  }
}
