package dev.idleledger.tickets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.idleledger.tables.RecommendationStatus;
import dev.idleledger.tables.RecommendationTables.Recommendations;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A ticket's words, kept as blocks (paragraphs, a key/value table, code) so each sink renders them in its
 * own markup: escaped Markdown for GitHub and the outbox, Atlassian Document Format for Jira. Everything
 * that comes from the data goes through the renderer's escaping, never into markup as is.
 */
public final class TicketText {
  static final ObjectMapper JSON = new ObjectMapper();

  sealed interface Block permits Para, Table, Code {}

  record Para(String text) implements Block {}

  record Table(List<String[]> rows) implements Block {}

  record Code(String language, String text) implements Block {}

  private final String title;
  private final List<Block> blocks;

  private TicketText(String title, List<Block> blocks) {
    this.title = title;
    this.blocks = blocks;
  }

  public String title() {
    return title;
  }

  /** The ticket that files a recommendation. */
  public static TicketText forFiling(RecommendationTicketView r, String recommendationsTable) {
    List<Block> b = new ArrayList<>();
    b.add(
        new Para(
            "Idle Ledger measured GPU waste: "
                + r.kind()
                + " on "
                + r.subject()
                + " (cluster "
                + n(r.cluster())
                + ", team "
                + n(r.team())
                // Workload recommendations span nodes and have no one instance type; only
                // node-level ones name it.
                + (r.instanceType() == null ? "" : ", instance type " + r.instanceType())
                + ")."));
    b.add(
        new Para(
            "Measured over "
                + (r.windowDays() == null ? "?" : r.windowDays())
                + " days; first seen "
                + n(r.firstSeen())
                + ", last seen "
                + n(r.lastSeen())
                + ". Estimated saving: "
                + money(r)
                + " per month."));
    List<String[]> rows = evidenceRows(r.evidence());
    if (!rows.isEmpty()) {
      b.add(new Para("What was measured:"));
      b.add(new Table(rows));
    }
    b.add(new Para("Action: " + n(r.action())));
    if (r.patch() != null && !r.patch().isBlank()) {
      b.add(new Para("Patch to apply:"));
      b.add(new Code("yaml", r.patch()));
    }
    b.add(
        new Para(
            "Confidence: "
                + n(r.confidence())
                + ". Confidence is high, medium or low from how much of the "
                + "window had data and how steady the pattern was (see the evidence above)."));
    b.add(new Para("To see it:"));
    b.add(new Code("sh", sqlToSee(r, recommendationsTable)));
    b.add(new Para(r.marker()));
    return new TicketText(title(r), b);
  }

  /** A comment: the savings moved, or the waste came back. */
  public static TicketText forComment(RecommendationTicketView r, String recommendationsTable) {
    String what =
        RecommendationStatus.REOPENED.name().equals(r.status())
            ? "This waste is back (the recommendation triggers again)"
            : "The estimate changed";
    return new TicketText(
        title(r),
        List.of(
            new Para(
                what
                    + ": "
                    + money(r)
                    + " per month as of "
                    + n(r.lastSeen())
                    + ", confidence "
                    + n(r.confidence())
                    + "."),
            new Code("sh", sqlToSee(r, recommendationsTable)),
            new Para(r.marker())));
  }

  /** The comment that closes a resolved recommendation. */
  public static TicketText forClosing(RecommendationTicketView r, String recommendationsTable) {
    String realized =
        r.realizedMonthlySavings() == null
            ? "not measured yet"
            : String.format(
                Locale.ROOT, "%s%,.0f per month", symbol(r), r.realizedMonthlySavings());
    return new TicketText(
        title(r),
        List.of(
            new Para(
                "Resolved on "
                    + n(r.resolvedOn())
                    + ": the waste has not been seen since "
                    + n(r.lastSeen())
                    + ". Realized saving: "
                    + realized
                    + "."),
            new Code("sh", sqlToSee(r, recommendationsTable)),
            new Para(r.marker())));
  }

  static String title(RecommendationTicketView r) {
    String t =
        "[GPU waste] " + n(r.kind()) + ": " + r.subject() + " could save " + money(r) + "/month";
    // Titles are plain text everywhere; line breaks and control characters from the data are
    // dropped.
    t = t.replaceAll("\\p{Cntrl}", " ");
    return t.length() > 250 ? t.substring(0, 250) : t;
  }

