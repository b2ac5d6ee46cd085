package dev.idleledger.tickets;

import static dev.idleledger.tickets.RecommendationsFixture.NIGHT;
import static dev.idleledger.tickets.RecommendationsFixture.rec;
import static dev.idleledger.tickets.TicketTestSupport.TOKEN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.testing.TestSpark;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Jira sink against a loopback server implementing Jira Cloud REST v3's issue, search, comment and transitions. */
class JiraTicketsTest {
  private final SparkSession spark = TestSpark.session();
  private FakeTicketServer server;
  private LedgerConfig config;

  @BeforeEach
  void start() throws Exception {
    server = new FakeTicketServer(TicketTestSupport.JIRA_USER, TOKEN, "unused");
    Path token = TicketTestSupport.tokenFile();
    config =
        TicketTestSupport.config(
            "tickets.sink=jira",
            "tickets.jira.base_url=" + server.baseUrl(),
            "tickets.jira.user=" + TicketTestSupport.JIRA_USER,
            "tickets.jira.token_file=" + token);
  }

  @AfterEach
  void stop() {
    assertEquals(
        List.of(), server.violations(), "requests that do not match Jira's documented shapes");
    server.close();
  }

  @Test
  void filesThenCommentsOnUpdateThenClosesOnResolve() {
    String table =
        RecommendationsFixture.table(
            spark,
            RecommendationsFixture.rows(rec("a1", "ml-platform", "llm", "vllm-serve", 1250)));

    TicketRunResult night1 = TicketTestSupport.stage(spark, config, NIGHT).run(NIGHT, table, false);
    assertEquals(1, night1.filed());
    FakeTicketServer.Issue issue = server.jira.get("MLP-1");
    assertNotNull(issue, "routed to the ml-platform team's project");
    JsonNode fields = issue.created.path("fields");
    assertEquals(
        "[GPU waste] right_size_replicas: llm/vllm-serve could save $1,250/month",
        fields.path("summary").asText());
    assertEquals("Task", fields.path("issuetype").path("name").asText());
    List<String> labels = new ArrayList<>();
    fields.path("labels").forEach(l -> labels.add(l.asText()));
    assertEquals(List.of("idle-ledger", "idle-ledger-a1", "ml", "gpu-waste"), labels);
    String description = fields.path("description").toString();
    assertTrue(description.contains("idle-ledger:a1"), "marker in the body");
    assertTrue(description.contains("replicas_median: 4"), "evidence numbers");
    assertTrue(description.contains("bin/idle-ledger sql"), "how to see it");
    Row row = RecommendationsFixture.row(spark, table, "a1");
    assertEquals("jira", row.getAs("ticket_system"));
    assertEquals("MLP-1", row.getAs("ticket_key"));
    assertEquals(server.baseUrl() + "/browse/MLP-1", row.getAs("ticket_url"));
    assertEquals("OPEN", row.getAs("ticket_state"));
    assertNotNull(row.getAs("ticket_synced_at"));

    spark.sql(
        "UPDATE "
            + table
            + " SET status = 'UPDATED', monthly_savings = 2000, last_seen = DATE'"
            + NIGHT.plusDays(1)
            + "' WHERE recommendation_id = 'a1'");
    TicketRunResult night2 =
        TicketTestSupport.stage(spark, config, NIGHT.plusDays(1))
            .run(NIGHT.plusDays(1), table, false);
    assertEquals(1, night2.commented());
    assertEquals(1, issue.comments.size());
    assertTrue(issue.comments.get(0).toString().contains("$2,000 per month"));
    // A rerun of the same night comments no more.
    TicketTestSupport.stage(spark, config, NIGHT.plusDays(1)).run(NIGHT.plusDays(1), table, false);
    assertEquals(1, issue.comments.size());

    spark.sql(
        "UPDATE "
            + table
            + " SET status = 'RESOLVED', resolved_on = DATE'"
            + NIGHT.plusDays(4)
            + "', realized_monthly_savings = 1900 WHERE recommendation_id = 'a1'");
    TicketRunResult night5 =
        TicketTestSupport.stage(spark, config, NIGHT.plusDays(4))
            .run(NIGHT.plusDays(4), table, false);
    assertEquals(1, night5.closed());
    assertEquals("done", issue.state);
    assertEquals(2, issue.comments.size());
    assertTrue(issue.comments.get(1).toString().contains("Realized saving: $1,900 per month"));
    assertEquals("CLOSED", RecommendationsFixture.row(spark, table, "a1").getAs("ticket_state"));

    TicketRunResult rerun =
        TicketTestSupport.stage(spark, config, NIGHT.plusDays(4))
            .run(NIGHT.plusDays(4), table, false);
    assertEquals(0, rerun.closed() + rerun.commented() + rerun.filed());
    assertEquals(1, server.jira.size());
  }

