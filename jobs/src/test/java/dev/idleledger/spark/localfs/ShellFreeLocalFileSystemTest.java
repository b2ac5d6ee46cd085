package dev.idleledger.spark.localfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CreateFlag;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local file systems without a shell keep Hadoop's answers: permissions set, a plain file's link status, a
 * symbolic link still seen as one, and the rename without overwrite Delta commits by.
 */
class ShellFreeLocalFileSystemTest {
  @TempDir java.nio.file.Path dir;

  private static Configuration conf() {
    Configuration conf = new Configuration(false);
    conf.set("fs.file.impl", ShellFreeLocalFileSystem.class.getName());
    conf.set("fs.AbstractFileSystem.file.impl", ShellFreeLocalFs.class.getName());
    conf.setBoolean("fs.file.impl.disable.cache", true);
    return conf;
  }

  private static String posix(java.nio.file.Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void theConfiguredClassesAreTheOnesHadoopHandsOut() throws IOException {
    Path root = new Path(dir.toUri());
    assertEquals(ShellFreeLocalFileSystem.class, root.getFileSystem(conf()).getClass());
    FileContext context = FileContext.getFileContext(root.toUri(), conf());
    assertEquals(ShellFreeLocalFs.class, context.getDefaultFileSystem().getClass());
  }

  @Test
  void aPermissionIsSetOnTheFileAndItsFolderAsHadoopWould() throws IOException {
    FileSystem fs = new Path(dir.toUri()).getFileSystem(conf());
    Path folder = new Path(dir.resolve("a/b").toUri());
    assertTrue(fs.mkdirs(folder, new FsPermission((short) 0750)));
    Path file = new Path(folder, "part-0.parquet");
    try (FSDataOutputStream out =
        fs.create(file, new FsPermission((short) 0640), false, 4096, (short) 1, 1 << 20, null)) {
      out.write(1);
    }
    assertEquals("rwxr-x---", posix(dir.resolve("a/b")));
    assertEquals("rw-r-----", posix(dir.resolve("a/b/part-0.parquet")));
    fs.setPermission(file, new FsPermission((short) 0604));
    assertEquals("rw----r--", posix(dir.resolve("a/b/part-0.parquet")));
    assertEquals(new FsPermission((short) 0604), fs.getFileStatus(file).getPermission());
  }

  @Test
  void aStickyFolderIsLeftToHadoopsOwnChmod() throws IOException {
    FileSystem fs = new Path(dir.toUri()).getFileSystem(conf());
    Path folder = new Path(dir.resolve("shared").toUri());
    assertTrue(fs.mkdirs(folder));
    fs.setPermission(folder, new FsPermission((short) 01777));
    FsPermission set = fs.getFileStatus(folder).getPermission();
    assertTrue(set.getStickyBit(), set.toString());
    assertEquals("rwxrwxrwx", posix(dir.resolve("shared")));
  }

  @Test
  void aPlainFilesLinkStatusIsItsStatusAndALinkIsAnsweredAsHadoopAnswersIt() throws IOException {
    java.nio.file.Path target = Files.writeString(dir.resolve("target.json"), "{}");
    java.nio.file.Path link = Files.createSymbolicLink(dir.resolve("link.json"), target);
    LocalFileSystem fs = (LocalFileSystem) new Path(dir.toUri()).getFileSystem(conf());
    Configuration stockConf = new Configuration(false);
    stockConf.setBoolean("fs.file.impl.disable.cache", true);
    LocalFileSystem stock = FileSystem.getLocal(stockConf);

    FileStatus plain = fs.getFileLinkStatus(new Path(target.toUri()));
    assertTrue(plain.isFile());
    assertFalse(plain.isSymlink());
    assertEquals(2, plain.getLen());
    assertEquals(stock.getFileLinkStatus(new Path(target.toUri())), plain);

    // The checksummed and the raw file system each, against Hadoop's own of the same kind.
    FileSystem[][] pairs = {{fs, stock}, {fs.getRawFileSystem(), stock.getRawFileSystem()}};
    for (FileSystem[] pair : pairs) {
      FileStatus ours = pair[0].getFileLinkStatus(new Path(link.toUri()));
      FileStatus hadoops = pair[1].getFileLinkStatus(new Path(link.toUri()));
      String kind = pair[0].getClass().getSimpleName();
      assertEquals(hadoops.isSymlink(), ours.isSymlink(), kind);
      assertEquals(hadoops.isFile(), ours.isFile(), kind);
      assertEquals(hadoops.getPath(), ours.getPath(), kind);
      if (hadoops.isSymlink()) {
        assertEquals(hadoops.getSymlink(), ours.getSymlink(), kind);
      }
    }
    assertThrows(
        java.io.FileNotFoundException.class,
        () -> fs.getFileLinkStatus(new Path(dir.resolve("missing.json").toUri())));
  }

  @Test
  void aRenameWithoutOverwriteRefusesAnExistingCommitAndMovesItsChecksum() throws Exception {
    FileContext context = FileContext.getFileContext(new Path(dir.toUri()).toUri(), conf());
    Path temp = new Path(dir.resolve(".00001.json.tmp").toUri());
    Path commit = new Path(dir.resolve("00001.json").toUri());
    writeTemp(context, temp, "first");
    context.rename(temp, commit, Options.Rename.NONE);
    writeTemp(context, temp, "second");
    assertThrows(
        FileAlreadyExistsException.class, () -> context.rename(temp, commit, Options.Rename.NONE));
    assertEquals("first", Files.readString(dir.resolve("00001.json")));
    assertTrue(Files.exists(dir.resolve(".00001.json.crc")), "the checksum moves with the file");
  }

  private static void writeTemp(FileContext context, Path temp, String body) throws IOException {
    try (FSDataOutputStream out =
        context.create(temp, EnumSet.of(CreateFlag.CREATE, CreateFlag.OVERWRITE))) {
      out.write(body.getBytes(StandardCharsets.UTF_8));
    }
  }
}
