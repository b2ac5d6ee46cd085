package dev.idleledger.nightly;

import dev.idleledger.config.LedgerConfig;
import dev.idleledger.ingest.billing.BillingIngest;
import dev.idleledger.ingest.kube.KubeStateIngest;
import dev.idleledger.ingest.series.ArchiveLayout;
import dev.idleledger.ingest.telemetry.TelemetryIngest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.EtagSource;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;

/**
 * Builds a date's current input manifest from the readers' own listings: the telemetry and kube files come from
 * {@link ArchiveLayout} (the day's folder and the next day's stragglers, as the series reader picks them), the billing
 * files from {@link BillingIngest#filesFor} (whatever the billing reader reads: folders or an export manifest). Files
 * are listed, never opened. The listing is taken before the date is read: a file that lands in between makes the
 * next run see a change and recompute, never the other way round.
 */
final class ManifestBuilder {
  private final LedgerConfig config;
  private final Configuration hadoopConf;
  private final BillingIngest billing;
  private final String settings;

  ManifestBuilder(LedgerConfig config, Configuration hadoopConf, BillingIngest billing) {
    this.config = config;
    this.hadoopConf = hadoopConf;
    this.billing = billing;
    this.settings = MoneySettings.fingerprint(config);
  }

  /** The manifest without the billing lines' fingerprint (which needs the bill read); see {@link #withBillingLines}. */
  InputManifest current(LocalDate date) {
    List<InputManifest.Entry> entries = new ArrayList<>();
    ArchiveLayout layout = new ArchiveLayout(hadoopConf);
    if (!config.telemetryRoot.isEmpty()) {
      layout
          .listedFilesFor(config.telemetryRoot, date)
          .forEach(f -> entries.add(entry(TelemetryIngest.SOURCE, f.status(), true)));
    }
    if (!config.kubeRoot.isEmpty()) {
      layout
          .listedFilesFor(config.kubeRoot, date)
          .forEach(f -> entries.add(entry(KubeStateIngest.SOURCE, f.status(), true)));
    }
    for (Map.Entry<String, List<String>> source : billing.filesFor(date).entrySet()) {
      for (String file : source.getValue()) {
        entries.add(entry(source.getKey(), status(file), false));
      }
    }
    entries.add(InputManifest.Entry.fingerprint(RunInputs.SETTINGS, settings));
    return new InputManifest(date, null, entries);
  }

  /** The manifest as recorded once the date is published: with the fingerprint of the billing lines it was priced from. */
  InputManifest withBillingLines(InputManifest manifest) {
    List<InputManifest.Entry> entries = new ArrayList<>(manifest.entries());
    entries.add(
        InputManifest.Entry.fingerprint(
            RunInputs.BILLING_LINES, billing.linesFingerprint(manifest.date())));
    return new InputManifest(manifest.date(), null, entries);
  }

  private static InputManifest.Entry entry(String input, FileStatus s, boolean compared) {
    String etag = s instanceof EtagSource e ? e.getEtag() : null;
    return InputManifest.Entry.file(
        input,
        s.getPath().toString(),
        s.getLen(),
        Instant.ofEpochMilli(s.getModificationTime()),
        etag,
        compared);
  }

  private FileStatus status(String file) {
    Path p = new Path(file);
    try {
      return p.getFileSystem(hadoopConf).getFileStatus(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stat " + file + ": " + e.getMessage(), e);
    }
  }
}
