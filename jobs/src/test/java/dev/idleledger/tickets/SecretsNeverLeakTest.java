package dev.idleledger.tickets;

import static dev.idleledger.tickets.RecommendationsFixture.NIGHT;
import static dev.idleledger.tickets.RecommendationsFixture.rec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.cli.IdleLedger;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.testing.CauseChain;
import dev.idleledger.testing.ProcessRunner;
import dev.idleledger.testing.S3ApiServer;
import dev.idleledger.testing.TestSpark;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An S3 secret key, a Jira token, a GitHub token and a webhook secret, planted through every way the ledger takes
 * them (a {@code --set} override, a {@code --conf} file, a secret file named in config, the environment), and
 * then looked for everywhere the ledger writes: log lines (log4j at INFO, and our stderr lines), exception and
 * error messages, {@code --dry-run} output, ticket payloads, outbox lines, and the tables. None may appear.
 */
class SecretsNeverLeakTest {
  private static final String RUN = Long.toHexString(Double.doubleToLongBits(Math.random()));
  private static final String S3_SECRET = "s3secret-PLANTED-" + RUN;
  private static final String JIRA_TOKEN = "jira-PLANTED-" + RUN;
  private static final String GITHUB_TOKEN = "ghp_PLANTED" + RUN;
  private static final String WEBHOOK_SECRET = "whsec-PLANTED-" + RUN;
  private static final String JIRA_BASIC =
      Base64.getEncoder()
          .encodeToString(
              (TicketTestSupport.JIRA_USER + ":" + JIRA_TOKEN).getBytes(StandardCharsets.UTF_8));
  private static final List<String> PLANTED =
      List.of(S3_SECRET, JIRA_TOKEN, GITHUB_TOKEN, WEBHOOK_SECRET, JIRA_BASIC);

  private final SparkSession spark = TestSpark.session();
  @TempDir Path dir;

  @Test
  void dryRunsAndConfigErrorsNeverShowASecretFromSetOrAConfFile() throws IOException {
    Path conf = dir.resolve("secrets.conf");
    Files.writeString(
        conf, "s3 { access_key = \"AKIAPLANTED\", secret_key = \"" + S3_SECRET + "\" }\n");
    List<List<String>> commands =
        List.of(
            List.of("nightly", "--date", "2026-11-01"),
                List.of("backfill", "--from", "2026-11-01", "--to", "2026-11-02"),
            List.of("maintain"), List.of("sql", "SELECT 1"));
    StringBuilder seen = new StringBuilder();
    for (List<String> command : commands) {
      for (List<String> secretsGiven :
          List.of(
              List.of("--set", "s3.access_key=AKIAPLANTED", "--set", "s3.secret_key=" + S3_SECRET),
              List.of("--conf", conf.toString()),
              List.of("--set", "spark.settings.\"spark.hadoop.fs.s3a.secret.key\"=" + S3_SECRET))) {
        List<String> args = new ArrayList<>(command);
        args.addAll(secretsGiven);
        args.add("--dry-run");
        Captured<Integer> run = capture(() -> IdleLedger.execute(args.toArray(String[]::new)));
        assertEquals(IdleLedger.EXIT_OK, run.result, args + ": " + run.text);
        seen.append(run.text);
      }
    }
    // Mistakes next to a secret: a misspelt secret key, a wrong type beside one, a conf file that
    // does not parse.
    List<List<String>> mistakes =
        List.of(
            List.of(
                "nightly",
                "--date",
                "2026-11-01",
                "--dry-run",
                "--set",
                "s3.secret_kye=" + S3_SECRET),
            List.of(
                "nightly",
                "--date",
                "2026-11-01",
                "--dry-run",
                "--set",
                "s3.secret_key=" + S3_SECRET,
                "--set",
                "s3.path_style_access=maybe"),
            List.of(
                "maintain",
                "--dry-run",
                "--set",
                "s3.secret_key=" + S3_SECRET,
                "--set",
                "maintain.vacuum_retention_hours=1"));
    for (List<String> args : mistakes) {
      Captured<Integer> run = capture(() -> IdleLedger.execute(args.toArray(String[]::new)));
      seen.append(run.text);
    }
    Path broken = dir.resolve("broken.conf");
    Files.writeString(broken, "s3 { secret_key = \"" + S3_SECRET + "\" \n  region = [ }\n");
    Captured<Integer> malformed =
        capture(
            () ->
                IdleLedger.execute(
                    "nightly", "--date", "2026-11-01", "--dry-run", "--conf", broken.toString()));
    assertEquals(IdleLedger.EXIT_USAGE, malformed.result, malformed.text);
    seen.append(malformed.text);

    assertTrue(seen.toString().contains("s3.secret_kye"), "the misspelt key is named: " + seen);
    assertNoSecret("dry-run output and config errors", seen.toString());
  }

