package dev.idleledger.cli;

import dev.idleledger.config.ConfigLoader;
import dev.idleledger.config.LedgerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options every command takes: a config file layered over conf/, and key=value overrides on top. */
public final class CommonOptions {
  @Option(names = "--conf", paramLabel = "FILE", description = "a config file layered over conf/application.conf")
  Path confFile;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "override one config key (repeatable; last wins)")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--dry-run", description = "parse arguments, load and validate config, then exit without starting Spark")
  boolean dryRun;

  LedgerConfig load() {
    return ConfigLoader.load(confFile, overrides);
  }

  /** Loads config, plus extra overrides that a command derives from its own flags (they win over --set). */
  LedgerConfig load(List<String> extra) {
    List<String> all = new ArrayList<>(overrides);
    all.addAll(extra);
    return ConfigLoader.load(confFile, all);
  }
}
