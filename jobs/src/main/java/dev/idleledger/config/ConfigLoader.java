package dev.idleledger.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Builds the effective configuration. Precedence, lowest to highest:
 * <ol>
 *   <li>the defaults in {@code conf/application.conf} (the folder named by system property
 *       {@code idleledger.conf.dir}, else the copy packaged in the jar);
 *   <li>the file given with {@code --conf FILE};
 *   <li>each {@code --set key=value}, in order.
 * </ol>
 * Every key a user sets must exist in the defaults (below {@code spark.settings} and the free-form maps
 * anything goes), so a typo is an error that names the key rather than a silent default.
 */
public final class ConfigLoader {
  public static final String CONF_DIR_PROPERTY = "idleledger.conf.dir";

  /** Sections whose keys are free-form: user-chosen names, not settings of ours. */
  private static final List<String> OPEN_SECTIONS =
      List.of("spark.settings", "classify.namespace_teams", "tickets.routing");

  private ConfigLoader() {}

  public static LedgerConfig load(Path confFile, List<String> overrides) {
    Config defaults = defaults();
    Config layered = ConfigFactory.empty();
    if (confFile != null) {
      Config fromFile = parseFile(confFile);
      rejectUnknownKeys(fromFile, defaults, "in " + confFile);
      layered = fromFile;
    }
    for (String override : overrides) {
      Config one = parseOverride(override);
      // The key names the mistake; the value may be a credential, so no message repeats it.
      rejectUnknownKeys(one, defaults, "in --set " + keyOf(override) + "=…");
      layered = one.withFallback(layered);
    }
    Config effective;
    try {
      effective = layered.withFallback(defaults).resolve(ConfigResolveOptions.defaults());
    } catch (com.typesafe.config.ConfigException e) {
      throw new ConfigException("config: " + e.getMessage(), e);
    }
    return LedgerConfig.from(effective, confDirectory());
  }

  public static LedgerConfig defaultsOnly() {
    return load(null, List.of());
  }

  /** The folder holding application.conf and the catalogs, or null when they come from the jar. */
  static Path confDirectory() {
    String dir = System.getProperty(CONF_DIR_PROPERTY);
    return dir == null || dir.isBlank() ? null : Path.of(dir);
  }

  static Config defaults() {
    Path dir = confDirectory();
    if (dir != null) {
      return parseFile(dir.resolve("application.conf"));
    }
    try (InputStream in = ConfigLoader.class.getResourceAsStream("/conf/application.conf")) {
      if (in == null) {
        throw new ConfigException(
            "conf/application.conf: not packaged in the jar and -D"
                + CONF_DIR_PROPERTY
                + " not set");
      }
      return ConfigFactory.parseReader(
          new InputStreamReader(in, StandardCharsets.UTF_8),
          ConfigParseOptions.defaults()
              .setSyntax(ConfigSyntax.CONF)
              .setOriginDescription("conf/application.conf"));
    } catch (IOException e) {
      throw new ConfigException("conf/application.conf: " + e.getMessage(), e);
    }
  }

  private static Config parseFile(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException(file + ": config file not found");
    }
    try {
      return ConfigFactory.parseFile(
          file.toFile(),
          ConfigParseOptions.defaults().setAllowMissing(false).setSyntax(ConfigSyntax.CONF));
    } catch (com.typesafe.config.ConfigException e) {
      throw new ConfigException(file + ": malformed config: " + e.getMessage(), e);
    }
  }

  private static Config parseOverride(String override) {
    int eq = override.indexOf('=');
    if (eq <= 0) {
      throw new ConfigException("--set: expected key=value, got an argument without '='");
    }
    String key = override.substring(0, eq).trim();
    String value = override.substring(eq + 1);
    try {
      // The value stays a string; typed getters convert "8" or "0.5" on read and say which key when
      // they cannot.
      return ConfigFactory.empty()
          .withValue(key, ConfigValueFactory.fromAnyRef(value, "--set " + key));
    } catch (com.typesafe.config.ConfigException e) {
      throw new ConfigException("--set " + key + "=…: bad key: " + e.getMessage(), e);
    }
  }

  private static String keyOf(String override) {
    return override.substring(0, override.indexOf('=')).trim();
  }

  private static void rejectUnknownKeys(Config user, Config defaults, String where) {
    TreeSet<String> unknown = new TreeSet<>();
    for (Map.Entry<String, ?> entry : user.entrySet()) {
      String key = entry.getKey();
      if (isInOpenSection(key)) {
        continue;
      }
      if (!defaults.hasPathOrNull(key)) {
        unknown.add(key);
      }
    }
    if (!unknown.isEmpty()) {
      throw new ConfigException("unknown config key " + String.join(", ", unknown) + " " + where);
    }
  }

  private static boolean isInOpenSection(String key) {
    for (String section : OPEN_SECTIONS) {
      if (key.startsWith(section + ".")) {
        return true;
      }
    }
    return false;
  }
}
