package dev.idleledger.tickets;

import static dev.idleledger.tickets.RecommendationsFixture.NIGHT;
import static dev.idleledger.tickets.RecommendationsFixture.rec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.config.LedgerConfig;
import dev.idleledger.tables.RecommendationTables.Recommendations;
import dev.idleledger.testing.DeltaHistory;
import dev.idleledger.testing.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * A new lake's first night: recommend leaves its rows to the ticket stage, which reads them from memory and appends
 * them with the tickets it filed, in one commit, instead of reading the table back and merging the outcomes into it.
 * The table must end as the append-then-MERGE route leaves it.
 */
class FirstNightTicketsTest {
  private final SparkSession spark = TestSpark.session();

  private static final List<Object[]> ROWS =
      RecommendationsFixture.rows(
          rec("n1", "search", "rank", "ranker", 300),
          rec("n2", "ml-platform", "llm", "trainer", 500),
          rec("n3", "search", "rank", "tiny", 20));

  @Test
  void firstRecommendationsAreAppendedWithTheirTicketsInOneCommitAsTheMergeRecordsThem()
      throws Exception {
    String merged = RecommendationsFixture.table(spark, ROWS);
    TicketRunResult viaMerge =
        TicketTestSupport.stage(spark, outbox("merge"), NIGHT).run(NIGHT, merged, false);

    String first = RecommendationsFixture.emptyTable(spark);
    Path outbox = Files.createTempDirectory("first-night-outbox");
    TicketRunResult viaAppend =
        TicketTestSupport.stage(spark, outbox(outbox), NIGHT)
            .run(NIGHT, first, false, Optional.of(RecommendationsFixture.frame(spark, ROWS)));

    assertEquals(2, viaAppend.filed());
    assertEquals(1, viaAppend.skipped(), "n3 saves less than the filing threshold");
    assertEquals(viaMerge.summary(), viaAppend.summary());
    // The outbox's address is each run's own folder; every other column, ticket or not, is the
    // same.
    assertEquals(withoutUrl(merged), withoutUrl(first));
    Row n1 = RecommendationsFixture.row(spark, first, "n1");
    assertEquals("idle-ledger:n1", n1.getAs(Recommendations.TICKET_KEY));
    assertEquals("OPEN", n1.getAs(Recommendations.TICKET_STATE));
    assertTrue(
        n1.<String>getAs(Recommendations.TICKET_URL).contains(outbox.getFileName().toString()),
        n1.<String>getAs(Recommendations.TICKET_URL));
    assertNull(RecommendationsFixture.row(spark, first, "n3").getAs(Recommendations.TICKET_KEY));
    assertEquals(List.of("CREATE TABLE", "WRITE"), operations(first));
    assertEquals("MERGE", operations(merged).get(operations(merged).size() - 1));
  }

  @Test
  void withoutASinkTheFirstRecommendationsAreStillAppendedWithoutTickets() {
    String first = RecommendationsFixture.emptyTable(spark);
    TicketRunResult result =
        TicketTestSupport.stage(spark, TicketTestSupport.config("tickets.sink=none"), NIGHT)
            .run(NIGHT, first, false, Optional.of(RecommendationsFixture.frame(spark, ROWS)));
    assertEquals(0, result.filed());
    assertEquals(2, result.planned().size());
    assertEquals(3L, spark.table(first).count());
    assertEquals(0L, spark.table(first).where(Recommendations.TICKET_KEY + " IS NOT NULL").count());
    assertEquals(List.of("CREATE TABLE", "WRITE"), operations(first));
  }

  @Test
  void whenTheSinkCannotOpenTheFirstRecommendationsAreAppendedWithoutTicketsAndTheFailureGoesOn() {
    // Jira without its token: the sink refuses to open, before any ticket.
    LedgerConfig noToken =
        TicketTestSupport.config(
            "tickets.sink=jira",
            "tickets.jira.base_url=http://127.0.0.1:9",
            "tickets.jira.user=" + TicketTestSupport.JIRA_USER);
    String first = RecommendationsFixture.emptyTable(spark);
    RuntimeException failure =
        assertThrows(
            RuntimeException.class,
            () ->
                TicketTestSupport.stage(spark, noToken, NIGHT)
                    .run(
                        NIGHT,
                        first,
                        false,
                        Optional.of(RecommendationsFixture.frame(spark, ROWS))));
    assertTrue(String.valueOf(failure.getMessage()).contains("tickets.jira"), failure.toString());
    assertEquals(3L, spark.table(first).count());
    assertEquals(0L, spark.table(first).where(Recommendations.TICKET_KEY + " IS NOT NULL").count());
    assertEquals(List.of("CREATE TABLE", "WRITE"), operations(first));
  }

  private static LedgerConfig outbox(String name) throws Exception {
    return outbox(Files.createTempDirectory("first-night-" + name));
  }

  private static LedgerConfig outbox(Path folder) {
    return TicketTestSupport.config("tickets.sink=outbox", "tickets.outbox.prefix=" + folder);
  }

  private List<Row> withoutUrl(String table) {
    return spark
        .table(table)
        .drop(Recommendations.TICKET_URL)
        .orderBy(Recommendations.RECOMMENDATION_ID)
        .collectAsList();
  }

  private List<String> operations(String table) {
    return DeltaHistory.operations(spark, table);
  }
}
