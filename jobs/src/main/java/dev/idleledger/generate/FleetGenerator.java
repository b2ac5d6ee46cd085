package dev.idleledger.generate;

import dev.idleledger.config.ConfigLoader;
import dev.idleledger.config.InstanceCatalog;
import dev.idleledger.generate.BillingWriter.InstanceHourBill;
import dev.idleledger.generate.FleetPlan.Node;
import dev.idleledger.generate.FleetPlan.Pod;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Writes a synthetic fleet's raw inputs (CONTRACTS.md §1) and the ground truth under one folder:
 * {@code telemetry/dt=…/}, {@code kube/dt=…/}, {@code billing/cur/BILLING_PERIOD=…/}, {@code billing/focus/}, {@code truth/}.
 * Node-days are independent and written in parallel, each streamed to its own file.
 */
public final class FleetGenerator {
  /** What was written: file count, samples (telemetry + kube rows) and the fleet's size. */
  public record Summary(
      int files,
      long samples,
      long telemetrySamples,
      long kubeSamples,
      int nodes,
      int gpus,
      int gpuUnits) {}

  private FleetGenerator() {}

  public static Summary generate(FleetSpec spec, Path out) throws IOException {
    return generate(spec, out, InstanceCatalog.load(ConfigLoader.defaultsOnly()));
  }

  public static Summary generate(FleetSpec spec, Path out, InstanceCatalog catalog)
      throws IOException {
    for (String part : List.of("telemetry", "kube", "billing", "truth")) {
      Path p = out.resolve(part);
      if (Files.isDirectory(p)) {
        try (Stream<Path> s = Files.list(p)) {
          if (s.findAny().isPresent()) {
            throw new IllegalArgumentException(
                p + " already holds files: generate into an empty --out folder");
          }
        }
      }
    }
    FleetPlan plan = new FleetPlan(spec, catalog);
    BillingWriter billing = new BillingWriter(plan);
    List<InstanceHourBill> bills = billing.bills();
    List<Path> files = new ArrayList<>(billing.write(out.resolve("billing"), bills));
    GroundTruth truth = new GroundTruth(plan, bills, catalog);

    int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    ExecutorService pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "fleet-generator");
              t.setDaemon(true);
              return t;
            });
    long telemetryRows = 0;
    long kubeRows = 0;
    try {
      for (int d = 0; d < spec.days(); d++) {
        LocalDate day = spec.start().plusDays(d);
        List<Pod> pods = plan.pods(day);
        List<Future<TelemetryDayWriter.Result>> nodeDays = new ArrayList<>();
        for (Node node : plan.nodes()) {
          ExpectedRecommendations.NodeDay heldSamples = truth.recommendations().nodeDay(node, day);
          nodeDays.add(
              pool.submit(
                  () ->
                      new TelemetryDayWriter(plan, node, day, pods, heldSamples)
                          .write(out.resolve("telemetry"))));
        }
        List<Future<TelemetryDayWriter.Result>> kubeDays = new ArrayList<>();
        for (String cluster : plan.clusters()) {
          kubeDays.add(
              pool.submit(
                  () -> new KubeStateWriter(plan, cluster, day, pods).write(out.resolve("kube"))));
        }
        for (int i = 0; i < nodeDays.size(); i++) {
          TelemetryDayWriter.Result r = await(nodeDays.get(i));
          files.addAll(r.files());
          telemetryRows += r.rows();
          truth.addNodeDay(plan.nodes().get(i), day, r.ledgers(), pods);
        }
        for (Future<TelemetryDayWriter.Result> f : kubeDays) {
          TelemetryDayWriter.Result r = await(f);
          files.addAll(r.files());
          kubeRows += r.rows();
        }
      }
    } finally {
      pool.shutdownNow();
    }
    files.addAll(truth.write(out.resolve("truth")));
    int gpus = plan.nodes().stream().mapToInt(n -> n.type().gpus()).sum();
    int units = plan.nodes().stream().mapToInt(n -> n.units().size()).sum();
    long distinctFiles = files.stream().distinct().count();
    return new Summary(
        (int) distinctFiles,
        telemetryRows + kubeRows,
        telemetryRows,
        kubeRows,
        plan.nodes().size(),
        gpus,
        units);
  }

  private static <T> T await(Future<T> f) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while generating", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof UncheckedIOException io) {
        throw io.getCause();
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new IOException(cause);
    }
  }
}
