package dev.idleledger.tickets;

import static org.apache.spark.sql.functions.col;

import dev.idleledger.Progress;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.tables.RecommendationStatus;
import dev.idleledger.tables.RecommendationTables.Recommendations;
import dev.idleledger.tickets.TicketSettings.TeamRoute;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The nightly {@code tickets} stage: files, comments on and closes the tickets of the recommendations table,
 * exactly once per recommendation, and records the ticket columns back with one MERGE. A ticket that fails is
 * marked ERROR with its reason and the others go on; the result's failed count makes the command exit non-zero.
 */
public final class TicketStage {
  private final SparkSession spark;
  private final LedgerConfig config;
  private final TicketSettings settings;
  private final TicketWriteBack writeBack;
  private final Clock clock;

  public TicketStage(SparkSession spark, LedgerConfig config) {
    this(spark, config, null, Clock.systemUTC());
  }

  /**
   * With another write-back (tests make it fail once to stand for a crash after filing; null = the Delta
   * MERGE) and clock: {@code ticket_synced_at} comes from it, and a sync stamped after the night ended
   * means that night's comment was already made (tests run several nights at one wall-clock time).
   */
  public TicketStage(
      SparkSession spark, LedgerConfig config, TicketWriteBack writeBack, Clock clock) {
    this.spark = spark;
    this.config = config;
    this.settings = TicketSettings.from(config);
    this.writeBack = writeBack == null ? new DeltaTicketWriteBack(spark) : writeBack;
    this.clock = clock;
  }

  /** The recommendations table named in config ({@code <catalog.database>.<tickets.table>}). */
  public String defaultTable() {
    return config.database + "." + settings.table();
  }

  public TicketRunResult run(LocalDate date, String recommendationsTable, boolean dryRun) {
    return run(date, recommendationsTable, dryRun, Optional.empty());
  }

  /**
   * As {@link #run(LocalDate, String, boolean)}. {@code unwritten}: the night's recommendations for a table that holds
   * none yet ({@link dev.idleledger.recommend.RecommendStage#takeUnwritten}, a new lake's first night: the table's
   * columns, the ticket columns null). The candidates are read from them, and they are appended to the table with
   * their outcomes in one commit (also on a dry run); when acting on them fails, they are appended without tickets
   * and the failure goes on.
   */
  public TicketRunResult run(
      LocalDate date,
      String recommendationsTable,
      boolean dryRun,
      Optional<Dataset<Row>> unwritten) {
    Acted acted;
    if (unwritten.isPresent()) {
      DeltaTicketWriteBack firstWrite = new DeltaTicketWriteBack(spark);
      try {
        acted = act(date, recommendationsTable, dryRun, views(unwritten.get()));
      } catch (RuntimeException | Error e) {
        firstWrite.append(recommendationsTable, unwritten.get(), List.of());
        throw e;
      }
      firstWrite.append(recommendationsTable, unwritten.get(), acted.outcomes());
    } else {
      acted = act(date, recommendationsTable, dryRun, candidates(recommendationsTable, dryRun));
      if (!dryRun) {
        writeBack.record(recommendationsTable, acted.outcomes());
      }
    }
    TicketRunResult result = acted.result();
    Progress.line(
        "%s%s",
        result.summary(), dryRun ? " (dry run: " + result.planned().size() + " planned)" : "");
    return result;
  }

  /** What acting on the candidates did: the counts, and the outcomes to record. */
  private record Acted(TicketRunResult result, List<TicketOutcome> outcomes) {}

