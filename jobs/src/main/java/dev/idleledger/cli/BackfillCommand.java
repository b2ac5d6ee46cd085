package dev.idleledger.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "backfill", description = "Not built yet: see the open issues.")
public final class BackfillCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Override
  public Integer call() {
    common.load();
    System.err.println("idle-ledger: 'backfill' is not built yet");
    return IdleLedger.EXIT_RUN_FAILED;
  }
}
