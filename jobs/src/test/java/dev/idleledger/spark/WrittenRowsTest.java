package dev.idleledger.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.config.LedgerConfig;
import dev.idleledger.ingest.SilverTables;
import dev.idleledger.ingest.billing.BillingIngest;
import dev.idleledger.ingest.kube.KubeStateIngest;
import dev.idleledger.ingest.telemetry.TelemetryIngest;
import dev.idleledger.quality.QualityRecorder;
import dev.idleledger.testing.FrameAssertions;
import dev.idleledger.testing.TestSpark;
import java.sql.Date;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.plans.logical.LocalRelation;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.LogicalRDD;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.collection.JavaConverters;

/**
 * A small date's ingest keeps the silver rows it writes, and the date's attribute and rollup take them from memory
 * instead of reading the lake ({@link WrittenRows}): on the real H100 trace, each kept frame holds exactly the table's
 * rows of the date, in the table's columns and types, and reads no file. On a new lake, the night's recommend takes
 * its window from the same rows ({@link NightWrites}).
 */
class WrittenRowsTest {
  private static final String DB = "written_rows";
  private static final LocalDate DATE = LocalDate.of(2026, 11, 28);

  /** The silver tables the trace's date writes rows to (it has samples, pods, a node and two billed hours). */
  private static final List<TableSpec> WRITTEN =
      List.of(
          SilverTables.GPU_SAMPLES,
          SilverTables.POD_INFO,
          SilverTables.NODE_INFO,
          SilverTables.BILLING_HOURLY);

  private static SparkSession spark;
  private static LakeTables tables;
  private static WrittenRows small;
  private static QuerySettings.Saved asCame;

  /** The night of the ingest as a night sees it: the tables held no file before it. */
  private static NightWrites night;

  /** The same night, to which a date written by a large date (nothing kept) is added as well. */
  private static NightWrites withALargeDate;

  @BeforeAll
  static void ingestTheTraceAsASmallDate() {
    spark = TestSpark.session();
    asCame = QuerySettings.save(spark);
    LedgerConfig config =
        TestSpark.fleetConfig(TestSpark.sharedDir().resolve("data/h100-trace"), DB);
    QuerySettings.forInput(spark, config, 0);
    tables = new LakeTables(spark, config);
    night = NightWrites.startingFrom(tables, WRITTEN);
    withALargeDate = NightWrites.startingFrom(tables, WRITTEN);
    QualityRecorder quality = new QualityRecorder(tables, "written-rows", DATE);
    small = WrittenRows.forDate(true);
    new TelemetryIngest(spark, config).noting(small).run(DATE, quality);
    new KubeStateIngest(spark, config).noting(small).run(DATE, quality);
    try (BillingIngest billing = new BillingIngest(spark, config, List.of(DATE))) {
      billing.run(DATE, quality, small);
    }
    night.published(DATE, small);
    withALargeDate.published(DATE, small);
  }

  @AfterAll
  static void putTheSessionBack() {
    asCame.restore();
  }

  @Test
  void aSmallDateTakesEachSilverTableItWroteFromMemoryAsTheTableHoldsIt() {
    for (TableSpec spec : WRITTEN) {
      assertTrue(small.kept(spec).isPresent(), spec.name() + " kept");
      Dataset<Row> taken = small.ofDate(tables, spec, DATE);
      assertTrue(
          leaves(taken).stream().allMatch(p -> p instanceof LogicalRDD),
          spec.name() + " read from memory, not the lake: " + leaves(taken));
      Dataset<Row> inLake =
          tables
              .read(spec)
              .where(
                  org.apache
                      .spark
                      .sql
                      .functions
                      .col(spec.partitionColumn())
                      .equalTo(Date.valueOf(DATE)));
      assertTrue(inLake.count() > 0, spec.name() + " has rows of the date");
      assertEquals(typesOf(inLake.schema()), typesOf(taken.schema()), spec.name() + " columns");
      FrameAssertions.assertSameRows(spec.name(), comparable(inLake), comparable(taken));
    }
  }

  @Test
  void aSilverTableWrittenEmptyIsNoRowsAndIsNotKept() {
    // The trace's CUR has no split cost columns: the date's billing_pod_split rows are none, known
    // without a job, so there is nothing to keep.
    assertTrue(small.isEmpty(SilverTables.BILLING_POD_SPLIT));
    assertTrue(small.kept(SilverTables.BILLING_POD_SPLIT).isEmpty());
    Dataset<Row> taken = small.ofDate(tables, SilverTables.BILLING_POD_SPLIT, DATE);
    assertTrue(StageFrames.knownEmptyOverLocalData(taken), "an empty local frame");
  }

  @Test
  void aLargeDateKeepsNothingAndReadsTheLake() {
    WrittenRows large = WrittenRows.forDate(false);
    Dataset<Row> rows = small.ofDate(tables, SilverTables.NODE_INFO, DATE);
    assertSame(rows, large.toWrite(rows), "written as they are, not kept");
    assertFalse(large.wrote(SilverTables.NODE_INFO, rows), "not known empty");
    assertTrue(large.kept(SilverTables.NODE_INFO).isEmpty());
    Dataset<Row> read = large.ofDate(tables, SilverTables.NODE_INFO, DATE);
    assertFalse(
        leaves(read).stream().allMatch(p -> p instanceof LogicalRDD || p instanceof LocalRelation),
        "a read of the table's files: " + leaves(read));
  }

