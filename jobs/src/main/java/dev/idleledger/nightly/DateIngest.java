package dev.idleledger.nightly;

import dev.idleledger.quality.QualityRecorder;
import dev.idleledger.quality.SourceAccounting;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Runs a date's source ingests (telemetry, kube, billing): each reads its own input and writes its own silver tables,
 * and none reads what another writes, so they may run at once.
 *
 * <p>On a small date they do: its ingest is mostly the driver planning one small job after another, and the three
 * sources' planning and jobs overlap on the driver's threads and the executors' cores instead of waiting in one line
 * (issue #20). A fleet-sized date runs them one after another: there the executors are busy with data, and three
 * sources at once would only hold three sources' memory at the same time.
 *
 * <p>At once, the outcome is the one of one source after another:
 *
 * <ul>
 *   <li>each source records its checks on a {@link QualityRecorder#part part} of the date's recorder, taken back in
 *       source order, so the date's checks and its first failed check are the same whichever source finished first
 *       (and the parts take turns replacing their rows of the shared quarantine table);
 *   <li>a source that throws does not stop the others while they write: the date waits for every source, so each
 *       table is left as its last commit left it, then throws the first source's exception in source order, the
 *       others' suppressed in it. One after another, as before, the sources after a failed one do not run. An
 *       {@link Error} (the JVM out of memory, say) is not a source's failure and ends the night as it came.
 * </ul>
 *
 * <p>Spark's settings are the session's, shared by the threads: the telemetry ingest turns off object-hash aggregation
 * while it writes its samples, and a billing query planned meanwhile plans its {@code collect_set}s as a sort
 * aggregate instead. The rows are the same; only the plan differs.
 */
final class DateIngest {
  /** One source's ingest: what it read and used, given the recorder its checks go to. */
  record Source(String name, Function<QualityRecorder, List<SourceAccounting>> ingest) {}

  private DateIngest() {}

  /**
   * Runs {@code sources} (at once when {@code atOnce}), their checks taken into {@code quality} in the order given;
   * returns their accounting in that order.
   */
  static List<SourceAccounting> run(List<Source> sources, QualityRecorder quality, boolean atOnce) {
    List<QualityRecorder> parts = sources.stream().map(s -> quality.part()).toList();
    List<Outcome> outcomes = atOnce ? atOnce(sources, parts) : inTurn(sources, parts);
    parts.forEach(quality::absorb);
    List<SourceAccounting> read = new ArrayList<>();
    RuntimeException first = null;
    for (Outcome o : outcomes) {
      if (o.failure() == null) {
        read.addAll(o.read());
      } else if (first == null) {
        first = o.failure();
      } else {
        first.addSuppressed(o.failure());
      }
    }
    if (first != null) {
      throw first;
    }
    return read;
  }

  /** A source's accounting, or what it threw instead. */
  private record Outcome(List<SourceAccounting> read, RuntimeException failure) {
    static Outcome of(Throwable thrown) {
      if (thrown instanceof Error e) {
        throw e;
      }
      return new Outcome(
          List.of(), thrown instanceof RuntimeException e ? e : new IllegalStateException(thrown));
    }
  }

  /** One after another, stopping at the first that throws. */
  private static List<Outcome> inTurn(List<Source> sources, List<QualityRecorder> parts) {
    List<Outcome> outcomes = new ArrayList<>();
    for (int i = 0; i < sources.size(); i++) {
      try {
        outcomes.add(new Outcome(sources.get(i).ingest().apply(parts.get(i)), null));
      } catch (RuntimeException e) {
        outcomes.add(new Outcome(List.of(), e));
        break;
      }
    }
    return outcomes;
  }

  /** Each on a thread of its own (named for its source), waiting for all of them. */
  private static List<Outcome> atOnce(List<Source> sources, List<QualityRecorder> parts) {
    List<Callable<List<SourceAccounting>>> ingests = new ArrayList<>();
    for (int i = 0; i < sources.size(); i++) {
      Source source = sources.get(i);
      QualityRecorder part = parts.get(i);
      ingests.add(
          () -> {
            Thread.currentThread().setName("ingest " + source.name());
            return source.ingest().apply(part);
          });
    }
    ExecutorService threads =
        Executors.newFixedThreadPool(
            ingests.size(),
            task -> {
              Thread t = new Thread(task);
              t.setDaemon(true);
              return t;
            });
    try {
      List<Outcome> outcomes = new ArrayList<>();
      // invokeAll returns when every ingest has finished, whether it returned or threw.
      for (Future<List<SourceAccounting>> done : threads.invokeAll(ingests)) {
        try {
          outcomes.add(new Outcome(done.get(), null));
        } catch (ExecutionException e) {
          outcomes.add(Outcome.of(e.getCause()));
        }
      }
      return outcomes;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the date's sources were ingesting", e);
    } finally {
      threads.shutdownNow();
    }
  }
}
