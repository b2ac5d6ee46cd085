package dev.idleledger.report;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes a report to any Hadoop path: a local file, or {@code s3a://bucket/reports/2026-11-30.html} when the nightly
 * runs on a cluster with no local disk anyone reads. Parent folders are created; an existing report is replaced.
 */
public final class ReportOutput {
  private ReportOutput() {}

  /**
   * @param conf the session's Hadoop configuration (it carries the s3a endpoint and credentials from conf)
   * @return the fully qualified path written
   */
  public static String write(String destination, String content, Configuration conf)
      throws IOException {
    Path path = new Path(destination);
    FileSystem fs = path.getFileSystem(conf);
    // Hadoop's checksummed local filesystem would leave a .report.html.crc beside the file; a
    // person opens this one.
    FileSystem target = fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
    Path qualified = target.makeQualified(path);
    try (OutputStream out = target.create(qualified, true)) {
      out.write(content.getBytes(StandardCharsets.UTF_8));
    }
    return qualified.toString();
  }
}
