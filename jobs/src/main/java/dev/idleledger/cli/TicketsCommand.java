package dev.idleledger.cli;

import dev.idleledger.config.LedgerConfig;
import dev.idleledger.spark.LedgerSpark;
import dev.idleledger.tickets.TicketRunResult;
import dev.idleledger.tickets.TicketStage;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tickets --date D [--dry-run]}: syncs the recommendations' tickets for a night. With {@code --dry-run}
 * it reads the table and prints what would be filed, commented or closed, touching no ticket system.
 */
@Command(
    name = "tickets",
    description =
        "File, comment on and close recommendation tickets (exactly once per recommendation).")
public final class TicketsCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(
      names = "--date",
      required = true,
      paramLabel = "YYYY-MM-DD",
      description = "the night whose recommendations to sync")
  LocalDate date;

  @Option(
      names = "--table",
      paramLabel = "NAME",
      description = "the recommendations table (default: <catalog.database>.<tickets.table>)")
  String table;

  @Override
  public Integer call() {
    LedgerConfig config = common.load();
    SparkSession spark = LedgerSpark.create(config, "idle-ledger tickets");
    try {
      TicketStage stage = new TicketStage(spark, config);
      TicketRunResult result =
          stage.run(date, table == null ? stage.defaultTable() : table, common.dryRun);
      result.planned().forEach(System.out::println);
      result.errors().forEach(e -> System.out.println("ERROR   " + e));
      System.out.println(result.summary());
      return result.ok() ? IdleLedger.EXIT_OK : IdleLedger.EXIT_RUN_FAILED;
    } finally {
      spark.stop();
    }
  }
}
