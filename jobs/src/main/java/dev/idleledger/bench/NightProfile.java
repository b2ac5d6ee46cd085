package dev.idleledger.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.StageInfo;
import scala.collection.JavaConverters;

/**
 * Where a night's fixed cost goes: Spark jobs, stages and tasks, and the wall time of those jobs, per part of the
 * night (the job description {@link dev.idleledger.spark.JobDescriptions} sets, "ingest telemetry 2026-11-28") and
 * per call site (the line of our code that started the job). A tiny night is a few hundred jobs of almost no data,
 * so what it costs is their count, not their work. Jobs of one part run one after another on the driver thread, so
 * job walls add up to roughly the part's wall; the rest of a part's wall is planning and Delta's log work between jobs.
 */
public final class NightProfile extends SparkListener implements AutoCloseable {
  private static final String DESCRIPTION = "spark.job.description";

  private final SparkContext context;
  private final Map<Integer, Job> running = new ConcurrentHashMap<>();
  private final Map<Integer, Integer> stageTasks = new ConcurrentHashMap<>();
  private final List<Job> done = Collections.synchronizedList(new ArrayList<>());

  /** One finished Spark job: what started it, how many stages actually ran (skipped ones excluded), tasks, wall. */
  public record Job(
      String part,
      String callSite,
      List<Integer> stageIds,
      long startMillis,
      int stagesRun,
      int tasks,
      double wallSeconds) {}

  /** Totals of a group of jobs; {@code deltaJobs} of them Delta started for its own log work (snapshots, file listing, MERGE steps). */
  public record Totals(int jobs, int deltaJobs, int stages, int tasks, double jobWallSeconds) {
    static final Totals NONE = new Totals(0, 0, 0, 0, 0);

    Totals plus(Job j) {
      return new Totals(
          jobs + 1,
          deltaJobs + (j.part().equals(stagePart(j.part())) ? 0 : 1),
          stages + j.stagesRun(),
          tasks + j.tasks(),
          jobWallSeconds + j.wallSeconds());
    }
  }

  /**
   * The part of the night a job belongs to. Delta names its own jobs after the description it found
   * ("Delta: ingest kube 2026-11-28: Compute snapshot for version: 0", "rollup 2026-11-28 - MERGE operation - ..."),
   * so those count with the stage that caused them.
   */
  static String stagePart(String description) {
    String part = description;
    while (part.startsWith("Delta: ")) {
      part = part.substring("Delta: ".length());
    }
    int colon = part.indexOf(": ");
    int dash = part.indexOf(" - ");
    int cut = colon < 0 ? dash : dash < 0 ? colon : Math.min(colon, dash);
    return cut < 0 ? part : part.substring(0, cut);
  }

  public NightProfile(SparkContext context) {
    this.context = context;
    context.addSparkListener(this);
  }

  @Override
  public void onJobStart(SparkListenerJobStart start) {
    Properties p = start.properties();
    String part = p == null ? null : p.getProperty(DESCRIPTION);
    List<Integer> stages = new ArrayList<>();
    // The job's result stage (its highest id) is named by Spark after the call that started the
    // job: the first frame outside Spark, "collectAsList at BillingIngest.java:270", or Delta's own
    // for its log work.
    String site = null;
    int resultStage = -1;
    for (StageInfo info : JavaConverters.seqAsJavaListConverter(start.stageInfos()).asJava()) {
      stages.add(info.stageId());
      if (info.stageId() > resultStage) {
        resultStage = info.stageId();
        site = info.name();
      }
    }
    running.put(
        start.jobId(),
        new Job(
            part == null ? "(no description)" : part,
            site == null ? "?" : site,
            stages,
            start.time(),
            0,
            0,
            0));
  }

  @Override
  public void onStageCompleted(SparkListenerStageCompleted completed) {
    stageTasks.put(completed.stageInfo().stageId(), completed.stageInfo().numTasks());
  }

  @Override
  public void onJobEnd(SparkListenerJobEnd end) {
    Job j = running.remove(end.jobId());
    if (j == null) {
      return;
    }
    int stages = 0;
    int tasks = 0;
    for (int id : j.stageIds()) {
      Integer t = stageTasks.remove(id);
      if (t != null) {
        stages++;
        tasks += t;
      }
    }
    done.add(
        new Job(
            j.part(),
            j.callSite(),
            j.stageIds(),
            j.startMillis(),
            stages,
            tasks,
            (end.time() - j.startMillis()) / 1e3));
  }

  public List<Job> jobs() {
    synchronized (done) {
      return List.copyOf(done);
    }
  }