  @Test
  void ticketSinksKeepTheirCredentialsFromSecretFilesOutOfLogsErrorsPayloadsAndTables()
      throws Exception {
    StringWriter log = new StringWriter();
    StringBuilder everything = new StringBuilder();
    Path jira = secretFile(JIRA_TOKEN);
    Path github = secretFile(GITHUB_TOKEN);
    Path webhook = secretFile(WEBHOOK_SECRET);
    int accepted = 0;
    // Each sink against a server holding its credential (tickets are filed) and one holding another
    // (401s).
    try (FakeTicketServer jiraOk =
            new FakeTicketServer(TicketTestSupport.JIRA_USER, JIRA_TOKEN, "unused");
        FakeTicketServer githubOk = new FakeTicketServer("unused", GITHUB_TOKEN, "unused");
        FakeTicketServer webhookOk = new FakeTicketServer("unused", "unused", WEBHOOK_SECRET);
        FakeTicketServer rejecting =
            new FakeTicketServer(
                TicketTestSupport.JIRA_USER, "some-other-token", "some-other-secret");
        S3ApiServer s3 = S3ApiServer.start()) {
      s3.createBucket("tickets");
      List<List<String>> sinks = new ArrayList<>();
      for (boolean ok : List.of(true, false)) {
        sinks.add(
            List.of(
                "tickets.sink=jira",
                "tickets.jira.base_url=" + (ok ? jiraOk : rejecting).baseUrl(),
                "tickets.jira.user=" + TicketTestSupport.JIRA_USER,
                "tickets.jira.token_file=" + jira));
        sinks.add(
            List.of(
                "tickets.sink=github",
                "tickets.github.api_url=" + (ok ? githubOk : rejecting).baseUrl(),
                "tickets.github.token_file=" + github));
        sinks.add(
            List.of(
                "tickets.sink=webhook",
                "tickets.webhook.url=" + (ok ? webhookOk : rejecting).baseUrl() + "/hook",
                "tickets.webhook.secret_file=" + webhook));
      }
      // The outbox's S3 client: once with the S3 API server's own key pair (accepted), once with
      // the planted secret (refused).
      sinks.add(
          List.of(
              "tickets.sink=outbox",
              "tickets.outbox.prefix=s3://tickets/outbox",
              "s3.endpoint=" + s3.endpoint(),
              "s3.path_style_access=true",
              "s3.access_key=" + S3ApiServer.ACCESS_KEY,
              "s3.secret_key=" + S3ApiServer.SECRET_KEY));
      sinks.add(
          List.of(
              "tickets.sink=outbox",
              "tickets.outbox.prefix=s3://tickets/refused",
              "s3.endpoint=" + s3.endpoint(),
              "s3.path_style_access=true",
              "s3.access_key=" + S3ApiServer.ACCESS_KEY,
              "s3.secret_key=" + S3_SECRET));
      for (List<String> sink : sinks) {
        LedgerConfig config = TicketTestSupport.config(sink.toArray(String[]::new));
        String table =
            RecommendationsFixture.table(
                spark,
                RecommendationsFixture.rows(
                    rec("s1", "ml-platform", "llm", "trainer", 900),
                    rec("s2", "search", "rank", "ranker", 300)));
        Captured<String> run =
            capture(
                () ->
                    withLog4jAtInfo(
                        log,
                        () -> {
                          try {
                            TicketRunResult r =
                                TicketTestSupport.stage(spark, config, NIGHT)
                                    .run(NIGHT, table, false);
                            return String.join("\n", r.planned())
                                + "\n"
                                + String.join("\n", r.errors())
                                + "\n"
                                + r.summary();
                          } catch (RuntimeException e) {
                            return "exception: " + CauseChain.of(e);
                          }
                        }));
        // sink.get(0) only: the list itself holds the planted secrets this test gave.
        everything
            .append(sink.get(0))
            .append('\n')
            .append(run.result)
            .append('\n')
            .append(run.text);
        everything.append(TicketTestSupport.tableText(spark, table));
        if (run.result.contains("tickets: 2 filed")) {
          accepted++;
        }
      }
      everything
          .append(String.join("\n", jiraOk.bodies))
          .append(String.join("\n", githubOk.bodies))
          .append(String.join("\n", webhookOk.bodies))
          .append(String.join("\n", rejecting.bodies));
      for (String key : s3.keys("tickets", "")) {
        everything.append(
            s3.client().getObjectAsBytes(b -> b.bucket("tickets").key(key)).asUtf8String());
      }
    }
    assertEquals(
        4,
        accepted,
        "jira, github, webhook and the outbox each filed both tickets with the right credential: "
            + everything);
    assertTrue(
        everything.toString().contains("HTTP 401"),
        "the rejecting server's answers were reported: " + everything);
    assertTrue(log.toString().contains("INFO"), "log4j output was captured at INFO");
    assertNoSecret(
        "ticket runs (results, stderr, payloads, outbox, tables)", everything.toString());
    assertNoSecret("log4j output of the ticket runs", log.toString());
  }

