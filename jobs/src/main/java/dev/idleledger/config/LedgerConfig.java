package dev.idleledger.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The effective configuration as one typed object. Every value is read and checked here, once, so a
 * malformed value fails at start-up naming its key, not in the middle of a night's run.
 */
public final class LedgerConfig {
  /** Keys whose values are never printed. */
  private static final Set<String> SECRET_KEYS = Set.of("s3.secret_key", "s3.access_key");

  private final Config raw;
  private final Path confDir;

  public final String telemetryRoot;
  public final String kubeRoot;
  public final String curRoot;
  public final String focusRoot;
  public final BillingSource preferredBilling;

  /** The one currency the bills may be in: money in two currencies cannot be summed. */
  public final String billingCurrency;

  public final String lakeRoot;
  public final String database;
  public final boolean embeddedMetastore;
  public final String sparkMaster;
  public final int shufflePartitions;

  /** A date reading less raw input than this runs Spark's operators interpreted (QuerySettings). */
  public final double codegenMinInputMib;

  public final Map<String, String> sparkSettings;
  public final S3Settings s3;
  public final int maxSampleGapSeconds;
  public final double idleActivityThreshold;
  public final double memoryHeldThreshold;
  public final GpuSharePolicy gpuShare;
  public final double maxQuarantineShare;
  public final double maxReconciliationDelta;
  public final int lookbackDays;

  /** How long a run lock may be held before it counts as a crashed run's and is taken over. */
  public final Duration runLockTimeout;

  public final WorkloadClassifier classifier;
  public final ChargebackLabels chargebackLabels;
  public final WasteSharing shareUnallocated;

  public enum BillingSource {
    CUR,
    FOCUS
  }

  /**
   * {@code attribution.share_unallocated}: whether a cluster-day's unallocated and unobserved GPU cost stays its own
   * line (NONE) or is shared over the teams that used the cluster that day, in proportion to their allocated cost (CLUSTER).
   */
  public enum WasteSharing {
    NONE,
    CLUSTER
  }

  /** Where and how to reach S3 (or an S3 API server); the keys are secrets. */
  public record S3Settings(
      String endpoint, String region, boolean pathStyleAccess, String accessKey, String secretKey) {
    @Override
    public String toString() {
      return "S3Settings[endpoint="
          + endpoint
          + ", region="
          + region
          + ", pathStyleAccess="
          + pathStyleAccess
          + ", accessKey="
          + (accessKey.isEmpty() ? "" : "***")
          + ", secretKey="
          + (secretKey.isEmpty() ? "" : "***")
          + "]";
    }
  }

