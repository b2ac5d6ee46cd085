package dev.idleledger.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The artifacts {@code mvn -Pcluster package} builds, as the *IT tests (run after package) find them: the
 * cluster jar, and the classpath a Spark platform provides (Spark, Hadoop, Delta, hadoop-aws) that stands in
 * for the platform's own jars and {@code --packages}. Processes run with only those two, never the test classpath.
 */
public final class ClusterJar {
  public record Result(int exitCode, String stdout, String stderr) {}

  private ClusterJar() {}

  public static Path jar() {
    return existing("cluster.jar");
  }

  /**
   * The platform's jars, ':'-separated: target/platform-classpath.txt (Spark, Hadoop, Delta, hadoop-aws) and the
   * libraries Spark ships that the ledger also uses at other versions (target/platform-shared: commons-io,
   * commons-codec; see the pom), as a Spark distribution's jars/ folder has them.
   */
  public static String platformClasspath() {
    try (Stream<Path> shared = Files.list(existing("platform.shared.dir"))) {
      List<String> jars =
          new ArrayList<>(List.of(Files.readString(existing("platform.classpath")).trim()));
      shared
          .filter(j -> j.toString().endsWith(".jar"))
          .sorted()
          .forEach(j -> jars.add(j.toString()));
      return String.join(":", jars);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Path repoRoot() {
    return Path.of(System.getProperty("repo.root", "..")).toAbsolutePath().normalize();
  }

  /** The JDK 17 openings Spark needs, as this JVM got them from the build. */
  public static List<String> addOpens() {
    return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("--add-opens") || a.startsWith("-Djdk.reflect"))
        .toList();
  }

  public static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** {@code java <opens> -cp <cluster jar>:<platform> <mainClass> args}, as spark-submit's launcher JVM or a driver would start. */
  public static List<String> javaCommand(String mainClass, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(java());
    cmd.addAll(addOpens());
    cmd.add("-Xmx1g");
    cmd.add("-cp");
    cmd.add(jar() + ":" + platformClasspath());
    cmd.add(mainClass);
    cmd.addAll(args);
    return cmd;
  }

  /** Runs a command to its end (or kills it after {@code minutes}) and returns its exit code and output. */
  public static Result run(List<String> cmd, Map<String, String> env, int minutes) {
    try {
      Path out = Files.createTempFile("cluster-out", ".txt");
      Path err = Files.createTempFile("cluster-err", ".txt");
      ProcessBuilder pb =
          new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
      pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
      pb.environment().putAll(env);
      Process p = pb.start();
      // A child outlives this JVM: if the test JVM is stopped mid-run (a timeout), the child goes
      // with it.
      Thread reaper = new Thread(p::destroyForcibly, "stop " + cmd.get(0));
      try {
        Runtime.getRuntime().addShutdownHook(reaper);
      } catch (IllegalStateException shuttingDown) {
        // run from a shutdown hook itself (bin/spark-cluster down): the JVM waits for it anyway
      }
      try {
        if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
          p.destroyForcibly();
          throw new IllegalStateException(
              cmd.get(cmd.size() - 1)
                  + " did not finish in "
                  + minutes
                  + " minutes: "
                  + Files.readString(err, StandardCharsets.UTF_8));
        }
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException shuttingDown) {
          // the hook is running or about to: nothing to undo
        }
      }
      Result r =
          new Result(
              p.exitValue(),
              Files.readString(out, StandardCharsets.UTF_8),
              Files.readString(err, StandardCharsets.UTF_8));
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Path existing(String property) {
    String value = System.getProperty(property);
    if (value == null || !Files.exists(Path.of(value))) {
      throw new IllegalStateException(
          "-D"
              + property
              + "="
              + value
              + " does not exist: run mvn -Pcluster verify (the *IT tests need the packaged jar)");
    }
    return Path.of(value);
  }
}