  static String money(RecommendationTicketView r) {
    return String.format(Locale.ROOT, "%s%,.0f", symbol(r), r.monthlySavings());
  }

  private static String symbol(RecommendationTicketView r) {
    return r.currency() == null || r.currency().equals("USD") ? "$" : r.currency() + " ";
  }

  static String sqlToSee(RecommendationTicketView r, String table) {
    return "bin/idle-ledger sql \"SELECT * FROM "
        + table
        + " WHERE "
        + Recommendations.RECOMMENDATION_ID
        + " = '"
        + r.recommendationId().replaceAll("[^0-9A-Za-z_-]", "")
        + "'\"";
  }

  private static String n(Object v) {
    return v == null ? "?" : v.toString();
  }

  /** Top-level evidence fields as rows; nested values as compact JSON. Unreadable evidence is shown raw. */
  static List<String[]> evidenceRows(String evidence) {
    List<String[]> rows = new ArrayList<>();
    if (evidence == null || evidence.isBlank()) {
      return rows;
    }
    try {
      JsonNode node = JSON.readTree(evidence);
      if (node != null && node.isObject()) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          rows.add(
              new String[] {
                e.getKey(),
                e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString()
              });
        }
        return rows;
      }
    } catch (IOException e) {
      // fall through: show it as text
    }
    rows.add(new String[] {"evidence", evidence});
    return rows;
  }

  /** GitHub-flavoured Markdown; data is backslash-escaped and angle brackets become entities. */
  public String markdown() {
    StringBuilder sb = new StringBuilder();
    for (Block block : blocks) {
      if (block instanceof Para p) {
        sb.append(escapeMarkdown(p.text())).append("\n\n");
      } else if (block instanceof Table t) {
        sb.append("| measure | value |\n|---|---|\n");
        for (String[] row : t.rows()) {
          sb.append("| ")
              .append(escapeMarkdown(row[0]))
              .append(" | ")
              .append(escapeMarkdown(row[1]))
              .append(" |\n");
        }
        sb.append("\n");
      } else if (block instanceof Code c) {
        // A fence longer than any backtick run inside, so the data cannot close it.
        String fence = "```";
        while (c.text().contains(fence)) {
          fence += "`";
        }
        sb.append(fence)
            .append(c.language())
            .append("\n")
            .append(c.text())
            .append("\n")
            .append(fence)
            .append("\n\n");
      }
    }
    return sb.toString().trim() + "\n";
  }

  static String escapeMarkdown(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 16);
    for (char ch : s.replace("\r", " ").replace("\n", " ").toCharArray()) {
      switch (ch) {
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '&' -> sb.append("&amp;");
        // What can start markup mid-line in GitHub-flavoured Markdown: emphasis, code, links (with
        // [ ] escaped a "(" or "!" is plain text), table pipes, strikethrough, and @mentions, which
        // would notify people.
        case '\\', '`', '*', '_', '[', ']', '|', '~', '@' -> sb.append('\\').append(ch);
        default -> sb.append(ch);
      }
    }
    return sb.toString();
  }

  /** Atlassian Document Format: a doc of paragraphs and code blocks whose text nodes carry the data verbatim. */
  public ObjectNode adf() {
    ObjectNode doc = JSON.createObjectNode();
    doc.put("type", "doc");
    doc.put("version", 1);
    ArrayNode content = doc.putArray("content");
    for (Block block : blocks) {
      if (block instanceof Para p) {
        content.add(paragraph(p.text()));
      } else if (block instanceof Table t) {
        for (String[] row : t.rows()) {
          content.add(paragraph(row[0] + ": " + row[1]));
        }
      } else if (block instanceof Code c) {
        ObjectNode code = content.addObject();
        code.put("type", "codeBlock");
        code.putObject("attrs").put("language", c.language());
        code.putArray("content").addObject().put("type", "text").put("text", nonEmpty(c.text()));
      }
    }
    return doc;
  }

  private static ObjectNode paragraph(String text) {
    ObjectNode p = JSON.createObjectNode();
    p.put("type", "paragraph");
    p.putArray("content").addObject().put("type", "text").put("text", nonEmpty(text));
    return p;
  }

  private static String nonEmpty(String s) {
    // ADF rejects empty text nodes.
    return s == null || s.isEmpty() ? " " : s;
  }
}
