package dev.idleledger.nightly;

import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import dev.idleledger.config.LedgerConfig;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The configuration a date's published figures depend on, as one fingerprint: the input roots and the billing
 * preference ({@code input}), the sample gap ({@code telemetry}), the idle thresholds ({@code idle}), the share
 * policy and the contents of the instance catalog and MIG-profile files ({@code cost}), and the workload and team
 * rules ({@code classify}). Recommend and ticket settings are not in it: they never change a date's rows, and
 * recommend runs whenever a date is published. A release that changes the arithmetic itself is not seen here:
 * after such an upgrade run {@code backfill --force} over the dates to restate.
 */
final class MoneySettings {
  static final List<String> SECTIONS = List.of("input", "telemetry", "idle", "cost", "classify");
  static final List<String> FILES = List.of("cost.instance_catalog", "cost.mig_profiles");

  private MoneySettings() {}

  static String fingerprint(LedgerConfig config) {
    Map<String, String> lines = new TreeMap<>();
    for (String section : SECTIONS) {
      for (Map.Entry<String, ConfigValue> e : config.raw().getConfig(section).entrySet()) {
        lines.put(section + "." + e.getKey(), e.getValue().render(ConfigRenderOptions.concise()));
      }
    }
    for (String key : FILES) {
      lines.put(key + " contents", sha256(read(config, key)));
    }
    StringBuilder all = new StringBuilder();
    lines.forEach((k, v) -> all.append(k).append('=').append(v).append('\n'));
    return sha256(all.toString());
  }

  private static String read(LedgerConfig config, String key) {
    try (Reader in = config.confResource(key).open()) {
      StringWriter out = new StringWriter();
      in.transferTo(out);
      return out.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(
          key + ": cannot read " + config.confResource(key).describe() + ": " + e.getMessage(), e);
    }
  }

  static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
