package dev.idleledger.ingest.series;

import dev.idleledger.RunFailedException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * Finds the files of one UTC day under an archive root laid out as {@code <root>/dt=YYYY-MM-DD/[hour=HH/]}.
 * A sample belongs to the day of its timestamp, not of its folder, so day D also reads {@code dt=D+1} —
 * only its {@code hour=00/} where the archive has hour folders, since later hours cannot hold stragglers.
 * Listing runs on the driver: it touches folders and file names only, never file contents.
 */
public final class ArchiveLayout {
  private final Configuration hadoopConf;

  public ArchiveLayout(Configuration hadoopConf) {
    this.hadoopConf = hadoopConf;
  }

  /** A file of the day and what its listing said of it (size, modification time): the nightly's input manifest records both. */
  public record ListedFile(ArchiveFile file, FileStatus status) {}

  /** The sample files for {@code date}; an empty list when the day's folders are missing or empty. */
  public List<ArchiveFile> filesFor(String root, LocalDate date) {
    return listedFilesFor(root, date).stream().map(ListedFile::file).toList();
  }

  /** {@link #filesFor} with each file's status from the same listing, sorted by path. */
  public List<ListedFile> listedFilesFor(String root, LocalDate date) {
    Path rootPath = new Path(root);
    try {
      FileSystem fs = rootPath.getFileSystem(hadoopConf);
      if (!fs.exists(rootPath)) {
        throw new RunFailedException("input root does not exist: " + root);
      }
      List<ListedFile> files = new ArrayList<>();
      Path day = new Path(rootPath, "dt=" + date);
      collect(fs, day, false, files);
      Path next = new Path(rootPath, "dt=" + date.plusDays(1));
      if (fs.exists(next)) {
        boolean hourFolders = false;
        for (FileStatus s : fs.listStatus(next)) {
          hourFolders |= s.isDirectory() && s.getPath().getName().startsWith("hour=");
        }
        collect(fs, hourFolders ? new Path(next, "hour=00") : next, true, files);
      }
      files.sort(Comparator.comparing(f -> f.file().path()));
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root + ": " + e.getMessage(), e);
    }
  }

  private static void collect(FileSystem fs, Path dir, boolean nextDay, List<ListedFile> out)
      throws IOException {
    if (!fs.exists(dir)) {
      return;
    }
    RemoteIterator<LocatedFileStatus> it = fs.listFiles(dir, true);
    while (it.hasNext()) {
      LocatedFileStatus s = it.next();
      String name = s.getPath().getName();
      SeriesEncoding.of(name)
          .ifPresent(
              enc ->
                  out.add(
                      new ListedFile(new ArchiveFile(s.getPath().toString(), enc, nextDay), s)));
    }
  }
}
