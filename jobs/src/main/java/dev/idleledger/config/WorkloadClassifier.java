package dev.idleledger.config;

import com.typesafe.config.Config;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The ordered workload-type rules and team resolution of COST_MODEL.md §3, from {@code classify} in conf.
 * Serializable so Spark can ship it inside a function when a stage needs it.
 */
public final class WorkloadClassifier implements Serializable {
  public record Rule(String type, List<String> ownerKinds, List<String> podLabels)
      implements Serializable {}

  private final List<Rule> rules;
  private final String defaultType;
  private final String teamLabel;
  private final Map<String, String> namespaceTeams;
  private final String defaultTeam;

  public WorkloadClassifier(
      List<Rule> rules,
      String defaultType,
      String teamLabel,
      Map<String, String> namespaceTeams,
      String defaultTeam) {
    this.rules = List.copyOf(rules);
    this.defaultType = defaultType;
    this.teamLabel = teamLabel;
    this.namespaceTeams = Map.copyOf(namespaceTeams);
    this.defaultTeam = defaultTeam;
  }

  static WorkloadClassifier from(Config c) {
    List<Rule> rules = new ArrayList<>();
    for (Config r : c.getConfigList("workload_types")) {
      rules.add(
          new Rule(
              r.getString("type"), r.getStringList("owner_kinds"), r.getStringList("pod_labels")));
    }
    Map<String, String> teams = new TreeMap<>();
    c.getObject("namespace_teams").forEach((k, v) -> teams.put(k, String.valueOf(v.unwrapped())));
    return new WorkloadClassifier(
        rules,
        c.getString("default_type"),
        c.getString("team_label"),
        teams,
        c.getString("default_team"));
  }

  /** First rule whose owner kinds contain the top owner's kind, or whose pod label is present on the pod. */
  public String workloadType(String topOwnerKind, Map<String, String> podLabels) {
    for (Rule rule : rules) {
      if (topOwnerKind != null && rule.ownerKinds().contains(topOwnerKind)) {
        return rule.type();
      }
      for (String label : rule.podLabels()) {
        if (podLabels != null && podLabels.containsKey(label)) {
          return rule.type();
        }
      }
    }
    return defaultType;
  }

  public String team(String namespace, Map<String, String> podLabels) {
    if (podLabels != null) {
      String t = podLabels.get(teamLabel);
      if (t != null && !t.isBlank()) {
        return t;
      }
    }
    return namespaceTeams.getOrDefault(namespace, defaultTeam);
  }

  public List<Rule> rules() {
    return rules;
  }

  public String defaultType() {
    return defaultType;
  }

  public String teamLabel() {
    return teamLabel;
  }

  public Map<String, String> namespaceTeams() {
    return namespaceTeams;
  }

  public String defaultTeam() {
    return defaultTeam;
  }
}
