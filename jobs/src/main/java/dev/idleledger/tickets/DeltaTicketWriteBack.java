package dev.idleledger.tickets;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;

import dev.idleledger.spark.LakeTables;
import dev.idleledger.tables.RecommendationTables.Recommendations;
import java.sql.Timestamp;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * One Delta MERGE on {@code recommendation_id} writes every outcome of the night; only the ticket columns
 * change (rows the table does not hold yet are appended with theirs instead: {@link #append}). An ERROR puts
 * its reason in {@code ticket_error} and no link anywhere: {@code ticket_key} and {@code ticket_url} keep the
 * ticket already filed, if any (null after a failed filing); the next successful sync clears
 * {@code ticket_error}. A {@code ticket_url} of the form {@code "error: <reason>"} (what releases before
 * {@code ticket_error} wrote on a failure) is cleared by the next sync.
 */
final class DeltaTicketWriteBack implements TicketWriteBack {
  private static final StructType SCHEMA =
      new StructType()
          .add(Recommendations.RECOMMENDATION_ID, DataTypes.StringType)
          .add(Recommendations.TICKET_SYSTEM, DataTypes.StringType)
          .add(Recommendations.TICKET_KEY, DataTypes.StringType)
          .add(Recommendations.TICKET_URL, DataTypes.StringType)
          .add(Recommendations.TICKET_STATE, DataTypes.StringType)
          .add(Recommendations.TICKET_ERROR, DataTypes.StringType)
          .add(Recommendations.TICKET_SYNCED_AT, DataTypes.TimestampType);

  private final SparkSession spark;

  DeltaTicketWriteBack(SparkSession spark) {
    this.spark = spark;
  }

  @Override
  public void record(String table, List<TicketOutcome> outcomes) {
    if (outcomes.isEmpty()) {
      return;
    }
    Dataset<Row> updates = outcomesFrame(outcomes);
    String view = "ticket_outcomes_" + Long.toHexString(System.nanoTime());
    updates.createOrReplaceTempView(view);
    try {
      String id = Recommendations.RECOMMENDATION_ID;
      String url = Recommendations.TICKET_URL;
      spark.sql(
          "MERGE INTO "
              + table
              + " t USING "
              + view
              + " s ON t."
              + id
              + " = s."
              + id
              + " "
              + "WHEN MATCHED THEN UPDATE SET "
              + keptUnlessNew(Recommendations.TICKET_SYSTEM)
              + ", "
              + keptUnlessNew(Recommendations.TICKET_KEY)
              + ", "
              + "t."
              + url
              + " = CASE WHEN s."
              + url
              + " IS NOT NULL THEN s."
              + url
              + " "
              + "WHEN t."
              + url
              + " LIKE 'error:%' THEN NULL ELSE t."
              + url
              + " END, "
              + replaced(Recommendations.TICKET_STATE)
              + ", "
              + replaced(Recommendations.TICKET_ERROR)
              + ", "
              + replaced(Recommendations.TICKET_SYNCED_AT));
    } finally {
      spark.catalog().dropTempView(view);
    }
  }

  /**
   * Appends recommendations the table does not hold yet (their ticket columns null, as {@link
   * dev.idleledger.recommend.RecommendStage#takeUnwritten} leaves them), each with the ticket columns of its outcome,
   * if any. That is what the MERGE of {@link #record} makes of a row whose ticket columns are null: the coalesces and
   * the {@code ticket_url} CASE come to the outcome's values, the other columns are replaced by them. So the table
   * reads as if the rows had been appended and the outcomes merged, in one commit instead of two and without reading
   * the table.
   */
  void append(String table, Dataset<Row> unwritten, List<TicketOutcome> outcomes) {
    String[] ticketColumns =
        Arrays.stream(SCHEMA.fieldNames())
            .filter(c -> !c.equals(Recommendations.RECOMMENDATION_ID))
            .toArray(String[]::new);
    Dataset<Row> rows =
        unwritten
            .drop(ticketColumns)
            .join(
                broadcast(outcomesFrame(outcomes)),
                new String[] {Recommendations.RECOMMENDATION_ID},
                "left")
            .select(Arrays.stream(unwritten.columns()).map(c -> col(c)).toArray(Column[]::new));
    LakeTables.appendTo(table, rows);
  }

  private Dataset<Row> outcomesFrame(List<TicketOutcome> outcomes) {
    List<Row> rows =
        outcomes.stream()
            .map(
                o ->
                    RowFactory.create(
                        o.recommendationId(),
                        o.system().configName(),
                        o.key(),
                        o.url(),
                        o.state().name(),
                        o.error(),
                        Timestamp.from(o.syncedAt())))
            .toList();
    return spark.createDataFrame(rows, SCHEMA);
  }

  private static String keptUnlessNew(String column) {
    return "t." + column + " = coalesce(s." + column + ", t." + column + ")";
  }

  private static String replaced(String column) {
    return "t." + column + " = s." + column;
  }
}
