package dev.idleledger.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
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
  public final String lakeRoot;
  public final String database;
  public final boolean embeddedMetastore;
  public final String sparkMaster;
  public final int shufflePartitions;
  public final Map<String, String> sparkSettings;
  public final S3Settings s3;
  public final int maxSampleGapSeconds;
  public final double idleActivityThreshold;
  public final double memoryHeldThreshold;
  public final GpuSharePolicy gpuShare;
  public final double maxQuarantineShare;
  public final double maxReconciliationDelta;
  public final int lookbackDays;
  public final WorkloadClassifier classifier;
  public final ChargebackLabels chargebackLabels;
  public final WasteSharing shareUnallocated;

  public enum BillingSource { CUR, FOCUS }

  /**
   * {@code attribution.share_unallocated}: whether a cluster-day's unallocated and unobserved GPU cost stays its own
   * line (NONE) or is shared over the teams that used the cluster that day, in proportion to their allocated cost (CLUSTER).
   */
  public enum WasteSharing { NONE, CLUSTER }

  /** Where and how to reach S3 (or an S3 API server); the keys are secrets. */
  public record S3Settings(String endpoint, String region, boolean pathStyleAccess, String accessKey, String secretKey) {
    @Override
    public String toString() {
      return "S3Settings[endpoint=" + endpoint + ", region=" + region + ", pathStyleAccess=" + pathStyleAccess
          + ", accessKey=" + (accessKey.isEmpty() ? "" : "***") + ", secretKey=" + (secretKey.isEmpty() ? "" : "***") + "]";
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
      preferredBilling = parseEnum(c, "input.billing.prefer", BillingSource.class);
      lakeRoot = requireNonBlank(c, "lake.root");
      database = requireNonBlank(c, "catalog.database");
      String metastore = c.getString("catalog.metastore");
      if (!metastore.equals("embedded") && !metastore.equals("external")) {
        throw new ConfigException("catalog.metastore: expected embedded or external, got '" + metastore + "'");
      }
      embeddedMetastore = metastore.equals("embedded");
      sparkMaster = requireNonBlank(c, "spark.master");
      shufflePartitions = positiveInt(c, "spark.shuffle_partitions");
      sparkSettings = flatStrings(c.getObject("spark.settings"));
      s3 = new S3Settings(
          c.getString("s3.endpoint"), c.getString("s3.region"), c.getBoolean("s3.path_style_access"),
          c.getString("s3.access_key"), c.getString("s3.secret_key"));
      maxSampleGapSeconds = positiveInt(c, "telemetry.max_sample_gap_seconds");
      idleActivityThreshold = ratio(c, "idle.activity_threshold");
      memoryHeldThreshold = ratio(c, "idle.memory_held_threshold");
      gpuShare = GpuSharePolicy.parse(c.getString("cost.gpu_share"));
      maxQuarantineShare = ratio(c, "quality.max_quarantine_share");
      maxReconciliationDelta = c.getDouble("quality.max_reconciliation_delta");
      lookbackDays = nonNegativeInt(c, "nightly.lookback_days");
      classifier = WorkloadClassifier.from(c.getConfig("classify"));
      chargebackLabels = ChargebackLabels.of("attribution.labels", stringList(c, "attribution.labels"));
      shareUnallocated = parseEnum(c, "attribution.share_unallocated", WasteSharing.class);
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
      boolean secret = SECRET_KEYS.contains(e.getKey()) || e.getKey().toLowerCase().contains("token")
          || e.getKey().toLowerCase().contains("secret") || e.getKey().toLowerCase().contains("password");
      lines.put(e.getKey(), secret && !value.isEmpty() ? "***" : value);
    }
    return lines.entrySet().stream().map(x -> x.getKey() + " = " + x.getValue()).toList();
  }

  private static String requireNonBlank(Config c, String key) {
    String v = c.getString(key).trim();
    if (v.isEmpty()) {
      throw new ConfigException(key + ": must not be empty");
    }
    return v;
  }

  /** A list key; a --set value is a string, so "team,cost-center" (brackets and quotes optional) is a list too. */
  private static List<String> stringList(Config c, String key) {
    if (c.getValue(key).valueType() != com.typesafe.config.ConfigValueType.STRING) {
      return c.getStringList(key);
    }
    String v = c.getString(key).trim().replaceAll("^\\[|\\]$", "");
    return java.util.Arrays.stream(v.split(",")).map(x -> x.trim().replaceAll("^\"|\"$", "")).filter(x -> !x.isEmpty()).toList();
  }

  private static int positiveInt(Config c, String key) {
    int v = c.getInt(key);
    if (v <= 0) {
      throw new ConfigException(key + ": must be > 0, got " + v);
    }
    return v;
  }

  private static int nonNegativeInt(Config c, String key) {
    int v = c.getInt(key);
    if (v < 0) {
      throw new ConfigException(key + ": must be >= 0, got " + v);
    }
    return v;
  }

  private static double ratio(Config c, String key) {
    double v = c.getDouble(key);
    if (!(v >= 0 && v <= 1)) {
      throw new ConfigException(key + ": must be between 0 and 1, got " + v);
    }
    return v;
  }

  private static <E extends Enum<E>> E parseEnum(Config c, String key, Class<E> type) {
    String v = c.getString(key).trim();
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(v)) {
        return e;
      }
    }
    throw new ConfigException(key + ": unknown value '" + v + "', expected one of "
        + java.util.Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(java.util.Locale.ROOT)).toList());
  }

  private static Map<String, String> flatStrings(ConfigObject object) {
    Map<String, String> out = new LinkedHashMap<>();
    // Quoted ("spark.executor.memory") and nested (spark { executor.memory }) spellings both mean the dotted key.
    object.toConfig().entrySet().forEach(e ->
        out.put(String.join(".", com.typesafe.config.ConfigUtil.splitPath(e.getKey())), String.valueOf(e.getValue().unwrapped())));
    return out;
  }
}
