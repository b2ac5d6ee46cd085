package dev.idleledger.tickets;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValueType;
import dev.idleledger.config.ConfigChecks;
import dev.idleledger.config.ConfigException;
import dev.idleledger.config.LedgerConfig;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code tickets} section, read and checked once so a bad value fails before any ticket is touched. */
public record TicketSettings(
    TicketSinkKind sink,
    double minMonthlySavings,
    String label,
    String table,
    Jira jira,
    Github github,
    Webhook webhook,
    String outboxPrefix,
    Http http,
    Map<String, TeamRoute> routing) {

  public record Jira(
      String baseUrl, String user, Secret token, String issueType, String doneTransition) {}

  public record Github(String apiUrl, Secret token) {}

  public record Webhook(String url, Secret secret) {}

  public record Http(
      Duration connectTimeout,
      Duration requestTimeout,
      int maxAttempts,
      Duration initialBackoff,
      Duration maxBackoff) {}

  /** Where a team's tickets go. */
  public record TeamRoute(String project, String repo, List<String> labels) {}

  /** A credential named by an environment variable or a file; read only when a sink needs it. */
  public record Secret(String envName, String file) {
    @Override
    public String toString() {
      return "Secret[env=" + envName + ", file=" + file + "]";
    }
  }

  public static TicketSettings from(LedgerConfig config) {
    Config root = config.raw();
    Config c = root.getConfig("tickets");
    try {
      TicketSinkKind sink = TicketSinkKind.fromConfig(c.getString("sink").trim());
      double min = ConfigChecks.nonNegative(root, "tickets.min_monthly_savings");
      String outbox = c.getString("outbox.prefix").trim();
      if (outbox.isEmpty()) {
        outbox = config.lakeRoot.replaceAll("/+$", "") + "/tickets";
      }
      Http http =
          new Http(
              positiveMillis(root, "tickets.http.connect_timeout_ms"),
              positiveMillis(root, "tickets.http.request_timeout_ms"),
              ConfigChecks.positiveInt(root, "tickets.http.max_attempts"),
              positiveMillis(root, "tickets.http.initial_backoff_ms"),
              positiveMillis(root, "tickets.http.max_backoff_ms"));
      Map<String, TeamRoute> routing = new LinkedHashMap<>();
      ConfigObject teams = c.getObject("routing");
      for (String team : teams.keySet()) {
        Config t = teams.toConfig().getConfig("\"" + team + "\"");
        routing.put(
            team,
            new TeamRoute(
                t.hasPath("project") ? t.getString("project") : "",
                t.hasPath("repo") ? t.getString("repo") : "",
                labels(t)));
      }
      if (!routing.containsKey("default")) {
        throw new ConfigException(
            "tickets.routing.default: missing (where tickets of unrouted teams go)");
      }
      return new TicketSettings(
          sink,
          min,
          ConfigChecks.nonBlank(root, "tickets.label"),
          ConfigChecks.nonBlank(root, "tickets.table"),
          new Jira(
              c.getString("jira.base_url").trim().replaceAll("/+$", ""),
              c.getString("jira.user").trim(),
              new Secret(c.getString("jira.token_env"), c.getString("jira.token_file")),
              ConfigChecks.nonBlank(root, "tickets.jira.issue_type"),
              c.getString("jira.done_transition").trim()),
          new Github(
              c.getString("github.api_url").trim().replaceAll("/+$", ""),
              new Secret(c.getString("github.token_env"), c.getString("github.token_file"))),
          new Webhook(
              c.getString("webhook.url").trim(),
              new Secret(c.getString("webhook.secret_env"), c.getString("webhook.secret_file"))),
          outbox,
          http,
          Map.copyOf(routing));
    } catch (com.typesafe.config.ConfigException e) {
      throw new ConfigException("config: " + e.getMessage(), e);
    }
  }

  /** The route of a team, or the default one. */
  public TeamRoute route(String team) {
    return team != null && routing.containsKey(team) ? routing.get(team) : routing.get("default");
  }

  /** A list, or (as {@code --set} gives it) one comma-separated string. */
  private static List<String> labels(Config team) {
    if (!team.hasPath("labels")) {
      return List.of();
    }
    if (team.getValue("labels").valueType() == ConfigValueType.STRING) {
      return Arrays.stream(team.getString("labels").split(","))
          .map(String::trim)
          .filter(l -> !l.isEmpty())
          .toList();
    }
    return List.copyOf(team.getStringList("labels"));
  }

  private static Duration positiveMillis(Config c, String key) {
    return Duration.ofMillis(ConfigChecks.positiveInt(c, key));
  }
}
