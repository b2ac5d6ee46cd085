package dev.idleledger.spark;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * The catalog of {@code catalog.metastore = embedded}: the lake's own folders. Nothing is registered outside
 * the lake (no Derby database, which admits one process at a time, and nothing in a driver's temp folder that
 * a second machine would not see). Each session starts with an in-memory catalog and registers every Delta
 * table found under {@code <lake>/warehouse/<database>.db/} by its location; a table a run creates lands in
 * that folder, so the next session finds it. Delta keeps the table and column comments in its log, so
 * {@code DESCRIBE TABLE EXTENDED} shows them, and a reader sees a table's last committed version while a
 * night writes the next one.
 */
public final class LakeCatalog {
  private LakeCatalog() {}

  /** The folder that holds {@code database}'s tables (Spark's default location for it under the warehouse). */
  public static String databaseLocation(String lakeUri, String database) {
    return lakeUri + "/warehouse/" + database + ".db";
  }

  /** Creates the database in this session's catalog and registers each Delta table found in its folder. */
  public static void register(SparkSession spark, String lakeUri, String database) {
    String location = databaseLocation(lakeUri, database);
    spark.sql("CREATE DATABASE IF NOT EXISTS " + database + " LOCATION '" + location + "'");
    Path dir = new Path(location);
    try {
      FileSystem fs = dir.getFileSystem(spark.sparkContext().hadoopConfiguration());
      FileStatus[] children;
      try {
        children = fs.listStatus(dir);
      } catch (FileNotFoundException noTablesYet) {
        return;
      }
      for (FileStatus child : children) {
        String name = child.getPath().getName();
        if (child.isDirectory()
            && name.matches("[a-z0-9_]+")
            && fs.exists(new Path(child.getPath(), "_delta_log"))) {
          spark.sql(
              "CREATE TABLE IF NOT EXISTS "
                  + database
                  + "."
                  + name
                  + " USING DELTA LOCATION '"
                  + child.getPath()
                  + "'");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the lake's tables under " + location, e);
    }
  }
}
