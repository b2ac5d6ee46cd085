package dev.idleledger.tickets;

import static dev.idleledger.tickets.RecommendationsFixture.NIGHT;
import static dev.idleledger.tickets.RecommendationsFixture.rec;
import static dev.idleledger.tickets.TicketTestSupport.TOKEN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.testing.TestSpark;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The GitHub sink against a loopback server implementing the Issues REST endpoints it uses. */
class GithubTicketsTest {
  private final SparkSession spark = TestSpark.session();
  private FakeTicketServer server;
  private LedgerConfig config;

  @BeforeEach
  void start() throws Exception {
    server = new FakeTicketServer("unused", TOKEN, "unused");
    config =
        TicketTestSupport.config(
            "tickets.sink=github",
            "tickets.github.api_url=" + server.baseUrl(),
            "tickets.github.token_file=" + TicketTestSupport.tokenFile());
  }

  @AfterEach
  void stop() {
    assertEquals(
        List.of(), server.violations(), "requests that do not match GitHub's documented shapes");
    server.close();
  }

  @Test
  void filesOnceAcrossRerunsThenCommentsAndClosesWithEscapedMarkdown() {
    String hostile = "web\"<script>alert(1)</script>**x**|[y](http://evil)";
    String table =
        RecommendationsFixture.table(
            spark,
            RecommendationsFixture.rows(
                rec("g1", "ml-platform", "llm", hostile, 640),
                rec("g2", "search", "rank", "ranker", 150)));

    TicketRunResult first = TicketTestSupport.stage(spark, config, NIGHT).run(NIGHT, table, false);
    assertEquals(2, first.filed());
    TicketRunResult again = TicketTestSupport.stage(spark, config, NIGHT).run(NIGHT, table, false);
    assertEquals(0, again.filed() + again.found(), "recorded keys: nothing to file");
    assertEquals(2, server.github.size());
    assertEquals(2, server.count("POST /repos/"), "two creates, no more");

    FakeTicketServer.Issue mlIssue = server.github.get(1L);
    JsonNode created = mlIssue.created;
    // A title is plain text on GitHub: the name appears as it is.
    assertEquals(
        "[GPU waste] right_size_replicas: llm/" + hostile + " could save $640/month",
        created.path("title").asText());
    String body = created.path("body").asText();
    assertFalse(body.contains("<script>"), body);
    assertTrue(body.contains("&lt;script&gt;"), body);
    assertTrue(body.contains("\\*\\*x\\*\\*"), "markdown emphasis is escaped");
    assertTrue(
        body.contains("\\[y\\](http://evil)"),
        "no link is made from data: with its brackets escaped [y](u) is plain text");
    assertTrue(body.contains("| replicas\\_median | 4 |"), "the evidence table");
    assertTrue(
        body.contains("```yaml\nspec:\n  replicas: 2\n\n```")
            || body.contains("```yaml\nspec:\n  replicas: 2\n```"),
        body);
    assertTrue(body.contains("idle-ledger:g1"), "marker");
    List<String> labels = new ArrayList<>();
    created.path("labels").forEach(l -> labels.add(l.asText()));
    assertEquals(List.of("idle-ledger", "idle-ledger-g1", "ml", "gpu-waste"), labels);
    Row g1 = RecommendationsFixture.row(spark, table, "g1");
    assertEquals("acme/ml-platform#1", g1.getAs("ticket_key"));
    assertEquals("https://github.example/acme/ml-platform/issues/1", g1.getAs("ticket_url"));
    assertEquals(
        "acme/gpu-ops#2", RecommendationsFixture.row(spark, table, "g2").getAs("ticket_key"));

    spark.sql(
        "UPDATE "
            + table
            + " SET status = 'UPDATED', monthly_savings = 900 WHERE recommendation_id = 'g1'");
    spark.sql(
        "UPDATE "
            + table
            + " SET status = 'RESOLVED', resolved_on = DATE'"
            + NIGHT.plusDays(1)
            + "' WHERE recommendation_id = 'g2'");
    TicketRunResult next =
        TicketTestSupport.stage(spark, config, NIGHT.plusDays(1))
            .run(NIGHT.plusDays(1), table, false);
    assertEquals(1, next.commented());
    assertEquals(1, next.closed());
    assertEquals(1, mlIssue.comments.size());
    assertTrue(mlIssue.comments.get(0).path("body").asText().contains("$900 per month"));
    assertEquals("closed", server.github.get(2L).state);
    assertEquals(1, server.github.get(2L).comments.size());
    assertEquals("CLOSED", RecommendationsFixture.row(spark, table, "g2").getAs("ticket_state"));
    assertFalse(TicketTestSupport.tableText(spark, table).contains(TOKEN));
  }

  @Test
  void anIssueCreatedButNotRecordedIsFoundByItsLabel() {
    String table =
        RecommendationsFixture.table(
            spark, RecommendationsFixture.rows(rec("k1", "search", "rank", "ranker", 300)));
    TicketStage crashing =
        new TicketStage(
            spark,
            config,
            (t, o) -> {
              throw new IllegalStateException("lost before recording");
            },
            TicketTestSupport.nightly(NIGHT));
    try {
      crashing.run(NIGHT, table, false);
    } catch (IllegalStateException expected) {
      // the crash
    }
    TicketRunResult rerun = TicketTestSupport.stage(spark, config, NIGHT).run(NIGHT, table, false);
    assertEquals(1, rerun.found());
    assertEquals(0, rerun.filed());
    assertEquals(1, server.github.size());
    assertEquals(
        "acme/gpu-ops#1", RecommendationsFixture.row(spark, table, "k1").getAs("ticket_key"));
  }
}
