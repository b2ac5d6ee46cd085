package dev.idleledger.cli;

import dev.idleledger.RunFailedException;
import dev.idleledger.config.ConfigException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The command line of CONTRACTS.md §3. Exit codes: 0 success, 1 a failed run (reason on stderr),
 * 2 bad usage or bad config (one line naming the flag, key or path).
 */
@Command(
    name = "idle-ledger",
    // Inherited, so every subcommand answers --help (exit 0, even without its required options) and
    // --version.
    scope = CommandLine.ScopeType.INHERIT,
    mixinStandardHelpOptions = true,
    version = "GPU Idle Ledger 0.1.0",
    description =
        "Workload-level GPU idle cost from dcgm-exporter telemetry, kube-state-metrics and cloud billing.",
    subcommands = {
      DemoCommand.class,
      GenerateCommand.class,
      NightlyCommand.class,
      BackfillCommand.class,
      MaintainCommand.class,
      SqlCommand.class,
      ReportCommand.class,
      TicketsCommand.class,
      BenchCommand.class,
    })
public final class IdleLedger implements Runnable {
  public static final int EXIT_OK = 0;
  public static final int EXIT_RUN_FAILED = 1;
  public static final int EXIT_USAGE = 2;

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs one command line and returns its exit code (tests call this instead of main). */
  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new IdleLedger());
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          PrintWriter err = commandLine.getErr();
          if (e instanceof ConfigException || e instanceof CommandLine.ParameterException) {
            err.println("idle-ledger: " + e.getMessage());
            return EXIT_USAGE;
          }
          if (e instanceof RunFailedException) {
            err.println("idle-ledger: run failed: " + e.getMessage());
            return EXIT_RUN_FAILED;
          }
          err.println("idle-ledger: run failed: " + describe(e));
          e.printStackTrace(err);
          return EXIT_RUN_FAILED;
        });
    return cli.execute(args);
  }

  private static String describe(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message =
        root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return message.lines().findFirst().orElse(message);
  }
}
