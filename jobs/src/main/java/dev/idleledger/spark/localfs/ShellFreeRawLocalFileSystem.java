package dev.idleledger.spark.localfs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's local file system, minus the shell: without Hadoop's native library (which no Maven artifact carries)
 * Hadoop 3.3 runs {@code chmod} for every file and folder it creates with a permission, and {@code readlink} for
 * every status a rename asks for. Delta commits through renames, so one commit on a local lake forked some twenty
 * processes, about 10 ms each: 706 of them, some 7 s, in a tiny night (BENCHMARKS.md, issue #20). The JDK answers
 * both questions itself. Anything this class cannot express (a sticky bit, a file system without POSIX
 * permissions, a symbolic link) goes to Hadoop's own code as before.
 */
public class ShellFreeRawLocalFileSystem extends RawLocalFileSystem {

  @Override
  public void setPermission(Path p, FsPermission permission) throws IOException {
    String rwx = permission.toString();
    if (permission.getStickyBit() || rwx.length() != 9) {
      super.setPermission(p, permission);
      return;
    }
    try {
      Files.setPosixFilePermissions(pathToFile(p).toPath(), PosixFilePermissions.fromString(rwx));
    } catch (UnsupportedOperationException notPosix) {
      super.setPermission(p, permission);
    }
  }

  /** A plain file's or folder's link status is its status; only a symbolic link needs Hadoop's link handling. */
  @Override
  public FileStatus getFileLinkStatus(Path f) throws IOException {
    if (Files.isSymbolicLink(pathToFile(f).toPath())) {
      return super.getFileLinkStatus(f);
    }
    return getFileStatus(f);
  }
}
