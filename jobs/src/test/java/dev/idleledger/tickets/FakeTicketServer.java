package dev.idleledger.tickets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A real HTTP server on loopback implementing the subset of Jira Cloud REST v3 and GitHub Issues REST the
 * sinks use, plus a webhook receiver. Every request is checked against the documented shape (method, path,
 * headers, JSON body, ADF structure); anything off is recorded in {@link #violations()} and answered 400.
 * Issues live in memory. {@link #failNext} queues injected failures (429 with Retry-After, 500, 400).
 */
final class FakeTicketServer implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  record Fault(String method, String pathPrefix, int status, String retryAfter) {}

  static final class Issue {
    final String key;
    final JsonNode created;
    final List<JsonNode> comments = new ArrayList<>();
    String state = "open";

    Issue(String key, JsonNode created) {
      this.key = key;
      this.created = created;
    }
  }

  private final HttpServer server;
  private final String jiraUser;
  private final String token;
  private final String webhookSecret;
  final Map<String, Issue> jira = Collections.synchronizedMap(new LinkedHashMap<>());
  final Map<Long, Issue> github = Collections.synchronizedMap(new LinkedHashMap<>());
  final List<JsonNode> webhookEvents = Collections.synchronizedList(new ArrayList<>());
  final List<String> requests = Collections.synchronizedList(new ArrayList<>());
  final List<String> bodies = Collections.synchronizedList(new ArrayList<>());
  private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
  private final Deque<Fault> faults = new ArrayDeque<>();

  FakeTicketServer(String jiraUser, String token, String webhookSecret) throws IOException {
    this.jiraUser = jiraUser;
    this.token = token;
    this.webhookSecret = webhookSecret;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  List<String> violations() {
    return List.copyOf(violations);
  }

  synchronized void failNext(String method, String pathPrefix, int status, String retryAfter) {
    faults.add(new Fault(method, pathPrefix, status, retryAfter));
  }

  long count(String request) {
    return requests.stream().filter(r -> r.startsWith(request)).count();
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private void handle(HttpExchange ex) throws IOException {
    String method = ex.getRequestMethod();
    String path = ex.getRequestURI().getPath();
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    requests.add(method + " " + path);
    bodies.add(body);
    try {
      Fault fault = takeFault(method, path);
      if (fault != null) {
        if (fault.retryAfter() != null) {
          ex.getResponseHeaders().add("Retry-After", fault.retryAfter());
        }
        // Echo the credential back, as a careless proxy might: it must not reach tables or logs.
        String auth = String.valueOf(ex.getRequestHeaders().getFirst("Authorization"));
        send(
            ex,
            fault.status(),
            "{\"errorMessages\":[\"injected failure\"],\"echo\":\"" + auth + "\"}");
        return;
      }
      if (path.startsWith("/rest/api/3/")) {
        jira(ex, method, path, body);
      } else if (path.startsWith("/repos/")) {
        github(ex, method, path, body);
      } else if (path.equals("/hook")) {
        webhook(ex, method, body);
      } else {
        violation(ex, "unknown path " + method + " " + path);
      }
    } catch (RuntimeException e) {
      violation(ex, "server error on " + method + " " + path + ": " + e);
    }
  }

  private synchronized Fault takeFault(String method, String path) {
    for (Fault f : faults) {
      if (f.method().equals(method) && path.startsWith(f.pathPrefix())) {
        faults.remove(f);
        return f;
      }
    }
    return null;
  }

  // ---- Jira Cloud REST v3 ----

  private static final Pattern JIRA_ISSUE =
      Pattern.compile("/rest/api/3/issue/([A-Z]+-\\d+)/(comment|transitions)");
  private static final Pattern JQL_LABEL =
      Pattern.compile("labels = \"([^\"]+)\"( ORDER BY created ASC)?");

  private void jira(HttpExchange ex, String method, String path, String body) throws IOException {
    String expectedAuth =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((jiraUser + ":" + token).getBytes(StandardCharsets.UTF_8));
    if (!expectedAuth.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
      send(ex, 401, "{\"errorMessages\":[\"unauthorized\"]}");
      violations.add("jira: bad Authorization on " + method + " " + path);
      return;
    }
    if (!"application/json".equals(ex.getRequestHeaders().getFirst("Accept"))) {
      violation(ex, "jira: Accept must be application/json");
      return;
    }
    if (method.equals("POST")
        && !"application/json".equals(ex.getRequestHeaders().getFirst("Content-Type"))) {
      violation(ex, "jira: Content-Type must be application/json");
      return;
    }
    if (method.equals("POST") && path.equals("/rest/api/3/issue")) {
      JsonNode req = JSON.readTree(body);
      JsonNode f = req.path("fields");
      List<String> problems = new ArrayList<>();
      if (f.path("project").path("key").asText().isEmpty()) problems.add("fields.project.key");
      if (!f.path("summary").isTextual() || f.path("summary").asText().contains("\n"))
        problems.add("fields.summary");
      if (f.path("issuetype").path("name").asText().isEmpty())
        problems.add("fields.issuetype.name");
      if (!f.path("labels").isArray() || f.path("labels").isEmpty()) problems.add("fields.labels");
      for (JsonNode l : f.path("labels")) {
        if (!l.isTextual() || l.asText().contains(" ")) problems.add("label " + l);
      }
      problems.addAll(adfProblems(f.path("description")));
      if (!problems.isEmpty()) {
        violation(ex, "jira create: bad " + problems);
        return;
      }
      String key = f.path("project").path("key").asText() + "-" + (jira.size() + 1);
      jira.put(key, new Issue(key, req));
      send(
          ex,
          201,
          "{\"id\":\""
              + (10000 + jira.size())
              + "\",\"key\":\""
              + key
              + "\",\"self\":\""
              + baseUrl()
              + "/rest/api/3/issue/"
              + key
              + "\"}");
    } else if (method.equals("GET") && path.equals("/rest/api/3/search/jql")) {
      String jql = query(ex).getOrDefault("jql", "");
      Matcher m = JQL_LABEL.matcher(jql);
      if (!m.matches()) {
        violation(ex, "jira search: unsupported JQL " + jql);
        return;
      }
      ObjectNode res = JSON.createObjectNode();
      ArrayNode issues = res.putArray("issues");
      synchronized (jira) {
        for (Issue i : jira.values()) {
          for (JsonNode l : i.created.path("fields").path("labels")) {
            if (l.asText().equals(m.group(1))) {
              ObjectNode n = issues.addObject();
              n.put("id", "1");
              n.put("key", i.key);
              n.putObject("fields")
                  .put("summary", i.created.path("fields").path("summary").asText());
            }
          }
        }
      }
      res.put("isLast", true);
      send(ex, 200, res.toString());
    } else {
      Matcher m = JIRA_ISSUE.matcher(path);
      Issue issue = m.matches() ? jira.get(m.group(1)) : null;
      if (issue == null) {
        send(ex, 404, "{\"errorMessages\":[\"Issue does not exist\"]}");
        violations.add("jira: no such issue " + method + " " + path);
        return;
      }
      if (m.group(2).equals("comment") && method.equals("POST")) {
        JsonNode req = JSON.readTree(body);
        List<String> problems = adfProblems(req.path("body"));
        if (!problems.isEmpty()) {
          violation(ex, "jira comment: bad " + problems);
          return;
        }
        issue.comments.add(req);
        send(ex, 201, "{\"id\":\"" + issue.comments.size() + "\"}");
      } else if (m.group(2).equals("transitions") && method.equals("GET")) {
        send(
            ex,
            200,
            "{\"transitions\":[{\"id\":\"11\",\"name\":\"To Do\",\"to\":{\"statusCategory\":{\"key\":\"new\"}}},"
                + "{\"id\":\"31\",\"name\":\"Done\",\"to\":{\"statusCategory\":{\"key\":\"done\"}}}]}");
      } else if (m.group(2).equals("transitions") && method.equals("POST")) {
        String id = JSON.readTree(body).path("transition").path("id").asText();
        if (!id.equals("31") && !id.equals("11")) {
          violation(ex, "jira transition: unknown id " + id);
          return;
        }
        issue.state = id.equals("31") ? "done" : "open";
        send(ex, 204, null);
      } else {
        violation(ex, "jira: unsupported " + method + " " + path);
      }
    }
  }

  /** ADF as Jira documents it: doc, version 1, blocks (paragraph, codeBlock) holding non-empty text nodes. */
  static List<String> adfProblems(JsonNode doc) {
    List<String> problems = new ArrayList<>();
    if (!"doc".equals(doc.path("type").asText())
        || doc.path("version").asInt() != 1
        || !doc.path("content").isArray()
        || doc.path("content").isEmpty()) {
      problems.add("ADF doc/version/content");
      return problems;
    }
    for (JsonNode block : doc.path("content")) {
      String type = block.path("type").asText();
      if (!type.equals("paragraph") && !type.equals("codeBlock"))
        problems.add("ADF block type " + type);
      for (JsonNode inline : block.path("content")) {
        if (!"text".equals(inline.path("type").asText())
            || !inline.path("text").isTextual()
            || inline.path("text").asText().isEmpty()) {
          problems.add("ADF inline " + inline);
        }
      }
    }
    return problems;
  }

  // ---- GitHub Issues REST ----

  private static final Pattern GH_ISSUES = Pattern.compile("/repos/([\\w.-]+/[\\w.-]+)/issues");
  private static final Pattern GH_ISSUE =
      Pattern.compile("/repos/([\\w.-]+/[\\w.-]+)/issues/(\\d+)(/comments)?");

  private void github(HttpExchange ex, String method, String path, String body) throws IOException {
    if (!("Bearer " + token).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
      send(ex, 401, "{\"message\":\"Bad credentials\"}");
      violations.add("github: bad Authorization on " + method + " " + path);
      return;
    }
    if (!"application/vnd.github+json".equals(ex.getRequestHeaders().getFirst("Accept"))
        || !"2022-11-28".equals(ex.getRequestHeaders().getFirst("X-GitHub-Api-Version"))) {
      violation(ex, "github: Accept / X-GitHub-Api-Version headers");
      return;
    }
    if (!method.equals("GET")
        && !"application/json".equals(ex.getRequestHeaders().getFirst("Content-Type"))) {
      violation(ex, "github: Content-Type must be application/json");
      return;
    }
    Matcher list = GH_ISSUES.matcher(path);
    Matcher one = GH_ISSUE.matcher(path);
    if (list.matches() && method.equals("POST")) {
      JsonNode req = JSON.readTree(body);
      if (!req.path("title").isTextual()
          || !req.path("body").isTextual()
          || !req.path("labels").isArray()) {
        violation(ex, "github create: title/body/labels");
        return;
      }
      long number = github.size() + 1;
      Issue issue = new Issue(list.group(1) + "#" + number, req);
      github.put(number, issue);
      send(ex, 201, ghIssue(list.group(1), number, issue).toString());
    } else if (list.matches() && method.equals("GET")) {
      Map<String, String> q = query(ex);
      if (!"all".equals(q.get("state")) || q.get("labels") == null) {
        violation(ex, "github list: expects state=all and labels");
        return;
      }
      ArrayNode res = JSON.createArrayNode();
      synchronized (github) {
        github.forEach(
            (n, i) -> {
              for (JsonNode l : i.created.path("labels")) {
                if (l.asText().equals(q.get("labels"))) {
                  res.add(ghIssue(list.group(1), n, i));
                }
              }
            });
      }
      send(ex, 200, res.toString());
    } else if (one.matches()) {
      Issue issue = github.get(Long.parseLong(one.group(2)));
      if (issue == null) {
        send(ex, 404, "{\"message\":\"Not Found\"}");
        violations.add("github: no such issue " + path);
        return;
      }
      JsonNode req = JSON.readTree(body);
      if (one.group(3) != null && method.equals("POST")) {
        if (!req.path("body").isTextual()) {
          violation(ex, "github comment: body");
          return;
        }
        issue.comments.add(req);
        send(ex, 201, "{\"id\":" + issue.comments.size() + "}");
      } else if (one.group(3) == null && method.equals("PATCH")) {
        if (!req.path("state").asText().matches("open|closed")) {
          violation(ex, "github update: state");
          return;
        }
        issue.state = req.path("state").asText();
        send(ex, 200, ghIssue(one.group(1), Long.parseLong(one.group(2)), issue).toString());
      } else {
        violation(ex, "github: unsupported " + method + " " + path);
      }
    } else {
      violation(ex, "github: unsupported " + method + " " + path);
    }
  }

  private ObjectNode ghIssue(String repo, long number, Issue i) {
    ObjectNode n = JSON.createObjectNode();
    n.put("number", number);
    n.put("html_url", "https://github.example/" + repo + "/issues/" + number);
    n.put("title", i.created.path("title").asText());
    n.put("state", i.state);
    ArrayNode labels = n.putArray("labels");
    i.created.path("labels").forEach(l -> labels.addObject().put("name", l.asText()));
    return n;
  }

  // ---- webhook ----

  private void webhook(HttpExchange ex, String method, String body) throws IOException {
    String expected = "sha256=" + hmac(webhookSecret, body);
    if (!method.equals("POST")
        || !expected.equals(ex.getRequestHeaders().getFirst("X-Idle-Ledger-Signature"))
        || !"application/json".equals(ex.getRequestHeaders().getFirst("Content-Type"))) {
      send(ex, 401, "{\"error\":\"bad signature\"}");
      violations.add("webhook: bad signature or method");
      return;
    }
    webhookEvents.add(JSON.readTree(body));
    send(ex, 202, "{}");
  }

  static String hmac(String secret, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- plumbing ----

  private static Map<String, String> query(HttpExchange ex) {
    Map<String, String> q = new LinkedHashMap<>();
    String raw = ex.getRequestURI().getRawQuery();
    if (raw != null) {
      for (String kv : raw.split("&")) {
        int eq = kv.indexOf('=');
        q.put(
            URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return q;
  }

  private void violation(HttpExchange ex, String what) throws IOException {
    violations.add(what);
    send(ex, 400, "{\"errorMessages\":[\"" + what.replace("\"", "'") + "\"]}");
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    if (body == null) {
      ex.sendResponseHeaders(status, -1);
      ex.close();
      return;
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }
}
