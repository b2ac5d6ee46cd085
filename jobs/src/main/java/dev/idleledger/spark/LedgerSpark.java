package dev.idleledger.spark;

import dev.idleledger.Progress;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.spark.localfs.ShellFreeLocalFileSystem;
import dev.idleledger.spark.localfs.ShellFreeLocalFs;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerApplicationEnd;
import org.apache.spark.sql.SparkSession;

/**
 * Builds the SparkSession every command runs in: Delta Lake, and a catalog that lives with the lake
 * ({@link LakeCatalog}: its tables are found under {@code lake.root}, so a table made by one process is visible to
 * the next, on any machine, while another process writes) unless
 * {@code catalog.metastore = external}. Cluster settings (master, S3A, external metastore) come from config only.
 */
public final class LedgerSpark {
  private LedgerSpark() {}

  public static SparkSession create(LedgerConfig config, String appName) {
    SparkSession.Builder b = SparkSession.builder().appName(appName);
    // Under spark-submit the cluster's --master is already set and wins; spark.master in config is
    // for everything else.
    if (System.getProperty("spark.master") == null) {
      b.master(config.sparkMaster);
    }
    applyTo(config, b::config);
    if (!config.embeddedMetastore) {
      b.enableHiveSupport();
    }
    SparkSession spark = b.getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    if (config.embeddedMetastore) {
      LakeCatalog.register(spark, lakeUri(config), config.database);
    }
    if (!spark.sparkContext().isLocal()) {
      useReliableCheckpoints(spark, lakeUri(config));
    }
    return spark;
  }

  /**
   * On a cluster, {@link StageFrames#keep} checkpoints into {@code <lake>/_checkpoints/<application id>}, where
   * every executor and a restarted task can read it; the folder goes when the application ends.
   */
  private static void useReliableCheckpoints(SparkSession spark, String lakeUri) {
    String dir = lakeUri + "/_checkpoints/" + spark.sparkContext().applicationId();
    spark.sparkContext().setCheckpointDir(dir);
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    spark
        .sparkContext()
        .addSparkListener(
            new SparkListener() {
              @Override
              public void onApplicationEnd(SparkListenerApplicationEnd end) {
                try {
                  // Hadoop's Path (a lake may be s3a://); java.nio.file.Path is this class's local
                  // one.
                  org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(dir);
                  path.getFileSystem(hadoop).delete(path, true);
                } catch (IOException e) {
                  Progress.warning(
                      "could not remove the checkpoints under %s: %s", dir, e.getMessage());
                }
              }
            });
  }

  /** lake.root as a URI without a trailing slash (a local folder made absolute). */
  static String lakeUri(LedgerConfig config) {
    String lake = stripTrailingSlash(config.lakeRoot);
    return isLocal(lake)
        ? stripTrailingSlash(Path.of(lake).toAbsolutePath().normalize().toUri().toString())
        : lake;
  }

