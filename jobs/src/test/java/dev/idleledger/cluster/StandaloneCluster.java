package dev.idleledger.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Spark standalone cluster started with bin/spark-cluster (the script people use) on the platform classpath
 * only, so executors get this application's classes from the cluster jar spark-submit ships, as on a real cluster.
 */
public final class StandaloneCluster implements AutoCloseable {
  private final Path dir;
  private final String masterUrl;
  private final AtomicBoolean closed = new AtomicBoolean();

  private StandaloneCluster(Path dir, String masterUrl) {
    this.dir = dir;
    this.masterUrl = masterUrl;
  }

  public static StandaloneCluster up(int workers) {
    try {
      Path dir = Files.createTempDirectory("spark-cluster");
      Path classpath = dir.resolve("platform-classpath.txt");
      Files.writeString(classpath, ClusterJar.platformClasspath());
      ClusterJar.Result r =
          ClusterJar.run(
              List.of(script(), "up", "--workers", String.valueOf(workers)),
              env(dir, classpath),
              10);
      List<String> lines = r.stdout().lines().toList();
      if (r.exitCode() != 0
          || lines.isEmpty()
          || !lines.get(lines.size() - 1).startsWith("spark://127.0.0.1:")) {
        throw new IllegalStateException(
            "bin/spark-cluster up failed (" + r.exitCode() + "): " + r.stdout() + r.stderr());
      }
      StandaloneCluster cluster = new StandaloneCluster(dir, lines.get(lines.size() - 1));
      // The daemons outlive this JVM unless stopped: a test JVM that ends without its @AfterAll
      // (killed by a
      // timeout, interrupted) still takes them down.
      Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "spark-cluster down"));
      return cluster;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String masterUrl() {
    return masterUrl;
  }

  /** The port of the master's web UI, whose /json/ lists the workers and applications. */
  public int masterWebUiPort() {
    try {
      return Integer.parseInt(Files.readString(dir.resolve("master.webui")).trim());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** kill -9 of worker {@code n}'s process: its executor loses its worker and its blocks go with it. */
  public void killWorker(int n) {
    try {
      long pid = Long.parseLong(Files.readString(dir.resolve("worker-" + n + ".pid")).trim());
      ProcessHandle.of(pid)
          .orElseThrow(
              () -> new IllegalStateException("worker " + n + " (pid " + pid + ") is not running"))
          .destroyForcibly();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path logs() {
    return dir.resolve("logs");
  }

  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    ClusterJar.run(List.of(script(), "down"), env(dir, dir.resolve("platform-classpath.txt")), 2);
  }

  private static String script() {
    return ClusterJar.repoRoot().resolve("bin/spark-cluster").toString();
  }

  private static Map<String, String> env(Path dir, Path classpath) {
    return Map.of(
        "SPARK_CLUSTER_DIR",
        dir.toString(),
        "SPARK_CLUSTER_CLASSPATH",
        classpath.toString(),
        "SPARK_CLUSTER_WAIT_SECONDS",
        "300");
  }
}
