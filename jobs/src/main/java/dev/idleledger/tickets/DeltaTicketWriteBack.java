package dev.idleledger.tickets;

import java.sql.Timestamp;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * One Delta MERGE on {@code recommendation_id} writes every outcome of the night; only the ticket columns
 * change. An ERROR puts its reason in {@code ticket_error} and no link anywhere: {@code ticket_key} and
 * {@code ticket_url} keep the ticket already filed, if any (null after a failed filing); the next successful
 * sync clears {@code ticket_error}. A {@code ticket_url} of the form {@code "error: <reason>"} (what releases before
 * {@code ticket_error} wrote on a failure) is cleared by the next sync.
 */
final class DeltaTicketWriteBack implements TicketWriteBack {
  private static final StructType SCHEMA = new StructType()
      .add("recommendation_id", DataTypes.StringType)
      .add("ticket_system", DataTypes.StringType)
      .add("ticket_key", DataTypes.StringType)
      .add("ticket_url", DataTypes.StringType)
      .add("ticket_state", DataTypes.StringType)
      .add("ticket_error", DataTypes.StringType)
      .add("ticket_synced_at", DataTypes.TimestampType);

  private final SparkSession spark;

  DeltaTicketWriteBack(SparkSession spark) {
    this.spark = spark;
  }

  @Override
  public void record(String table, List<TicketOutcome> outcomes) {
    if (outcomes.isEmpty()) {
      return;
    }
    List<Row> rows = outcomes.stream().map(o -> RowFactory.create(o.recommendationId(), o.system().configName(), o.key(),
        o.url(), o.state().name(), o.error(), Timestamp.from(o.syncedAt()))).toList();
    Dataset<Row> updates = spark.createDataFrame(rows, SCHEMA);
    String view = "ticket_outcomes_" + Long.toHexString(System.nanoTime());
    updates.createOrReplaceTempView(view);
    try {
      spark.sql("MERGE INTO " + table + " t USING " + view + " s ON t.recommendation_id = s.recommendation_id "
          + "WHEN MATCHED THEN UPDATE SET "
          + "t.ticket_system = coalesce(s.ticket_system, t.ticket_system), "
          + "t.ticket_key = coalesce(s.ticket_key, t.ticket_key), "
          + "t.ticket_url = CASE WHEN s.ticket_url IS NOT NULL THEN s.ticket_url "
          + "WHEN t.ticket_url LIKE 'error:%' THEN NULL ELSE t.ticket_url END, "
          + "t.ticket_state = s.ticket_state, "
          + "t.ticket_error = s.ticket_error, "
          + "t.ticket_synced_at = s.ticket_synced_at");
    } finally {
      spark.catalog().dropTempView(view);
    }
  }
}
