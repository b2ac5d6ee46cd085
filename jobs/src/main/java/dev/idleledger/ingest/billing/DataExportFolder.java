package dev.idleledger.ingest.billing;

import dev.idleledger.RunFailedException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * An export folder as AWS Data Exports delivers it: {@code data/BILLING_PERIOD=YYYY-MM/…} beside
 * {@code metadata/BILLING_PERIOD=YYYY-MM/<export>-Manifest.json}. Each delivery restates the whole period, so only
 * the files of the latest one may be read: with "overwrite" delivery a shorter redelivery leaves the older
 * delivery's extra chunks in place, and with "create new" delivery every delivery keeps its own
 * {@code <executionId>/} folder. Summing every file under the period would count the bill twice; the manifest
 * names exactly the latest delivery's files. A period without a manifest is read whole (a hand-made copy).
 */
final class DataExportFolder {
  static final String DATA = "data";
  static final String METADATA = "metadata";
  private static final String MANIFEST_SUFFIX = "-manifest.json";

  private DataExportFolder() {}

  /** True when {@code root} is an export folder (it has {@code data/} and {@code metadata/}) rather than a folder of periods. */
  static boolean isExportFolder(FileSystem fs, Path root) throws IOException {
    return isDirectory(fs, new Path(root, DATA)) && isDirectory(fs, new Path(root, METADATA));
  }

  /**
   * The data files of the given billing periods ({@code BILLING_PERIOD=YYYY-MM}), sorted: the files the period's
   * manifest lists, resolved inside {@code root}; every data file of the period when it has no manifest.
   */
  static List<String> files(
      FileSystem fs,
      Path root,
      Collection<String> periods,
      Predicate<String> isDataFile,
      String source)
      throws IOException {
    List<String> files = new ArrayList<>();
    for (String period : periods) {
      Optional<Path> manifestPath = manifestOf(fs, new Path(new Path(root, METADATA), period));
      if (manifestPath.isPresent()) {
        DataExportManifest manifest;
        try (InputStream in = fs.open(manifestPath.get())) {
          manifest = DataExportManifest.parse(manifestPath.get().toString(), in);
        }
        String exportName = exportName(manifestPath.get());
        for (String listed : manifest.dataFiles()) {
          Path file = resolve(root, exportName, listed, manifest);
          if (!fs.exists(file)) {
            throw new RunFailedException(
                source
                    + ": manifest "
                    + manifest.path()
                    + " lists "
                    + listed
                    + ", which is missing (looked for "
                    + file
                    + ")");
          }
          files.add(file.toString());
        }
      } else {
        Path data = new Path(new Path(root, DATA), period);
        if (fs.exists(data)) {
          RemoteIterator<LocatedFileStatus> it = fs.listFiles(data, true);
          while (it.hasNext()) {
            Path f = it.next().getPath();
            if (isDataFile.test(f.getName())) {
              files.add(f.toString());
            }
          }
        }
      }
    }
    files.sort(String::compareTo);
    return files;
  }

  /**
   * The period's manifest: {@code <export>-Manifest.json} directly in its metadata folder (AWS rewrites that one file
   * on every delivery); where a copy holds several, or only ones in sub-folders, the most recently written.
   */
  static Optional<Path> manifestOf(FileSystem fs, Path periodMetadata) throws IOException {
    if (!fs.exists(periodMetadata)) {
      return Optional.empty();
    }
    List<FileStatus> direct = new ArrayList<>();
    List<FileStatus> all = new ArrayList<>();
    RemoteIterator<LocatedFileStatus> it = fs.listFiles(periodMetadata, true);
    while (it.hasNext()) {
      LocatedFileStatus f = it.next();
      if (f.getPath().getName().toLowerCase(Locale.ROOT).endsWith(MANIFEST_SUFFIX)) {
        all.add(f);
        if (f.getPath().getParent().getName().equals(periodMetadata.getName())) {
          direct.add(f);
        }
      }
    }
    List<FileStatus> candidates = direct.isEmpty() ? all : direct;
    return candidates.stream()
        .max(
            Comparator.comparingLong(FileStatus::getModificationTime)
                .thenComparing(f -> f.getPath().toString()))
        .map(FileStatus::getPath);
  }

  /**
   * Where a listed file is inside this copy of the export: the part of its URI after {@code <export>/} (or, failing
   * that, from its last {@code data/} folder on), under {@code root}. So a manifest naming
   * {@code s3://payer-bucket/cur/gpu-cur2/data/BILLING_PERIOD=2026-11/x.parquet} is read from the mirrored bucket or
   * the local copy it was found in.
   */
  static Path resolve(Path root, String exportName, String listed, DataExportManifest manifest) {
    String uri = listed.replace('\\', '/');
    String exportDir = "/" + exportName + "/" + DATA + "/";
    int at = uri.lastIndexOf(exportDir);
    String relative;
    if (!exportName.isEmpty() && at >= 0) {
      relative = uri.substring(at + exportName.length() + 2);
    } else if (uri.startsWith(DATA + "/")) {
      relative = uri;
    } else if (uri.lastIndexOf("/" + DATA + "/") >= 0) {
      relative = uri.substring(uri.lastIndexOf("/" + DATA + "/") + 1);
    } else {
      throw new RunFailedException(
          "manifest "
              + manifest.path()
              + " lists "
              + listed
              + ", which is not under a data/ folder of the export");
    }
    return new Path(root, relative);
  }

  /** The export's name, as AWS puts it in front of the manifest's file name. */
  static String exportName(Path manifest) {
    String name = manifest.getName();
    return name.substring(0, name.length() - MANIFEST_SUFFIX.length());
  }

  private static boolean isDirectory(FileSystem fs, Path p) throws IOException {
    return fs.exists(p) && fs.getFileStatus(p).isDirectory();
  }
}
