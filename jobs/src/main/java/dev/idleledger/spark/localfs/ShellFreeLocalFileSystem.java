package dev.idleledger.spark.localfs;

import org.apache.hadoop.fs.LocalFileSystem;

/**
 * {@code fs.file.impl}: Hadoop's checksummed local file system over {@link ShellFreeRawLocalFileSystem} — what
 * {@code FileSystem.get} hands Spark's and Delta's writers for a {@code file:} path.
 */
public class ShellFreeLocalFileSystem extends LocalFileSystem {
  public ShellFreeLocalFileSystem() {
    super(new ShellFreeRawLocalFileSystem());
  }
}