  @Test
  void rerunningANightFilesNothingNewAndSmallSavingsAreNotFiled() {
    String table =
        RecommendationsFixture.table(
            spark,
            RecommendationsFixture.rows(
                rec("b1", "ml-platform", "llm", "trainer", 400),
                rec("b2", "search", "rank", "ranker", 99.99)));
    TicketRunResult first = TicketTestSupport.stage(spark, config, NIGHT).run(NIGHT, table, false);
    assertEquals(1, first.filed());
    assertEquals(1, first.skipped(), "99.99 is under tickets.min_monthly_savings (100)");
    TicketRunResult second = TicketTestSupport.stage(spark, config, NIGHT).run(NIGHT, table, false);
    assertEquals(0, second.filed() + second.found());
    assertEquals(1, server.jira.size());
    assertEquals(1, server.count("POST /rest/api/3/issue"));
    assertNull(RecommendationsFixture.row(spark, table, "b2").getAs("ticket_key"));
  }

  @Test
  void aCrashBetweenCreatingAndRecordingDoesNotFileTwice() {
    String table =
        RecommendationsFixture.table(
            spark, RecommendationsFixture.rows(rec("c1", "search", "rank", "ranker", 300)));
    AtomicBoolean crashed = new AtomicBoolean();
    TicketWriteBack crashingOnce =
        (t, outcomes) -> {
          if (crashed.compareAndSet(false, true)) {
            throw new IllegalStateException("driver lost after filing");
          }
        };
    TicketStage crashing =
        new TicketStage(spark, config, crashingOnce, TicketTestSupport.nightly(NIGHT));
    assertThrows(IllegalStateException.class, () -> crashing.run(NIGHT, table, false));
    assertEquals(1, server.jira.size(), "the ticket was created before the crash");
    assertNull(
        RecommendationsFixture.row(spark, table, "c1").getAs("ticket_key"), "but not recorded");

    TicketRunResult rerun = TicketTestSupport.stage(spark, config, NIGHT).run(NIGHT, table, false);
    assertEquals(0, rerun.filed());
    assertEquals(1, rerun.found());
    assertEquals(1, server.jira.size());
    assertEquals("OPS-1", RecommendationsFixture.row(spark, table, "c1").getAs("ticket_key"));
  }

  @Test
  void tooManyRequestsIsRetriedAfterTheServersRetryAfter() {
    String table =
        RecommendationsFixture.table(
            spark, RecommendationsFixture.rows(rec("d1", "search", "rank", "ranker", 300)));
    server.failNext("POST", "/rest/api/3/issue", 429, "1");
    TicketRunResult result = TicketTestSupport.stage(spark, config, NIGHT).run(NIGHT, table, false);
    assertEquals(1, result.filed());
    assertEquals(0, result.failed());
    assertEquals(2, server.count("POST /rest/api/3/issue"));
    assertEquals(1, server.jira.size());
  }

  @Test
  void aServerErrorIsRetriedThenSucceeds() {
    String table =
        RecommendationsFixture.table(
            spark, RecommendationsFixture.rows(rec("e1", "search", "rank", "ranker", 300)));
    server.failNext("GET", "/rest/api/3/search/jql", 500, null);
    server.failNext("POST", "/rest/api/3/issue", 503, null);
    TicketRunResult result = TicketTestSupport.stage(spark, config, NIGHT).run(NIGHT, table, false);
    assertEquals(1, result.filed());
    assertEquals(2, server.count("GET /rest/api/3/search/jql"));
    assertEquals(2, server.count("POST /rest/api/3/issue"));
    assertEquals("OPEN", RecommendationsFixture.row(spark, table, "e1").getAs("ticket_state"));
  }

  @Test
  void aBadRequestMarksThatTicketErrorAndTheOthersStillFileWithoutLeakingTheToken() {
    String table =
        RecommendationsFixture.table(
            spark,
            RecommendationsFixture.rows(
                rec("f1", "search", "rank", "ranker", 300),
                rec("f2", "search", "rank", "embedder", 300),
                rec("f3", "ml-platform", "llm", "trainer", 300)));
    // The first create (f1, ids are processed in order) is refused; the server echoes the
    // Authorization header.
    server.failNext("POST", "/rest/api/3/issue", 400, null);
    StringBuilder stderr = new StringBuilder();
    TicketRunResult result =
        TicketTestSupport.captureStderr(
            stderr, () -> TicketTestSupport.stage(spark, config, NIGHT).run(NIGHT, table, false));
    assertEquals(1, result.failed());
    assertFalse(result.ok(), "the command exits non-zero");
    assertEquals(2, result.filed());
    Row f1 = RecommendationsFixture.row(spark, table, "f1");
    assertEquals("ERROR", f1.getAs("ticket_state"));
    assertTrue(
        ((String) f1.getAs("ticket_error")).startsWith("HTTP 400 from POST /rest/api/3/issue"),
        f1.toString());
    assertNull(f1.getAs("ticket_url"), "no ticket, so no link: the reason is in ticket_error");
    assertNull(RecommendationsFixture.row(spark, table, "f2").getAs("ticket_error"));
    assertEquals("OPEN", RecommendationsFixture.row(spark, table, "f2").getAs("ticket_state"));
    assertEquals("OPEN", RecommendationsFixture.row(spark, table, "f3").getAs("ticket_state"));
    assertTrue(stderr.toString().contains("f1 failed"), stderr.toString());

    String basic =
        Base64.getEncoder().encodeToString((TicketTestSupport.JIRA_USER + ":" + TOKEN).getBytes());
    for (String leak : List.of(TOKEN, basic)) {
      assertFalse(stderr.toString().contains(leak), "credential in the log");
      assertFalse(
          TicketTestSupport.tableText(spark, table).contains(leak), "credential in the table");
      assertFalse(String.join("\n", server.bodies).contains(leak), "credential in a ticket");
      assertFalse(String.join("\n", result.errors()).contains(leak), "credential in the result");
    }

    // The next run files the refused one, and only it.
    TicketRunResult rerun = TicketTestSupport.stage(spark, config, NIGHT).run(NIGHT, table, false);
    assertEquals(1, rerun.filed());
    assertEquals(3, server.jira.size());
    assertEquals("OPEN", RecommendationsFixture.row(spark, table, "f1").getAs("ticket_state"));
    assertTrue(
        ((String) RecommendationsFixture.row(spark, table, "f1").getAs("ticket_url"))
            .contains("/browse/"));
    assertNull(
        RecommendationsFixture.row(spark, table, "f1").getAs("ticket_error"),
        "a sync that worked clears the error");
  }

