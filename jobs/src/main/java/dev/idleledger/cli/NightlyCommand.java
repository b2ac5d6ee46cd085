package dev.idleledger.cli;

import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "nightly", description = "Not built yet: see the open issues.")
public final class NightlyCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(names = "--date", required = true) LocalDate date;

  @Option(names = "--lookback") Integer lookback;

  @Override
  public Integer call() {
    common.load();
    if (common.dryRun) {
      return IdleLedger.EXIT_OK;
    }
    System.err.println("idle-ledger: 'nightly' is not built yet");
    return IdleLedger.EXIT_RUN_FAILED;
  }
}