  @Test
  void aSeparateProcessWithSecretsInItsEnvironmentLogsNoneOfThem() throws Exception {
    Path log4j = dir.resolve("log4j2-info.properties");
    Files.writeString(
        log4j,
        String.join(
            "\n",
            "rootLogger.level = info",
            "rootLogger.appenderRef.stderr.ref = STDERR",
            "appender.console.type = Console",
            "appender.console.name = STDERR",
            "appender.console.target = SYSTEM_ERR",
            "appender.console.layout.type = PatternLayout",
            "appender.console.layout.pattern = %p %c{1}: %m%n%ex",
            ""));
    StringBuilder everything = new StringBuilder();
    for (String sink : List.of("jira", "github", "webhook")) {
      try (FakeTicketServer server =
          switch (sink) {
            case "jira" -> new FakeTicketServer(TicketTestSupport.JIRA_USER, JIRA_TOKEN, "unused");
            case "github" -> new FakeTicketServer("unused", GITHUB_TOKEN, "unused");
            default -> new FakeTicketServer("unused", "unused", WEBHOOK_SECRET);
          }) {
        List<String> where =
            switch (sink) {
              case "jira" ->
                  List.of(
                      "--set",
                      "tickets.jira.base_url=" + server.baseUrl(),
                      "--set",
                      "tickets.jira.user=" + TicketTestSupport.JIRA_USER);
              case "github" -> List.of("--set", "tickets.github.api_url=" + server.baseUrl());
              default -> List.of("--set", "tickets.webhook.url=" + server.baseUrl() + "/hook");
            };
        String table =
            RecommendationsFixture.table(
                spark, RecommendationsFixture.rows(rec("e1", "search", "rank", "ranker", 300)));
        List<String> args =
            new ArrayList<>(
                List.of(
                    "tickets",
                    "--date",
                    NIGHT.toString(),
                    "--table",
                    table,
                    "--set",
                    "lake.root=" + TestSpark.lakeRoot(),
                    "--set",
                    "catalog.database=" + RecommendationsFixture.DATABASE,
                    "--set",
                    "spark.master=local[1]",
                    "--set",
                    "tickets.sink=" + sink,
                    "--set",
                    "tickets.routing.default.repo=acme/gpu-ops",
                    "--set",
                    "s3.access_key=AKIAPLANTED",
                    "--set",
                    "s3.secret_key=" + S3_SECRET));
        args.addAll(where);
        // The tokens only from the environment, under the names conf/application.conf gives; the S3
        // secret also in the AWS SDK's own variable (the default credentials chain's first source).
        ProcessRunner.Result r =
            ProcessRunner.idleLedger(
                args,
                Map.of(
                    "IDLE_LEDGER_JIRA_TOKEN",
                    JIRA_TOKEN,
                    "IDLE_LEDGER_GITHUB_TOKEN",
                    GITHUB_TOKEN,
                    "IDLE_LEDGER_WEBHOOK_SECRET",
                    WEBHOOK_SECRET,
                    "AWS_SECRET_ACCESS_KEY",
                    S3_SECRET),
                List.of("-Dlog4j2.configurationFile=" + log4j));
        String ours =
            r.stderr()
                .lines()
                .filter(l -> l.startsWith("[idle-ledger]") || l.startsWith("idle-ledger:"))
                .collect(Collectors.joining("\n"));
        assertEquals(0, r.exitCode(), sink + ": " + ours);
        assertTrue(
            r.stdout().contains("1 filed"),
            sink + " filed with the token from the environment: " + r.stdout());
        assertTrue(r.stderr().contains("INFO"), "the child logged at INFO");
        everything
            .append(r.stdout())
            .append(r.stderr())
            .append(TicketTestSupport.tableText(spark, table));
        everything.append(String.join("\n", server.bodies));
      }
    }
    assertNoSecret(
        "a tickets process: stdout, log4j at INFO, payloads, tables", everything.toString());
  }

