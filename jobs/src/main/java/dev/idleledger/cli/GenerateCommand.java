package dev.idleledger.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "generate", description = "Not built yet: see the open issues.")
public final class GenerateCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Override
  public Integer call() {
    common.load();
    System.err.println("idle-ledger: 'generate' is not built yet");
    return IdleLedger.EXIT_RUN_FAILED;
  }
}