  /** Every setting the ledger needs, handed to {@code sink} as key/value pairs (also used for spark-submit docs and tests). */
  public static void applyTo(LedgerConfig config, SettingSink sink) {
    String lake = stripTrailingSlash(config.lakeRoot);
    boolean localLake = isLocal(lake);
    String lakeUri =
        localLake ? Path.of(lake).toAbsolutePath().normalize().toUri().toString() : lake;

    sink.set("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension");
    sink.set("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog");
    sink.set("spark.sql.warehouse.dir", stripTrailingSlash(lakeUri) + "/warehouse");
    sink.set("spark.sql.shuffle.partitions", String.valueOf(config.shufflePartitions));
    sink.set("spark.sql.session.timeZone", "UTC");
    boolean localMaster = effectiveMaster(config).startsWith("local");
    if (localMaster) {
      // On one machine nobody watches the UI; on a cluster Spark's default (on) stands, so the UI
      // and the history server show each stage's job description. Either way
      // spark.settings."spark.ui.enabled" decides last.
      sink.set("spark.ui.enabled", "false");
      // file: paths through java.nio rather than a chmod or readlink process per file and rename
      // (ShellFreeRawLocalFileSystem). Only where this JVM is the one executor: a cluster's workers
      // load file systems before this application's jar reaches them.
      sink.set("spark.hadoop.fs.file.impl", ShellFreeLocalFileSystem.class.getName());
      sink.set("spark.hadoop.fs.AbstractFileSystem.file.impl", ShellFreeLocalFs.class.getName());
    } else if (System.getProperty("spark.master") == null) {
      shipToExecutors(sink);
    }
    // Spark keeps 1,000 old query plans and re-renders each adaptive plan as text: a long-lived
    // session (a backfill, the test JVM) runs out of heap on plan strings alone.
    sink.set("spark.sql.ui.retainedExecutions", "20");
    sink.set("spark.sql.maxPlanStringLength", "200000");
    // That text is rendered on the driver for every action and every adaptive re-plan, before the
    // first task runs. Spark's default "formatted" mode numbers each operator and lists it twice; a
    // few hundred small queries a night spend seconds on it. The plain tree says the same.
    sink.set("spark.sql.ui.explainMode", "simple");
    sink.set("spark.sql.sources.partitionOverwriteMode", "static");
    // Delta's retention check would refuse nothing we do; its auto-compaction stays off to keep
    // nights predictable.
    sink.set("spark.databricks.delta.schema.autoMerge.enabled", "false");
    // Delta replays a table's log into 50 partitions by default, so every snapshot (each read,
    // write and catalog lookup of a table) runs 50 tasks of almost nothing. One table of the lake
    // holds a few files per day; 4 keeps the replay parallel on a cluster without paying 50 task
    // launches a snapshot on 2 cores. In local mode the one executor is this JVM on a few cores: 1
    // replays the log in one task (a table's log after a checkpoint is one parquet file and at most
    // 10 commits), which cut a tiny night's tasks from 797 to 491 at the same jobs (BENCHMARKS.md,
    // issue #20 "Second cuts").
    sink.set("spark.databricks.delta.snapshotPartitions", localMaster ? "1" : "4");
    // Delta 3.3 copies a small table's whole file list into each commit's checksum, which this
    // release never reads back (a snapshot lists its files by replaying the log either way), and to
    // start the list it collects the previous version's files: a Spark job in every table's
    // creation. Where the JVM's time zone is not UTC it even replays the log after every commit to
    // verify the copy. The checksum's counts (files, bytes, the metadata) stay.
    sink.set("spark.databricks.delta.allFilesInCrc.enabled", "false");
    // Delta's VACUUM lists a table's folders, and compares them with its log, in exactly this many
    // tasks. Spark's default (10,000) is meant for listing many thousands of partition folders; on
    // this lake, a few files per table and date, it made each table's VACUUM a 10,000-task stage,
    // minutes of task launches for nothing on 2 cores. As many tasks as a shuffle has is plenty.
    sink.set(
        "spark.sql.sources.parallelPartitionDiscovery.parallelism",
        String.valueOf(config.shufflePartitions));
    // embedded: the lake's folders are the catalog (LakeCatalog), nothing machine-local. external:
    // the Hive metastore or Glue that hive-site.xml / spark.settings name.
    sink.set("spark.sql.catalogImplementation", config.embeddedMetastore ? "in-memory" : "hive");
    if (localLake) {
      sink.set(
          "spark.local.dir",
          Path.of(lake).toAbsolutePath().normalize().resolve("spark-scratch").toString());
    }
    applyS3(config.s3, sink);
    for (Map.Entry<String, String> e : config.sparkSettings.entrySet()) {
      sink.set(e.getKey(), e.getValue());
    }
  }

  /** The master the session will run on: spark-submit's --master when launched by it, else config's spark.master. */
  static String effectiveMaster(LedgerConfig config) {
    String submitted = System.getProperty("spark.master");
    return submitted != null ? submitted : config.sparkMaster;
  }

  /**
   * A driver started by bin/idle-ledger (not spark-submit) against a cluster master: the executors need this
   * application's jar, which spark-submit would have shipped, and the JDK 17 openings this JVM was started with.
   */
  private static void shipToExecutors(SettingSink sink) {
    try {
      Path codeSource =
          Path.of(LedgerSpark.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (codeSource.toString().endsWith(".jar")) {
        sink.set("spark.jars", codeSource.toString());
      }
    } catch (URISyntaxException | SecurityException | NullPointerException e) {
      // No code source to ship: classes on the workers' own classpath must do.
    }
    String opens =
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
            .filter(a -> a.startsWith("--add-opens") || a.startsWith("-Djdk.reflect"))
            .collect(Collectors.joining(" "));
    if (!opens.isEmpty()) {
      sink.set("spark.executor.extraJavaOptions", opens);
    }
  }

  private static void applyS3(LedgerConfig.S3Settings s3, SettingSink sink) {
    if (!s3.endpoint().isBlank()) {
      sink.set("spark.hadoop.fs.s3a.endpoint", s3.endpoint());
      sink.set("spark.hadoop.fs.s3a.endpoint.region", s3.region());
      if (s3.endpoint().startsWith("http://")) {
        sink.set("spark.hadoop.fs.s3a.connection.ssl.enabled", "false");
      }
      // S3-compatible servers seldom return the ETags/version ids S3A checks on re-open.
      sink.set("spark.hadoop.fs.s3a.change.detection.mode", "none");
    }
    sink.set("spark.hadoop.fs.s3a.path.style.access", String.valueOf(s3.pathStyleAccess()));
    if (!s3.accessKey().isBlank()) {
      sink.set(
          "spark.hadoop.fs.s3a.aws.credentials.provider",
          "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
      sink.set("spark.hadoop.fs.s3a.access.key", s3.accessKey());
      sink.set("spark.hadoop.fs.s3a.secret.key", s3.secretKey());
    }
    // Delta needs a LogStore that is safe for S3's semantics with a single writer per table.
    sink.set("spark.delta.logStore.s3a.impl", "io.delta.storage.S3SingleDriverLogStore");
  }

  public static boolean isLocal(String path) {
    if (path.startsWith("/") || path.startsWith(".") || !path.contains(":")) {
      return true;
    }
    return "file".equals(URI.create(path).getScheme());
  }

  private static String stripTrailingSlash(String s) {
    return s.endsWith("/") && s.length() > 1 ? s.substring(0, s.length() - 1) : s;
  }

  @FunctionalInterface
  public interface SettingSink {
    void set(String key, String value);
  }
}
