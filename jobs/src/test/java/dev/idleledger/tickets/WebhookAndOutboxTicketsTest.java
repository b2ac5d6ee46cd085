package dev.idleledger.tickets;

import static dev.idleledger.tickets.RecommendationsFixture.NIGHT;
import static dev.idleledger.tickets.RecommendationsFixture.rec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.testing.S3ApiServer;
import dev.idleledger.testing.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** The webhook (signed JSON POSTs) and the outbox (JSON lines, through the loopback S3 API server and on disk). */
class WebhookAndOutboxTicketsTest {
  private final SparkSession spark = TestSpark.session();

  @Test
  void webhookEventsCarryAValidSignatureAndNoSecret() throws Exception {
    String secret = TicketTestSupport.TOKEN;
    try (FakeTicketServer server = new FakeTicketServer("unused", "unused", secret)) {
      LedgerConfig config =
          TicketTestSupport.config(
              "tickets.sink=webhook",
              "tickets.webhook.url=" + server.baseUrl() + "/hook",
              "tickets.webhook.secret_file=" + TicketTestSupport.tokenFile());
      String table =
          RecommendationsFixture.table(
              spark, RecommendationsFixture.rows(rec("w1", "search", "rank", "ranker", 300)));
      TicketRunResult result =
          TicketTestSupport.stage(spark, config, NIGHT).run(NIGHT, table, false);
      assertEquals(List.of(), server.violations(), "the receiver verified every signature");
      assertEquals(1, result.filed());
      assertEquals(1, server.webhookEvents.size());
      JsonNode event = server.webhookEvents.get(0);
      assertEquals("file", event.path("event").asText());
      assertEquals("w1", event.path("recommendation_id").asText());
      assertEquals("OPS", event.path("project").asText());
      assertTrue(event.path("body").asText().contains("idle-ledger:w1"));
      assertFalse(String.join("\n", server.bodies).contains(secret));
      assertEquals(
          "idle-ledger:w1", RecommendationsFixture.row(spark, table, "w1").getAs("ticket_key"));
    }
  }

  @Test
  void outboxOnS3WritesOneFilePerNightAndActionAndARerunAddsNone() throws Exception {
    try (S3ApiServer s3 = S3ApiServer.start()) {
      s3.createBucket("tickets");
      LedgerConfig config =
          TicketTestSupport.config(
              "tickets.sink=outbox",
              "tickets.outbox.prefix=s3://tickets/outbox",
              "s3.endpoint=" + s3.endpoint(),
              "s3.path_style_access=true",
              "s3.access_key=" + S3ApiServer.ACCESS_KEY,
              "s3.secret_key=" + S3ApiServer.SECRET_KEY);
      String table =
          RecommendationsFixture.table(
              spark,
              RecommendationsFixture.rows(
                  rec("o1", "search", "rank", "ranker", 300),
                  rec("o2", "ml-platform", "llm", "trainer", 500),
                  rec("o3", "search", "rank", "tiny", 20)));

      TicketRunResult first =
          TicketTestSupport.stage(spark, config, NIGHT).run(NIGHT, table, false);
      assertEquals(2, first.filed());
      assertEquals(List.of("outbox/" + NIGHT + "/file.jsonl"), s3.keys("tickets", "outbox/"));
      String night1 =
          s3.client()
              .getObjectAsBytes(b -> b.bucket("tickets").key("outbox/" + NIGHT + "/file.jsonl"))
              .asUtf8String();
      assertEquals(2, night1.lines().count());
      assertTrue(
          night1.contains("\"recommendation_id\":\"o1\"")
              && night1.contains("\"recommendation_id\":\"o2\""));

      // Forget the recorded keys (as a crash before the write-back would): the outbox itself is
      // searched.
      spark.sql(
          "UPDATE " + table + " SET ticket_key = NULL, ticket_state = NULL, ticket_system = NULL");
      TicketRunResult rerun =
          TicketTestSupport.stage(spark, config, NIGHT).run(NIGHT, table, false);
      assertEquals(0, rerun.filed());
      assertEquals(2, rerun.found());
      assertEquals(
          night1,
          s3.client()
              .getObjectAsBytes(b -> b.bucket("tickets").key("outbox/" + NIGHT + "/file.jsonl"))
              .asUtf8String());

      spark.sql("UPDATE " + table + " SET status = 'RESOLVED' WHERE recommendation_id = 'o1'");
      TicketTestSupport.stage(spark, config, NIGHT.plusDays(3))
          .run(NIGHT.plusDays(3), table, false);
      assertEquals(
          List.of(
              "outbox/" + NIGHT + "/file.jsonl", "outbox/" + NIGHT.plusDays(3) + "/close.jsonl"),
          s3.keys("tickets", "outbox/"));
      assertFalse(TicketTestSupport.tableText(spark, table).contains(S3ApiServer.SECRET_KEY));
    }
  }

  @Test
  void outboxDefaultsToTheLakesTicketsFolder() throws Exception {
    Path lake = Files.createTempDirectory("tickets-lake");
    LedgerConfig config = TicketTestSupport.config("tickets.sink=outbox", "lake.root=" + lake);
    String table =
        RecommendationsFixture.table(
            spark, RecommendationsFixture.rows(rec("l1", "search", "rank", "ranker", 300)));
    new TicketStage(spark, config, null, TicketTestSupport.nightly(NIGHT)).run(NIGHT, table, false);
    new TicketStage(spark, config, null, TicketTestSupport.nightly(NIGHT)).run(NIGHT, table, false);
    Path file = lake.resolve("tickets").resolve(NIGHT.toString()).resolve("file.jsonl");
    assertEquals(1, Files.readAllLines(file).size());
  }
}
