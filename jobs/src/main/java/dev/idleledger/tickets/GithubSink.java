package dev.idleledger.tickets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.idleledger.tickets.TicketSettings.TeamRoute;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * GitHub Issues REST. Finding lists the repository's issues by the per-recommendation label (the issues
 * list is consistent at once, unlike the search index, which lags seconds to minutes behind a create).
 * The ticket key is {@code owner/repo#number}.
 */
final class GithubSink implements TicketSink {
  private final TicketSettings settings;
  private final HttpTransport http;
  private final Map<String, String> headers;

  GithubSink(TicketSettings settings) {
    this.settings = settings;
    String token = SecretReader.read(settings.github().token(), "tickets.github");
    this.http = new HttpTransport(settings.http(), List.of(token));
    this.headers =
        Map.of(
            "Authorization",
            "Bearer " + token,
            "Accept",
            "application/vnd.github+json",
            "X-GitHub-Api-Version",
            "2022-11-28",
            "Content-Type",
            "application/json");
  }

  @Override
  public TicketSinkKind system() {
    return TicketSinkKind.GITHUB;
  }

  @Override
  public Optional<TicketRef> find(RecommendationTicketView r, TeamRoute route)
      throws TicketFailure {
    String repo = repo(r, route);
    URI uri =
        uri(
            "/repos/"
                + repo
                + "/issues?state=all&per_page=10&labels="
                + URLEncoder.encode(idLabel(r), StandardCharsets.UTF_8));
    JsonNode issues = JiraSink.json(http.send("GET", uri, headers, null).body());
    JsonNode first = null;
    for (JsonNode issue : issues) {
      if (first == null || issue.path("number").asLong() < first.path("number").asLong()) {
        first = issue;
      }
    }
    return first == null
        ? Optional.empty()
        : Optional.of(
            new TicketRef(
                repo + "#" + first.path("number").asLong(), first.path("html_url").asText()));
  }

  @Override
  public TicketRef create(RecommendationTicketView r, TeamRoute route, TicketText text)
      throws TicketFailure {
    String repo = repo(r, route);
    ObjectNode body = TicketText.JSON.createObjectNode();
    body.put("title", text.title());
    body.put("body", text.markdown());
    ArrayNode labels = body.putArray("labels");
    LinkedHashSet<String> all = new LinkedHashSet<>(List.of(settings.label(), idLabel(r)));
    all.addAll(route.labels());
    all.forEach(labels::add);
    JsonNode created =
        JiraSink.json(
            http.send("POST", uri("/repos/" + repo + "/issues"), headers, body.toString()).body());
    long number = created.path("number").asLong();
    if (number <= 0) {
      throw new TicketFailure("GitHub created an issue but returned no number");
    }
    return new TicketRef(repo + "#" + number, created.path("html_url").asText());
  }

  @Override
  public void comment(TicketRef ticket, RecommendationTicketView r, TicketText text)
      throws TicketFailure {
    ObjectNode body = TicketText.JSON.createObjectNode();
    body.put("body", text.markdown());
    http.send("POST", uri(issuePath(ticket) + "/comments"), headers, body.toString());
  }

  @Override
  public void close(TicketRef ticket, RecommendationTicketView r, TicketText text)
      throws TicketFailure {
    comment(ticket, r, text);
    ObjectNode body = TicketText.JSON.createObjectNode();
    body.put("state", "closed");
    body.put("state_reason", "completed");
    http.send("PATCH", uri(issuePath(ticket)), headers, body.toString());
  }

  private static String issuePath(TicketRef ticket) throws TicketFailure {
    int hash = ticket.key().lastIndexOf('#');
    if (hash < 0) {
      throw new TicketFailure("not a GitHub issue key: " + ticket.key());
    }
    return "/repos/"
        + ticket.key().substring(0, hash)
        + "/issues/"
        + ticket.key().substring(hash + 1);
  }

  private static String repo(RecommendationTicketView r, TeamRoute route) throws TicketFailure {
    if (!route.repo().matches("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")) {
      throw new TicketFailure(
          "no GitHub repo (owner/name) routed for team " + r.team() + ": '" + route.repo() + "'");
    }
    return route.repo();
  }

  private String idLabel(RecommendationTicketView r) {
    return settings.label() + "-" + r.recommendationId();
  }

  private URI uri(String pathAndQuery) {
    return URI.create(settings.github().apiUrl() + pathAndQuery);
  }
}