  @Test
  void aFailedCommentKeepsTheFiledTicketsKeyAndLinkBesideItsError() {
    String table =
        RecommendationsFixture.table(
            spark, RecommendationsFixture.rows(rec("h1", "search", "rank", "ranker", 300)));
    TicketTestSupport.stage(spark, config, NIGHT).run(NIGHT, table, false);
    spark.sql(
        "UPDATE "
            + table
            + " SET status = 'UPDATED', monthly_savings = 600 WHERE recommendation_id = 'h1'");
    server.failNext("POST", "/rest/api/3/issue/OPS-1/comment", 400, null);
    TicketRunResult night2 =
        TicketTestSupport.captureStderr(
            new StringBuilder(),
            () ->
                TicketTestSupport.stage(spark, config, NIGHT.plusDays(1))
                    .run(NIGHT.plusDays(1), table, false));
    assertEquals(1, night2.failed());
    Row h1 = RecommendationsFixture.row(spark, table, "h1");
    assertEquals("ERROR", h1.getAs("ticket_state"));
    assertTrue(
        ((String) h1.getAs("ticket_error"))
            .startsWith("HTTP 400 from POST /rest/api/3/issue/OPS-1/comment"),
        h1.toString());
    assertEquals("OPS-1", h1.getAs("ticket_key"));
    assertEquals(
        server.baseUrl() + "/browse/OPS-1",
        h1.getAs("ticket_url"),
        "the ticket is still there: its link stays");
  }

  @Test
  void anErrorUrlOfAnEarlierReleaseIsClearedByTheNextSync() {
    // Before ticket_error, a failed filing wrote "error: <reason>" into ticket_url.
    String table =
        RecommendationsFixture.table(
            spark, RecommendationsFixture.rows(rec("i1", "search", "rank", "ranker", 300)));
    spark.sql(
        "UPDATE "
            + table
            + " SET ticket_state = 'ERROR', ticket_url = 'error: HTTP 400 from POST /rest/api/3/issue: bad'");
    TicketRunResult retry = TicketTestSupport.stage(spark, config, NIGHT).run(NIGHT, table, false);
    assertEquals(1, retry.filed());
    Row i1 = RecommendationsFixture.row(spark, table, "i1");
    assertEquals(server.baseUrl() + "/browse/OPS-1", i1.getAs("ticket_url"));
    assertNull(i1.getAs("ticket_error"));
  }

  @Test
  void dataInTheWorkloadNameStaysTextInAdf() {
    String hostile = "web\"</p><script>alert(1)</script>**x**";
    String table =
        RecommendationsFixture.table(
            spark, RecommendationsFixture.rows(rec("g1", "search", "rank", hostile, 300)));
    TicketTestSupport.stage(spark, config, NIGHT).run(NIGHT, table, false);
    JsonNode fields = server.jira.get("OPS-1").created.path("fields");
    assertEquals(
        "[GPU waste] right_size_replicas: rank/" + hostile + " could save $300/month",
        fields.path("summary").asText());
    // In ADF the name is one text node's value, verbatim: no markup is interpreted from it.
    JsonNode first = fields.path("description").path("content").get(0).path("content").get(0);
    assertEquals("text", first.path("type").asText());
    assertTrue(first.path("text").asText().contains("rank/" + hostile));
  }

  @Test
  void dryRunPlansButTouchesNothing() {
    String table =
        RecommendationsFixture.table(
            spark, RecommendationsFixture.rows(rec("h1", "search", "rank", "ranker", 300)));
    TicketRunResult plan = TicketTestSupport.stage(spark, config, NIGHT).run(NIGHT, table, true);
    assertEquals(
        List.of(
            "FILE    h1 -> jira project OPS: [GPU waste] right_size_replicas: rank/ranker could save $300/month"),
        plan.planned());
    assertEquals(List.of(), server.requests);
    assertNull(RecommendationsFixture.row(spark, table, "h1").getAs("ticket_key"));
  }
}
