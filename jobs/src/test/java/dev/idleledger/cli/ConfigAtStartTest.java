package dev.idleledger.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole configuration is checked when a command starts, not when its stage does: a night must not ingest for
 * hours and then fail on a recommend or ticket setting. {@code --dry-run} checks all of it and shows the effective
 * values; every subcommand answers {@code --help}.
 */
class ConfigAtStartTest {
  @TempDir Path dir;

  /** What one in-process command line printed and returned. */
  private record Outcome(int exitCode, String stdout, String stderr) {}

  private Outcome run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      int code = IdleLedger.execute(args);
      return new Outcome(
          code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "recommend.window_days=0",
        "recommend.target_activity=0",
        "recommend.mig_margin=1.5",
        "tickets.sink=email",
        "tickets.http.max_attempts=0",
        "tickets.min_monthly_savings=-1",
        "nightly.lock_timeout_minutes=0"
      })
  void aBadLaterStageSettingFailsTheDryRunOfTheNightNamingItsKey(String setting) {
    Outcome r =
        run(
            "nightly",
            "--date",
            "2026-11-01",
            "--dry-run",
            "--set",
            "lake.root=" + dir,
            "--set",
            setting);
    String key = setting.substring(0, setting.indexOf('='));
    assertEquals(IdleLedger.EXIT_USAGE, r.exitCode(), r.stdout() + r.stderr());
    List<String> lines = r.stderr().lines().toList();
    assertEquals(1, lines.size(), r.stderr());
    assertTrue(lines.get(0).contains(key), lines.get(0));
  }

  @Test
  void anUnreadableInstanceCatalogFailsAtStart() {
    Outcome r =
        run(
            "backfill",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-02",
            "--dry-run",
            "--set",
            "lake.root=" + dir,
            "--set",
            "cost.instance_catalog=" + dir.resolve("no-such-catalog.csv"));
    assertEquals(IdleLedger.EXIT_USAGE, r.exitCode(), r.stdout() + r.stderr());
    assertTrue(r.stderr().contains("no-such-catalog.csv"), r.stderr());
  }

  @Test
  void dryRunPrintsTheEffectiveConfigurationWithSecretsMasked() {
    Outcome r =
        run(
            "nightly",
            "--date",
            "2026-11-01",
            "--dry-run",
            "--set",
            "lake.root=" + dir,
            "--set",
            "recommend.window_days=9",
            "--set",
            "s3.secret_key=planted-s3-secret-value");
    assertEquals(IdleLedger.EXIT_OK, r.exitCode(), r.stderr());
    List<String> lines = r.stdout().lines().toList();
    assertTrue(lines.contains("recommend.window_days = 9"), r.stdout());
    assertTrue(lines.contains("lake.root = " + dir), r.stdout());
    assertTrue(lines.contains("s3.secret_key = ***"), r.stdout());
    // where a token is read from is shown, it is not the token
    assertTrue(lines.contains("tickets.jira.token_env = IDLE_LEDGER_JIRA_TOKEN"), r.stdout());
    assertFalse(r.stdout().contains("planted-s3-secret-value"), r.stdout());
    assertFalse(r.stderr().contains("planted-s3-secret-value"), r.stderr());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"demo", "generate", "nightly", "backfill", "sql", "report", "tickets", "bench"})
  void everySubcommandAnswersHelpWithExitZeroEvenWithoutItsRequiredOptions(String command) {
    Outcome r = run(command, "--help");
    assertEquals(IdleLedger.EXIT_OK, r.exitCode(), r.stderr());
    assertTrue(r.stdout().startsWith("Usage: idle-ledger " + command), r.stdout());
    assertTrue(r.stdout().contains("--dry-run"), r.stdout());
  }
}