  private static void assertNoSecret(String where, String text) {
    for (String secret : PLANTED) {
      int at = text.indexOf(secret);
      assertTrue(
          at < 0,
          "a planted secret in "
              + where
              + ": …"
              + (at < 0 ? "" : text.substring(Math.max(0, at - 200), at))
              + "…");
    }
  }

  private Path secretFile(String secret) throws IOException {
    Path f = Files.createTempFile(dir, "secret", ".txt");
    Files.writeString(f, secret + "\n");
    return f;
  }

  private record Captured<T>(T result, String text) {}

  /** Runs {@code work} with System.out and System.err captured. */
  private static <T> Captured<T> capture(Supplier<T> work) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    PrintStream both = new PrintStream(buffer, true, StandardCharsets.UTF_8);
    System.setOut(both);
    System.setErr(both);
    T result;
    try {
      result = work.get();
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    return new Captured<>(result, buffer.toString(StandardCharsets.UTF_8));
  }

  /** Runs {@code work} with every log4j logger at INFO or above also written to {@code into}. */
  private static <T> T withLog4jAtInfo(StringWriter into, Supplier<T> work) {
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    LoggerConfig root = context.getConfiguration().getRootLogger();
    Level before = root.getLevel();
    WriterAppender appender =
        WriterAppender.createAppender(
            PatternLayout.newBuilder().withPattern("%p %c: %m%n%ex").build(),
            null,
            into,
            "secrets-check",
            false,
            true);
    appender.start();
    root.addAppender(appender, Level.INFO, null);
    root.setLevel(Level.INFO);
    context.updateLoggers();
    try {
      return work.get();
    } finally {
      root.removeAppender("secrets-check");
      root.setLevel(before);
      context.updateLoggers();
      appender.stop();
    }
  }
}
