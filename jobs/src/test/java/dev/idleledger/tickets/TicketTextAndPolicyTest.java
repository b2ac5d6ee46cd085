package dev.idleledger.tickets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Words, escaping, policy and backoff, without Spark or a server. */
class TicketTextAndPolicyTest {
  private static final LocalDate NIGHT = LocalDate.of(2026, 3, 10);

  private static RecommendationTicketView view(
      String status,
      String workload,
      double savings,
      String ticketKey,
      String ticketState,
      Instant synced) {
    return new RecommendationTicketView(
        "abc123",
        "mig_fit",
        status,
        "prod",
        "ns",
        "Deployment",
        workload,
        "team-a",
        "ip-10-0-0-1",
        "p4d.24xlarge",
        NIGHT.minusDays(7),
        NIGHT,
        null,
        7,
        savings,
        null,
        "medium",
        "{\"p99_fb_used_gib\":9.5,\"profile\":\"1g.10gb\"}",
        "move to MIG 1g.10gb",
        null,
        "USD",
        null,
        ticketKey,
        null,
        TicketState.of(ticketState, "abc123"),
        synced);
  }

  @Test
  void nodeLevelRecommendationsAreTitledByTheirNode() {
    RecommendationTicketView node = view("OPEN", null, 12345.6, null, null, null);
    assertEquals(
        "[GPU waste] mig_fit: node ip-10-0-0-1 could save $12,346/month", TicketText.title(node));
  }

  @Test
  void markdownEscapesEverythingThatComesFromTheData() {
    assertEquals(
        "a\\*b\\_c &lt;script&gt; \\[l\\](u) \\| \\\\ \\`x\\` \\@team",
        TicketText.escapeMarkdown("a*b_c <script> [l](u) | \\ `x` @team"));
    String body =
        TicketText.forFiling(view("OPEN", "w</td>", 500, null, null, null), "db.recommendations")
            .markdown();
    assertFalse(body.contains("</td>"));
    assertTrue(
        body.contains(
            "bin/idle-ledger sql \"SELECT * FROM db.recommendations WHERE recommendation_id = 'abc123'\""));
  }

  @Test
  void aPatchContainingAFenceCannotCloseItsCodeBlock() {
    RecommendationTicketView r =
        new RecommendationTicketView(
            "p1",
            "k",
            "OPEN",
            null,
            "ns",
            null,
            "w",
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            200,
            null,
            null,
            null,
            "a",
            "x: ```\n# heading",
            "USD",
            null,
            null,
            null,
            null,
            null);
    String body = TicketText.forFiling(r, "t").markdown();
    assertTrue(body.contains("````yaml\nx: ```\n# heading\n````"), body);
  }

  @Test
  void theBodyNamesAnInstanceTypeOnlyWhenTheRecommendationHasOne() {
    assertTrue(
        TicketText.forFiling(view("OPEN", "w", 500, null, null, null), "t")
            .markdown()
            .contains("instance type p4d.24xlarge"));
    RecommendationTicketView workload =
        new RecommendationTicketView(
            "w1",
            "k",
            "OPEN",
            "prod",
            "ns",
            "Deployment",
            "w",
            "team-a",
            null,
            null,
            null,
            null,
            null,
            7,
            200,
            null,
            null,
            null,
            "a",
            null,
            "USD",
            null,
            null,
            null,
            null,
            null);
    String body = TicketText.forFiling(workload, "t").markdown();
    assertTrue(body.contains("(cluster prod, team team-a)."), body);
    assertFalse(body.contains("instance type"), body);
  }

  @Test
  void policyFilesAboveTheThresholdOnceAndClosesOnce() {
    TicketPolicy policy = new TicketPolicy(100);
    Instant afterNight = NIGHT.plusDays(1).atTime(1, 0).toInstant(ZoneOffset.UTC);
    Instant nightBefore = NIGHT.atTime(1, 0).toInstant(ZoneOffset.UTC);
    assertEquals(TicketAction.FILE, policy.decide(view("OPEN", "w", 100, null, null, null), NIGHT));
    assertEquals(
        TicketAction.SKIP, policy.decide(view("OPEN", "w", 99.99, null, null, null), NIGHT));
    assertEquals(
        TicketAction.SKIP,
        policy.decide(view("OPEN", "w", 500, "K-1", "OPEN", nightBefore), NIGHT));
    assertEquals(
        TicketAction.FILE,
        policy.decide(view("OPEN", "w", 500, null, "ERROR", afterNight), NIGHT),
        "a failed filing is retried");
    assertEquals(
        TicketAction.COMMENT,
        policy.decide(view("UPDATED", "w", 500, "K-1", "OPEN", nightBefore), NIGHT));
    assertEquals(
        TicketAction.SKIP,
        policy.decide(view("UPDATED", "w", 500, "K-1", "OPEN", afterNight), NIGHT),
        "already synced tonight");
    assertEquals(
        TicketAction.CLOSE,
        policy.decide(view("RESOLVED", "w", 500, "K-1", "OPEN", afterNight), NIGHT));
    assertEquals(
        TicketAction.SKIP,
        policy.decide(view("RESOLVED", "w", 500, "K-1", "CLOSED", afterNight), NIGHT));
    assertEquals(
        TicketAction.SKIP,
        policy.decide(view("RESOLVED", "w", 500, null, null, null), NIGHT),
        "nothing to close");
    assertEquals(
        TicketAction.COMMENT,
        policy.decide(view("REOPENED", "w", 500, "K-1", "CLOSED", nightBefore), NIGHT));
    assertEquals(
        TicketAction.FILE, policy.decide(view("REOPENED", "w", 500, null, null, null), NIGHT));
  }

  @Test
  void backoffDoublesAndHonoursRetryAfterUpToTheCap() {
    HttpTransport t =
        new HttpTransport(
            new TicketSettings.Http(
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                5,
                Duration.ofMillis(100),
                Duration.ofSeconds(30)),
            List.of("s3cr3t"));
    assertEquals(Duration.ofMillis(100), t.backoff(1, null));
    assertEquals(Duration.ofMillis(400), t.backoff(3, null));
    assertEquals(Duration.ofSeconds(7), t.backoff(1, "7"));
    assertEquals(Duration.ofSeconds(30), t.backoff(1, "3600"));
    assertEquals("token ***", t.redact("token s3cr3t"));
  }
}
