package dev.idleledger.config;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The pod label keys carried onto gpu_hourly and workload_daily ({@code attribution.labels}), so analysts can charge
 * back by the labels their company uses (cost-center, project, app.kubernetes.io/part-of) and not only by team.
 *
 * <p>Keys are written as Kubernetes spells them. kube-state-metrics cannot: it exports a pod label as
 * {@code label_<key>} with every character outside [A-Za-z0-9_] turned into '_' ({@code cost-center} arrives as
 * {@code label_cost_center}), so {@link #exportedName} is the name to look up in pod_info's labels, while the
 * published map keeps the key as configured ({@code labels['cost-center']}).
 */
public final class ChargebackLabels implements Serializable {
  /** A Kubernetes label key: an optional DNS-subdomain prefix and '/', then a name of up to 63 characters. */
  private static final Pattern LABEL_KEY =
      Pattern.compile(
          "([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");

  private final Map<String, String> exportedByKey;

  private ChargebackLabels(Map<String, String> exportedByKey) {
    this.exportedByKey = exportedByKey;
  }

  /** @param key the config key the list came from, named in every error */
  public static ChargebackLabels of(String key, List<String> labelKeys) {
    Map<String, String> exported = new LinkedHashMap<>();
    Map<String, String> keyByExported = new LinkedHashMap<>();
    for (String labelKey : labelKeys) {
      if (!LABEL_KEY.matcher(labelKey).matches()) {
        throw new ConfigException(
            key
                + ": '"
                + labelKey
                + "' is not a Kubernetes label key (e.g. team, cost-center, app.kubernetes.io/part-of)");
      }
      String name = sanitize(labelKey);
      String clash = keyByExported.putIfAbsent(name, labelKey);
      if (clash != null) {
        throw new ConfigException(
            key
                + ": '"
                + clash
                + "' and '"
                + labelKey
                + "' both arrive from kube-state-metrics as label_"
                + name
                + ", so their values cannot be told apart; keep one");
      }
      exported.put(labelKey, name);
    }
    return new ChargebackLabels(Collections.unmodifiableMap(exported));
  }

  /** The configured keys, in config order. */
  public List<String> keys() {
    return List.copyOf(exportedByKey.keySet());
  }

  /** The key of {@code labelKey} in pod_info's labels: kube-state-metrics' label name without its {@code label_} prefix. */
  public String exportedName(String labelKey) {
    String name = exportedByKey.get(labelKey);
    return name != null ? name : sanitize(labelKey);
  }

  private static String sanitize(String labelKey) {
    return labelKey.replaceAll("[^A-Za-z0-9_]", "_");
  }

  @Override
  public String toString() {
    return exportedByKey.keySet().toString();
  }
}
