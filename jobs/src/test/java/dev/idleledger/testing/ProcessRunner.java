package dev.idleledger.testing;

import dev.idleledger.config.ConfigLoader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the command line in a separate JVM, as bin/idle-ledger would, with the test classpath. */
public final class ProcessRunner {
  public record Result(int exitCode, String stdout, String stderr) {}

  private static final int PROCESS_TIMEOUT_MINUTES = 20;

  /** The compiler settings bin/idle-ledger gives a {@code sql} process: C1 alone ends a short query sooner. */
  private static final List<String> SQL_JIT =
      List.of("-XX:TieredStopAtLevel=1", "-XX:ReservedCodeCacheSize=240m");

  private ProcessRunner() {}

  public static Result idleLedger(List<String> args) throws Exception {
    return idleLedger(args, Map.of(), List.of());
  }

  /** As {@link #idleLedger(List)}, with more environment variables and JVM options (e.g. a log4j configuration). */
  public static Result idleLedger(
      List<String> args, Map<String, String> env, List<String> jvmOptions) throws Exception {
    Running p = start(args, env, jvmOptions);
    // A guard against a hung process, not a performance bound: the demo took over 10 minutes on a
    // slow day's 2-core machine shared with four test JVMs.
    if (!p.process().waitFor(PROCESS_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
      p.process().destroyForcibly();
      throw new IllegalStateException(
          "idle-ledger " + args + " did not finish in " + PROCESS_TIMEOUT_MINUTES + " minutes");
    }
    return p.finished();
  }

  /** A command line started in its own JVM, whose output goes to files until it ends (or is killed). */
  public record Running(Process process, Path out, Path err) {
    /** What the process printed so far (it may still be writing). */
    public String stderrSoFar() throws IOException {
      return Files.readString(err, StandardCharsets.UTF_8);
    }

    /** The result of a process that has ended; its output files are removed. */
    public Result finished() throws IOException {
      Result r =
          new Result(
              process.exitValue(),
              Files.readString(out, StandardCharsets.UTF_8),
              Files.readString(err, StandardCharsets.UTF_8));
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
      return r;
    }
  }

  /** Starts the command line and returns at once: for tests that kill a run part-way. */
  public static Running start(List<String> args) throws IOException {
    return start(args, Map.of(), List.of());
  }

  /** As {@link #start(List)}, with more environment variables and JVM options (e.g. a log4j configuration). */
  public static Running start(List<String> args, Map<String, String> env, List<String> jvmOptions)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
            .filter(a -> a.startsWith("--add-opens") || a.startsWith("-Djdk.reflect"))
            .toList());
    cmd.add("-Xmx1g");
    cmd.add(
        "-D"
            + ConfigLoader.CONF_DIR_PROPERTY
            + "="
            + System.getProperty(ConfigLoader.CONF_DIR_PROPERTY));
    if (!args.isEmpty() && args.get(0).equals("sql")) {
      cmd.addAll(SQL_JIT);
    }
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("dev.idleledger.cli.IdleLedger");
    cmd.addAll(args);
    Path out = Files.createTempFile("idle-ledger-out", ".txt");
    Path err = Files.createTempFile("idle-ledger-err", ".txt");
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    pb.environment().putAll(env);
    return new Running(pb.start(), out, err);
  }
}
