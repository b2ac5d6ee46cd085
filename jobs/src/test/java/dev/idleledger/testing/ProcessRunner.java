package dev.idleledger.testing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the command line in a separate JVM, as bin/idle-ledger would, with the test classpath. */
public final class ProcessRunner {
  public record Result(int exitCode, String stdout, String stderr) {}

  private ProcessRunner() {}

  public static Result idleLedger(List<String> args) throws Exception {
    return idleLedger(args, java.util.Map.of(), List.of());
  }

  /** As {@link #idleLedger(List)}, with more environment variables and JVM options (e.g. a log4j configuration). */
  public static Result idleLedger(List<String> args, java.util.Map<String, String> env, List<String> jvmOptions) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("--add-opens") || a.startsWith("-Djdk.reflect")).toList());
    cmd.add("-Xmx1g");
    cmd.add("-D" + dev.idleledger.config.ConfigLoader.CONF_DIR_PROPERTY + "=" + System.getProperty(dev.idleledger.config.ConfigLoader.CONF_DIR_PROPERTY));
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("dev.idleledger.cli.IdleLedger");
    cmd.addAll(args);
    Path out = Files.createTempFile("idle-ledger-out", ".txt");
    Path err = Files.createTempFile("idle-ledger-err", ".txt");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException("idle-ledger " + args + " did not finish in 10 minutes");
    }
    Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    Files.deleteIfExists(out);
    Files.deleteIfExists(err);
    return r;
  }

}