  private LedgerConfig(Config c, Path confDir) {
    this.raw = c;
    this.confDir = confDir;
    try {
      telemetryRoot = c.getString("input.telemetry").trim();
      kubeRoot = c.getString("input.kube").trim();
      curRoot = c.getString("input.billing.cur").trim();
      focusRoot = c.getString("input.billing.focus").trim();
      preferredBilling = ConfigChecks.oneOf(c, "input.billing.prefer", BillingSource.class);
      billingCurrency = ConfigChecks.nonBlank(c, "input.billing.currency");
      lakeRoot = ConfigChecks.nonBlank(c, "lake.root");
      database = ConfigChecks.nonBlank(c, "catalog.database");
      String metastore = c.getString("catalog.metastore");
      if (!metastore.equals("embedded") && !metastore.equals("external")) {
        throw new ConfigException(
            "catalog.metastore: expected embedded or external, got '" + metastore + "'");
      }
      embeddedMetastore = metastore.equals("embedded");
      sparkMaster = ConfigChecks.nonBlank(c, "spark.master");
      shufflePartitions = ConfigChecks.positiveInt(c, "spark.shuffle_partitions");
      codegenMinInputMib = ConfigChecks.nonNegative(c, "spark.codegen_min_input_mib");
      sparkSettings = flatStrings(c.getObject("spark.settings"));
      s3 =
          new S3Settings(
              c.getString("s3.endpoint"),
              c.getString("s3.region"),
              c.getBoolean("s3.path_style_access"),
              c.getString("s3.access_key"),
              c.getString("s3.secret_key"));
      maxSampleGapSeconds = ConfigChecks.positiveInt(c, "telemetry.max_sample_gap_seconds");
      idleActivityThreshold = ConfigChecks.ratio(c, "idle.activity_threshold");
      memoryHeldThreshold = ConfigChecks.ratio(c, "idle.memory_held_threshold");
      gpuShare = GpuSharePolicy.parse(c.getString("cost.gpu_share"));
      maxQuarantineShare = ConfigChecks.ratio(c, "quality.max_quarantine_share");
      maxReconciliationDelta = c.getDouble("quality.max_reconciliation_delta");
      lookbackDays = ConfigChecks.nonNegativeInt(c, "nightly.lookback_days");
      runLockTimeout =
          Duration.ofMinutes(ConfigChecks.positiveInt(c, "nightly.lock_timeout_minutes"));
      classifier = WorkloadClassifier.from(c.getConfig("classify"));
      chargebackLabels =
          ChargebackLabels.of("attribution.labels", stringList(c, "attribution.labels"));
      shareUnallocated = ConfigChecks.oneOf(c, "attribution.share_unallocated", WasteSharing.class);
    } catch (com.typesafe.config.ConfigException e) {
      throw new ConfigException("config: " + e.getMessage(), e);
    }
  }

  static LedgerConfig from(Config effective, Path confDir) {
    return new LedgerConfig(effective, confDir);
  }

  /** The underlying tree, for stage-specific sections read by their own typed settings classes. */
  public Config raw() {
    return raw;
  }

  /** A file from the conf folder (catalogs), by the name a config key gives. */
  public ConfResource confResource(String key) {
    return new ConfResource(confDir, raw.getString(key));
  }

  /** The effective settings as sorted lines, secrets masked: what `--dry-run` and logs may show. */
  public List<String> describe() {
    TreeMap<String, String> lines = new TreeMap<>();
    for (Map.Entry<String, ConfigValue> e : raw.entrySet()) {
      String value = String.valueOf(e.getValue().unwrapped());
      lines.put(e.getKey(), isSecret(e.getKey()) && !value.isEmpty() ? "***" : value);
    }
    return lines.entrySet().stream().map(x -> x.getKey() + " = " + x.getValue()).toList();
  }

  /**
   * A key whose value is a credential. {@code *_env} and {@code *_file} keys only say where a credential is (the name
   * of a variable, a path), so they are shown: a user checking a deployment needs to see them.
   */
  static boolean isSecret(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    if (k.endsWith("_env") || k.endsWith("_file")) {
      return false;
    }
    return SECRET_KEYS.contains(key)
        || k.contains("token")
        || k.contains("secret")
        || k.contains("password");
  }

  /** A list key; a --set value is a string, so "team,cost-center" (brackets and quotes optional) is a list too. */
  private static List<String> stringList(Config c, String key) {
    if (c.getValue(key).valueType() != ConfigValueType.STRING) {
      return c.getStringList(key);
    }
    String v = c.getString(key).trim().replaceAll("^\\[|\\]$", "");
    return Arrays.stream(v.split(","))
        .map(x -> x.trim().replaceAll("^\"|\"$", ""))
        .filter(x -> !x.isEmpty())
        .toList();
  }

  private static Map<String, String> flatStrings(ConfigObject object) {
    Map<String, String> out = new LinkedHashMap<>();
    // Quoted ("spark.executor.memory") and nested (spark { executor.memory }) spellings both mean
    // the dotted key.
    object
        .toConfig()
        .entrySet()
        .forEach(
            e ->
                out.put(
                    String.join(".", ConfigUtil.splitPath(e.getKey())),
                    String.valueOf(e.getValue().unwrapped())));
    return out;
  }
}