  private Acted act(
      LocalDate date,
      String recommendationsTable,
      boolean dryRun,
      List<RecommendationTicketView> recs) {
    TicketPolicy policy = new TicketPolicy(settings.minMonthlySavings());
    boolean noSink = settings.sink() == TicketSinkKind.NONE;
    TicketSink sink = null;
    int filed = 0, found = 0, commented = 0, closed = 0, failed = 0, skipped = 0;
    List<String> planned = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    List<TicketOutcome> outcomes = new ArrayList<>();
    for (RecommendationTicketView r : recs) {
      TicketAction action = policy.decide(r, date);
      if (action == TicketAction.SKIP) {
        skipped++;
        continue;
      }
      TeamRoute route = settings.route(r.team());
      if (dryRun || noSink) {
        planned.add(plan(action, r, route));
        continue;
      }
      if (sink == null) {
        sink = openSink(date);
      }
      try {
        switch (action) {
          case FILE -> {
            Optional<TicketRef> existing = sink.find(r, route);
            TicketRef ref;
            if (existing.isPresent()) {
              ref = existing.get();
              found++;
            } else {
              ref = sink.create(r, route, TicketText.forFiling(r, recommendationsTable));
              filed++;
            }
            outcomes.add(ok(r, action, sink, ref, TicketState.OPEN));
          }
          case COMMENT -> {
            TicketRef ref = recorded(r);
            sink.comment(ref, r, TicketText.forComment(r, recommendationsTable));
            commented++;
            outcomes.add(ok(r, action, sink, ref, TicketState.OPEN));
          }
          case CLOSE -> {
            TicketRef ref = recorded(r);
            sink.close(ref, r, TicketText.forClosing(r, recommendationsTable));
            closed++;
            outcomes.add(ok(r, action, sink, ref, TicketState.CLOSED));
          }
          default -> throw new IllegalStateException("unhandled action " + action);
        }
      } catch (TicketFailure | RuntimeException e) {
        String reason =
            e instanceof TicketFailure
                ? e.getMessage()
                : e.getClass().getSimpleName() + ": " + e.getMessage();
        reason = reason.length() > 500 ? reason.substring(0, 500) : reason;
        failed++;
        errors.add(r.recommendationId() + ": " + reason);
        Progress.line("tickets: %s %s failed: %s", action, r.recommendationId(), reason);
        outcomes.add(
            new TicketOutcome(
                r.recommendationId(),
                action,
                sink.system(),
                null,
                null,
                TicketState.ERROR,
                reason,
                clock.instant()));
      }
    }
    if (sink != null) {
      try {
        sink.finish();
      } catch (TicketFailure e) {
        throw new IllegalStateException("tickets: " + e.getMessage(), e);
      }
    }
    TicketRunResult result =
        new TicketRunResult(
            filed,
            found,
            commented,
            closed,
            failed,
            skipped,
            List.copyOf(planned),
            List.copyOf(errors));
    return new Acted(result, List.copyOf(outcomes));
  }

  /** Recommendations in a status that may need a ticket action; a small table, so read to the driver. */
  private List<RecommendationTicketView> candidates(String table, boolean dryRun) {
    if (!dryRun
        && !Arrays.asList(spark.table(table).columns()).contains(Recommendations.TICKET_ERROR)) {
      // Checked before any ticket is filed: the outcomes could not be recorded, and the next night
      // would find them again.
      throw new IllegalStateException(
          table
              + " has no "
              + Recommendations.TICKET_ERROR
              + " column (a lake of an earlier release): run nightly once,"
              + " which upgrades the lake's tables, or ALTER TABLE "
              + table
              + " ADD COLUMNS ("
              + Recommendations.TICKET_ERROR
              + " STRING)");
    }
    return views(spark.table(table));
  }

  /** The recommendations of {@code recommendations} in a status that may need a ticket action, by id. */
  private static List<RecommendationTicketView> views(Dataset<Row> recommendations) {
    Column[] columns =
        RecommendationTicketView.COLUMNS.stream().map(c -> col(c)).toArray(Column[]::new);
    List<Row> rows =
        recommendations
            .select(columns)
            .where(col(Recommendations.STATUS).isin(RecommendationStatus.storedValues()))
            .collectAsList();
    return rows.stream()
        .map(RecommendationTicketView::from)
        .sorted(Comparator.comparing(RecommendationTicketView::recommendationId))
        .toList();
  }

  private TicketSink openSink(LocalDate date) {
    return switch (settings.sink()) {
      case JIRA -> new JiraSink(settings);
      case GITHUB -> new GithubSink(settings);
      case WEBHOOK -> new WebhookSink(settings);
      case OUTBOX -> new OutboxSink(OutboxStore.open(settings.outboxPrefix(), config), date);
      case NONE -> throw new IllegalStateException("tickets.sink = none opens no sink");
    };
  }

  private static TicketRef recorded(RecommendationTicketView r) {
    // Rows synced before ticket_error existed hold a failure as "error: <reason>" in ticket_url:
    // not a link.
    String url = r.ticketUrl() != null && r.ticketUrl().startsWith("error:") ? null : r.ticketUrl();
    return new TicketRef(r.ticketKey(), url);
  }

  private TicketOutcome ok(
      RecommendationTicketView r,
      TicketAction action,
      TicketSink sink,
      TicketRef ref,
      TicketState state) {
    return new TicketOutcome(
        r.recommendationId(),
        action,
        sink.system(),
        ref.key(),
        ref.url(),
        state,
        null,
        clock.instant());
  }

  private String plan(TicketAction action, RecommendationTicketView r, TeamRoute route) {
    String where =
        switch (settings.sink()) {
          case JIRA -> "jira project " + route.project();
          case GITHUB -> "github " + route.repo();
          default -> settings.sink().configName();
        };
    return switch (action) {
      case FILE -> "FILE    " + r.recommendationId() + " -> " + where + ": " + TicketText.title(r);
      case COMMENT ->
          "COMMENT " + r.recommendationId() + " on " + r.ticketKey() + ": " + TicketText.title(r);
      case CLOSE ->
          "CLOSE   " + r.recommendationId() + " " + r.ticketKey() + ": " + TicketText.title(r);
      case SKIP -> "SKIP    " + r.recommendationId();
    };
  }
}
