package dev.idleledger.cli;

import dev.idleledger.config.ConfigLoader;
import dev.idleledger.config.InstanceCatalog;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.recommend.RecommendSettings;
import dev.idleledger.tickets.TicketSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options every command takes: a config file layered over conf/, and key=value overrides on top. */
public final class CommonOptions {
  @Option(
      names = "--conf",
      paramLabel = "FILE",
      description = "a config file layered over conf/application.conf")
  Path confFile;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "override one config key (repeatable; last wins)")
  List<String> overrides = new ArrayList<>();

  @Option(
      names = "--dry-run",
      description =
          "parse arguments, load and check all of the config, print the effective "
              + "configuration (secrets masked), then exit without starting Spark")
  boolean dryRun;

  LedgerConfig load() {
    return checkedAtStart(ConfigLoader.load(confFile, overrides));
  }

  /** Loads config, plus extra overrides that a command derives from its own flags (they win over --set). */
  LedgerConfig load(List<String> extra) {
    List<String> all = new ArrayList<>(overrides);
    all.addAll(extra);
    return checkedAtStart(ConfigLoader.load(confFile, all));
  }

  /**
   * On {@code --dry-run}, prints the effective configuration and says the command should stop here. The lines go to
   * stdout, one {@code key = value} each, so they can be diffed between two deployments.
   */
  boolean stopsForDryRun(LedgerConfig config) {
    if (!dryRun) {
      return false;
    }
    System.out.println("# effective configuration (secrets masked)");
    config.describe().forEach(System.out::println);
    return true;
  }

  /**
   * Builds every stage's settings now, though the stages start hours later: a bad {@code recommend.*} or
   * {@code tickets.*} value, or an unreadable instance catalog, stops the command before any work (and fails
   * {@code --dry-run}), not after a night of ingest. The settings objects are built again by their stages; that
   * costs microseconds and keeps the stages free of the command line.
   */
  private static LedgerConfig checkedAtStart(LedgerConfig config) {
    RecommendSettings.from(config);
    TicketSettings.from(config);
    InstanceCatalog.load(config);
    return config;
  }
}