  /** Totals per part of the night, in the order the parts started. */
  public Map<String, Totals> byPart() {
    Map<String, Totals> out = new LinkedHashMap<>();
    jobs().stream()
        .sorted(Comparator.comparingLong(Job::startMillis))
        .forEach(j -> out.merge(stagePart(j.part()), Totals.NONE.plus(j), (a, b) -> a.plus(j)));
    return out;
  }

  /** Totals per call site, most job wall first. */
  public Map<String, Totals> byCallSite() {
    Map<String, Totals> sums = new TreeMap<>();
    jobs().forEach(j -> sums.merge(j.callSite(), Totals.NONE.plus(j), (a, b) -> a.plus(j)));
    Map<String, Totals> out = new LinkedHashMap<>();
    sums.entrySet().stream()
        .sorted(
            (a, b) -> Double.compare(b.getValue().jobWallSeconds(), a.getValue().jobWallSeconds()))
        .forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  public Totals total() {
    Totals t = Totals.NONE;
    for (Job j : jobs()) {
      t = t.plus(j);
    }
    return t;
  }

  /**
   * Delta commits per table of a database folder: the numbered JSON files of each table's {@code _delta_log}. On a
   * lake the night started empty, that is every commit the night made (the CREATE TABLE included).
   */
  public static Map<String, Integer> deltaCommits(Path databaseFolder) throws IOException {
    Map<String, Integer> out = new TreeMap<>();
    if (!Files.isDirectory(databaseFolder)) {
      return out;
    }
    try (Stream<Path> tables = Files.list(databaseFolder)) {
      for (Path t : tables.filter(p -> Files.isDirectory(p.resolve("_delta_log"))).toList()) {
        try (Stream<Path> log = Files.list(t.resolve("_delta_log"))) {
          out.put(
              t.getFileName().toString(),
              (int) log.filter(f -> f.getFileName().toString().matches("\\d{20}\\.json")).count());
        }
      }
    }
    return out;
  }

  /** Stops listening once the listener bus has delivered the night's last events (they arrive asynchronously). */
  @Override
  public void close() {
    try {
      context.listenerBus().waitUntilEmpty(60_000);
    } catch (TimeoutException e) {
      // A bus still busy after a minute: the profile misses the last few jobs rather than the bench
      // hanging.
    } finally {
      context.removeSparkListener(this);
    }
  }

  /** The profile as tables on {@code out}: per part, the call sites with the most job wall, and Delta commits per table. */
  public void print(Map<String, Integer> commits, PrintStream out) {
    Totals all = total();
    out.printf(
        Locale.ROOT,
        "%nSpark jobs of the night: %d jobs (%d of them Delta's log work), %d stages run, %d tasks, %.1f s of job wall%n",
        all.jobs(),
        all.deltaJobs(),
        all.stages(),
        all.tasks(),
        all.jobWallSeconds());
    out.printf(
        Locale.ROOT,
        "%-30s %6s %7s %7s %7s %9s%n",
        "part of the night",
        "jobs",
        "Delta's",
        "stages",
        "tasks",
        "job wall");
    byPart()
        .forEach(
            (part, t) ->
                out.printf(
                    Locale.ROOT,
                    "%-30s %6d %7d %7d %7d %9.1f%n",
                    part,
                    t.jobs(),
                    t.deltaJobs(),
                    t.stages(),
                    t.tasks(),
                    t.jobWallSeconds()));
    out.printf(
        Locale.ROOT,
        "%nTop call sites by job wall%n%-60s %6s %7s %7s %9s%n",
        "call site",
        "jobs",
        "stages",
        "tasks",
        "job wall");
    byCallSite().entrySet().stream()
        .limit(15)
        .forEach(
            e ->
                out.printf(
                    Locale.ROOT,
                    "%-60s %6d %7d %7d %9.1f%n",
                    e.getKey(),
                    e.getValue().jobs(),
                    e.getValue().stages(),
                    e.getValue().tasks(),
                    e.getValue().jobWallSeconds()));
    out.printf(
        Locale.ROOT,
        "%nDelta commits per table (%d in all): %s%n",
        commits.values().stream().mapToInt(Integer::intValue).sum(),
        commits);
  }

  /** One row per job: part, call site, stages run, tasks, wall seconds. */
  public void writeCsv(Path file) throws IOException {
    try (CSVPrinter csv =
        new CSVPrinter(
            Files.newBufferedWriter(file, StandardCharsets.UTF_8),
            CSVFormat.RFC4180
                .builder()
                .setRecordSeparator('\n')
                .setHeader("part", "call_site", "stages_run", "tasks", "wall_seconds")
                .get())) {
      for (Job j : jobs()) {
        csv.printRecord(
            j.part(),
            j.callSite(),
            j.stagesRun(),
            j.tasks(),
            String.format(Locale.ROOT, "%.3f", j.wallSeconds()));
      }
    }
  }
}
