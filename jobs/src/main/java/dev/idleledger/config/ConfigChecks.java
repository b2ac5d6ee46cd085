package dev.idleledger.config;

import com.typesafe.config.Config;
import java.util.Arrays;
import java.util.Locale;

/**
 * The checks every settings class applies to its keys, in one place, so a malformed value reads the same
 * wherever it is: one line naming the full key, what it must be, and what it got. Keys are full paths from the
 * root of the configuration ({@code recommend.window_days}), so the message names what a user types in {@code --set}.
 */
public final class ConfigChecks {
  private ConfigChecks() {}

  public static String nonBlank(Config c, String key) {
    String v = c.getString(key).trim();
    if (v.isEmpty()) {
      throw new ConfigException(key + ": must not be empty");
    }
    return v;
  }

  public static int positiveInt(Config c, String key) {
    int v = c.getInt(key);
    if (v <= 0) {
      throw new ConfigException(key + ": must be > 0, got " + v);
    }
    return v;
  }

  public static int nonNegativeInt(Config c, String key) {
    int v = c.getInt(key);
    if (v < 0) {
      throw new ConfigException(key + ": must be >= 0, got " + v);
    }
    return v;
  }

  public static double nonNegative(Config c, String key) {
    double v = c.getDouble(key);
    if (!(v >= 0)) {
      throw new ConfigException(key + ": must be >= 0, got " + v);
    }
    return v;
  }

  /** A share in [0, 1]. */
  public static double ratio(Config c, String key) {
    double v = c.getDouble(key);
    if (!(v >= 0 && v <= 1)) {
      throw new ConfigException(key + ": must be between 0 and 1, got " + v);
    }
    return v;
  }

  /** A share in (0, 1]: for targets and margins where zero would divide by zero or mean nothing. */
  public static double positiveRatio(Config c, String key) {
    double v = c.getDouble(key);
    if (!(v > 0 && v <= 1)) {
      throw new ConfigException(key + ": must be in (0, 1], got " + v);
    }
    return v;
  }

  /** One of an enum's constants, spelled in any case. */
  public static <E extends Enum<E>> E oneOf(Config c, String key, Class<E> type) {
    String v = c.getString(key).trim();
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(v)) {
        return e;
      }
    }
    throw new ConfigException(
        key
            + ": unknown value '"
            + v
            + "', expected one of "
            + Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT))
                .toList());
  }
}
