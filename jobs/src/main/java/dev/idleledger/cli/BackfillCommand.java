package dev.idleledger.cli;

import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "backfill", description = "Not built yet: see the open issues.")
public final class BackfillCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(names = "--from", required = true) LocalDate from;

  @Option(names = "--to", required = true) LocalDate to;

  @Override
  public Integer call() {
    common.load();
    if (common.dryRun) {
      return IdleLedger.EXIT_OK;
    }
    System.err.println("idle-ledger: 'backfill' is not built yet");
    return IdleLedger.EXIT_RUN_FAILED;
  }
}