  @Test
  void theLastWriteOfATableDecidesWhatTheDatesLaterStagesRead() {
    WrittenRows date = WrittenRows.forDate(true);
    TableSpec spec = SilverTables.NODE_INFO;
    Dataset<Row> some = date.toWrite(small.ofDate(tables, spec, DATE));
    date.wrote(spec, some);
    assertTrue(date.kept(spec).isPresent());
    // A check then counted the date's rows to none: the note is the count's.
    date.wroteNothing(spec);
    assertTrue(date.isEmpty(spec));
    assertTrue(date.kept(spec).isEmpty());
    // Written again with rows: the rows, no longer none.
    date.wrote(spec, some);
    assertFalse(date.isEmpty(spec));
    assertTrue(date.kept(spec).isPresent());
    // And written with rows known empty: none again.
    assertTrue(date.wrote(spec, tables.noRows(spec)));
    assertTrue(date.isEmpty(spec));
    assertTrue(date.kept(spec).isEmpty());
  }

  /**
   * On a new lake the night's window of a table is the rows its dates kept, from memory, and equals the table's rows
   * of the window; a window without a date the night wrote holds no rows, as the table holds none there.
   */
  @Test
  void aNewLakesWindowIsWhatTheNightsDatesKeptAndNothingElse() {
    LocalDate weekStart = DATE.minusDays(6);
    for (TableSpec spec : WRITTEN) {
      Dataset<Row> window = night.window(spec, weekStart, DATE).orElseThrow();
      assertTrue(
          leaves(window).stream().allMatch(p -> p instanceof LogicalRDD),
          spec.name() + " from memory: " + leaves(window));
      Dataset<Row> inLake =
          tables
              .read(spec)
              .where(
                  functions
                      .col(spec.partitionColumn())
                      .between(Date.valueOf(weekStart), Date.valueOf(DATE)));
      assertEquals(typesOf(inLake.schema()), typesOf(window.schema()), spec.name() + " columns");
      FrameAssertions.assertSameRows(spec.name(), comparable(inLake), comparable(window));

      Dataset<Row> before = night.window(spec, weekStart, DATE.minusDays(1)).orElseThrow();
      assertTrue(StageFrames.knownEmptyOverLocalData(before), spec.name() + " before the date");
      assertEquals(
          0,
          tables
              .read(spec)
              .where(functions.col(spec.partitionColumn()).lt(Date.valueOf(DATE)))
              .count(),
          spec.name() + " holds nothing before the date");
    }
  }

  @Test
  void aTableThatHeldFilesWhenTheNightStartedIsReadFromTheLake() {
    NightWrites later = NightWrites.startingFrom(tables, WRITTEN);
    later.published(DATE, small);
    for (TableSpec spec : WRITTEN) {
      assertTrue(later.window(spec, DATE, DATE).isEmpty(), spec.name());
    }
  }

  @Test
  void aWindowOverADateThatKeptNothingIsReadFromTheLake() {
    LocalDate dayBefore = DATE.minusDays(1);
    WrittenRows large = WrittenRows.forDate(false);
    large.wrote(SilverTables.NODE_INFO, small.ofDate(tables, SilverTables.NODE_INFO, DATE));
    withALargeDate.published(dayBefore, large);
    assertTrue(withALargeDate.window(SilverTables.NODE_INFO, dayBefore, DATE).isEmpty());
    // The window without that date is still known.
    assertTrue(withALargeDate.window(SilverTables.NODE_INFO, DATE, DATE).isPresent());
  }

  @Test
  void keptRowsOfANarrowerTypeAreReadInTheTablesType() {
    // A write widens a column to the table's type (int into bigint); the kept rows are read widened
    // the same way, so a later stage sees what a read of the table would give.
    TableSpec spec =
        new TableSpec(
            "widened",
            "a table of one bigint column",
            List.of(
                TableSpec.col("day", DataTypes.DateType, "the date"),
                TableSpec.col("n", DataTypes.LongType, "a count")),
            "day");
    StructType narrow =
        new StructType().add("n", DataTypes.IntegerType).add("day", DataTypes.DateType);
    Dataset<Row> rows =
        spark
            .createDataFrame(List.of(RowFactory.create(7, Date.valueOf(DATE))), narrow)
            .localCheckpoint();
    WrittenRows date = WrittenRows.forDate(true);
    date.wrote(spec, rows);
    Dataset<Row> taken = date.ofDate(tables, spec, DATE);
    assertEquals("day:date n:bigint", typesOf(taken.schema()));
    assertEquals(7L, taken.first().getLong(1));
  }

  private static List<LogicalPlan> leaves(Dataset<Row> frame) {
    return JavaConverters.seqAsJavaList(frame.queryExecution().analyzed().collectLeaves());
  }

  /** Map columns (pod labels) as JSON text: the row comparison groups rows by every column. */
  private static Dataset<Row> comparable(Dataset<Row> frame) {
    return frame.select(
        Arrays.stream(frame.schema().fields())
            .map(
                f ->
                    f.dataType() instanceof MapType
                        ? functions.to_json(functions.col(f.name())).as(f.name())
                        : functions.col(f.name()))
            .toArray(Column[]::new));
  }

  /** Column names and types in order, without nullability. */
  private static String typesOf(StructType schema) {
    return Arrays.stream(schema.fields())
        .map(f -> f.name() + ":" + f.dataType().catalogString())
        .collect(Collectors.joining(" "));
  }
}
