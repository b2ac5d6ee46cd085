package dev.idleledger.tickets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.idleledger.tickets.TicketSettings.TeamRoute;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Jira Cloud REST v3: create with an ADF description and labels, find by the per-recommendation label through
 * the enhanced JQL search ({@code GET /rest/api/3/search/jql}), comment in ADF, close by a done transition.
 * Atlassian documents that search as eventually consistent: a rerun seconds after a crash that followed a
 * create could miss the new issue; nightly reruns are minutes apart, well past the index delay.
 */
final class JiraSink implements TicketSink {
  private final TicketSettings settings;
  private final HttpTransport http;
  private final Map<String, String> headers;

  JiraSink(TicketSettings settings) {
    this.settings = settings;
    if (settings.jira().baseUrl().isBlank()) {
      throw new IllegalStateException(
          "tickets.jira.base_url: must be set when tickets.sink = jira");
    }
    String token = SecretReader.read(settings.jira().token(), "tickets.jira");
    String basic =
        Base64.getEncoder()
            .encodeToString(
                (settings.jira().user() + ":" + token).getBytes(StandardCharsets.UTF_8));
    this.http = new HttpTransport(settings.http(), List.of(token, basic));
    this.headers =
        Map.of(
            "Authorization",
            "Basic " + basic,
            "Accept",
            "application/json",
            "Content-Type",
            "application/json");
  }

  @Override
  public TicketSinkKind system() {
    return TicketSinkKind.JIRA;
  }

  @Override
  public Optional<TicketRef> find(RecommendationTicketView r, TeamRoute route)
      throws TicketFailure {
    String jql = "labels = \"" + idLabel(r) + "\" ORDER BY created ASC";
    URI uri =
        uri(
            "/rest/api/3/search/jql?jql="
                + URLEncoder.encode(jql, StandardCharsets.UTF_8)
                + "&fields=summary,labels&maxResults=10");
    JsonNode issues = json(http.send("GET", uri, headers, null).body()).path("issues");
    if (issues.isArray() && issues.size() > 0) {
      String key = issues.get(0).path("key").asText();
      return Optional.of(new TicketRef(key, browse(key)));
    }
    return Optional.empty();
  }

  @Override
  public TicketRef create(RecommendationTicketView r, TeamRoute route, TicketText text)
      throws TicketFailure {
    if (route.project().isBlank()) {
      throw new TicketFailure("no Jira project routed for team " + r.team());
    }
    ObjectNode body = TicketText.JSON.createObjectNode();
    ObjectNode fields = body.putObject("fields");
    fields.putObject("project").put("key", route.project());
    fields.put("summary", text.title());
    fields.putObject("issuetype").put("name", settings.jira().issueType());
    ArrayNode labels = fields.putArray("labels");
    labels(r, route).forEach(labels::add);
    fields.set("description", text.adf());
    JsonNode created =
        json(http.send("POST", uri("/rest/api/3/issue"), headers, body.toString()).body());
    String key = created.path("key").asText();
    if (key.isEmpty()) {
      throw new TicketFailure("Jira created an issue but returned no key");
    }
    return new TicketRef(key, browse(key));
  }

  @Override
  public void comment(TicketRef ticket, RecommendationTicketView r, TicketText text)
      throws TicketFailure {
    ObjectNode body = TicketText.JSON.createObjectNode();
    body.set("body", text.adf());
    http.send(
        "POST",
        uri("/rest/api/3/issue/" + enc(ticket.key()) + "/comment"),
        headers,
        body.toString());
  }

  @Override
  public void close(TicketRef ticket, RecommendationTicketView r, TicketText text)
      throws TicketFailure {
    comment(ticket, r, text);
    URI transitions = uri("/rest/api/3/issue/" + enc(ticket.key()) + "/transitions");
    JsonNode available =
        json(http.send("GET", transitions, headers, null).body()).path("transitions");
    String id = null;
    for (JsonNode t : available) {
      if (t.path("name").asText().equalsIgnoreCase(settings.jira().doneTransition())) {
        id = t.path("id").asText();
        break;
      }
    }
    for (JsonNode t : available) {
      if (id == null && "done".equals(t.path("to").path("statusCategory").path("key").asText())) {
        id = t.path("id").asText();
      }
    }
    if (id == null) {
      throw new TicketFailure("Jira issue " + ticket.key() + " offers no done transition");
    }
    ObjectNode body = TicketText.JSON.createObjectNode();
    body.putObject("transition").put("id", id);
    http.send("POST", transitions, headers, body.toString());
  }

  private List<String> labels(RecommendationTicketView r, TeamRoute route) {
    LinkedHashSet<String> all = new LinkedHashSet<>();
    all.add(settings.label());
    all.add(idLabel(r));
    // Jira labels cannot hold spaces.
    route.labels().forEach(l -> all.add(l.replaceAll("\\s+", "-")));
    return List.copyOf(all);
  }

  private String idLabel(RecommendationTicketView r) {
    return settings.label() + "-" + r.recommendationId();
  }

  private URI uri(String pathAndQuery) {
    return URI.create(settings.jira().baseUrl() + pathAndQuery);
  }

  private String browse(String key) {
    return settings.jira().baseUrl() + "/browse/" + key;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static JsonNode json(String body) throws TicketFailure {
    try {
      return body == null || body.isBlank()
          ? TicketText.JSON.createObjectNode()
          : TicketText.JSON.readTree(body);
    } catch (IOException e) {
      throw new TicketFailure("unreadable JSON response");
    }
  }
}
