package dev.idleledger.spark;

import static dev.idleledger.spark.TableSpec.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.testing.CauseChain;
import dev.idleledger.testing.TestSpark;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.TableIdentifier;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;
import scala.Option;

class LakeTablesTest {
  private static final TableSpec SPEC =
      new TableSpec(
          "lake_tables_probe",
          "A probe table for the Delta round trip.",
          List.of(
              col("date", DataTypes.DateType, "UTC day"),
              col("cost", DataTypes.DoubleType, "money, USD")),
          "date");

  @Test
  void replacingADateSwapsOnlyThatDatesRowsAndKeepsComments() {
    SparkSession spark = TestSpark.session();
    LakeTables tables = new LakeTables(spark, "lake_tables_test");
    LocalDate d1 = LocalDate.of(2026, 11, 1);
    LocalDate d2 = LocalDate.of(2026, 11, 2);
    tables.replaceDates(SPEC, rows(spark, d1, 1.0, d1, 2.0, d2, 5.0), List.of(d1, d2));
    tables.replaceDates(SPEC, rows(spark, d1, 10.0), List.of(d1));
    tables.replaceDates(SPEC, rows(spark, d1, 10.0), List.of(d1));

    List<Row> after =
        spark
            .sql("SELECT date, cost FROM lake_tables_test.lake_tables_probe ORDER BY date, cost")
            .collectAsList();
    assertEquals(
        List.of(
            RowFactory.create(Date.valueOf(d1), 10.0), RowFactory.create(Date.valueOf(d2), 5.0)),
        after);

    String describe =
        spark
            .sql("DESCRIBE TABLE EXTENDED lake_tables_test.lake_tables_probe")
            .collectAsList()
            .toString();
    assertTrue(describe.contains("money, USD"), describe);
    assertTrue(describe.contains("A probe table for the Delta round trip."), describe);
    assertTrue(describe.toLowerCase().contains("delta"), describe);
  }

  @Test
  void aTableWithoutFilesIsReadAsAnEmptyLocalFrameUntilRowsAreWrittenByAnyRoute() {
    SparkSession spark = TestSpark.session();
    LakeTables tables = new LakeTables(spark, "lake_tables_files");
    LocalDate d1 = LocalDate.of(2026, 11, 1);
    Dataset<Row> noRows = spark.createDataFrame(List.of(), SPEC.schema());

    // Created, nothing written: no file, and a DELETE of a date would have nothing to remove.
    tables.replaceDates(SPEC, noRows, List.of(d1));
    assertTrue(tables.holdsNoFiles(SPEC));
    Dataset<Row> created = tables.read(SPEC);
    assertTrue(StageFrames.knownEmptyOverLocalData(created));
    assertEquals(spark.table(tables.qualified(SPEC)).schema(), created.schema());

    tables.replaceDates(SPEC, rows(spark, d1, 3.0), List.of(d1));
    assertFalse(tables.holdsNoFiles(SPEC));
    assertEquals(
        List.of(RowFactory.create(Date.valueOf(d1), 3.0)), tables.read(SPEC).collectAsList());

    // The date replaced with nothing: its files removed, the table holds none again.
    tables.replaceDates(SPEC, noRows, List.of(d1));
    assertTrue(tables.holdsNoFiles(SPEC));
    assertEquals(0, tables.read(SPEC).count());

    // Rows written past this class (SQL, another tool) are seen: the answer comes from the log.
    spark.sql("INSERT INTO " + tables.qualified(SPEC) + " VALUES (DATE'2026-11-02', 7.0)");
    assertFalse(tables.holdsNoFiles(SPEC));
    assertEquals(7.0, tables.read(SPEC).first().getDouble(1));
  }

  @Test
  void rowsOutsideTheReplacedDatesFailTheWriteWhetherOrNotTheTableHoldsFiles() {
    SparkSession spark = TestSpark.session();
    LakeTables tables = new LakeTables(spark, "lake_tables_outside");
    LocalDate d1 = LocalDate.of(2026, 11, 1);
    LocalDate d2 = LocalDate.of(2026, 11, 2);

    // A table without files takes its first rows as an append: the dates are checked all the same.
    Exception onEmpty =
        assertThrows(
            Exception.class,
            () -> tables.replaceDates(SPEC, rows(spark, d1, 1.0, d2, 2.0), List.of(d1)));
    String messages = CauseChain.of(onEmpty);
    assertTrue(messages.contains("lake_tables_outside.lake_tables_probe"), messages);
    assertTrue(messages.contains("date one of [" + d1 + "]"), messages);
    assertTrue(tables.holdsNoFiles(SPEC), "nothing was committed");

    tables.replaceDates(SPEC, rows(spark, d1, 1.0), List.of(d1));
    assertThrows(
        Exception.class, () -> tables.replaceDates(SPEC, rows(spark, d2, 2.0), List.of(d1)));
    assertEquals(
        List.of(RowFactory.create(Date.valueOf(d1), 1.0)), tables.read(SPEC).collectAsList());
  }

  @Test
  void aTableWithoutChecksumIsReadFromItsLogEvenWhenItHoldsNothing() throws Exception {
    SparkSession spark = TestSpark.session();
    LakeTables tables = new LakeTables(spark, "lake_tables_no_crc");
    String writeChecksum = "spark.databricks.delta.writeChecksumFile.enabled";
    spark.conf().set(writeChecksum, "false");
    try {
      // Created by a writer that keeps no checksums: no count to trust, so nothing is assumed.
      tables.replaceDates(
          SPEC,
          spark.createDataFrame(List.of(), SPEC.schema()),
          List.of(LocalDate.of(2026, 11, 1)));
    } finally {
      spark.conf().unset(writeChecksum);
    }
    Path log = logFolder(spark, tables);
    try (Stream<Path> files = Files.list(log)) {
      // Delta's checksum is <version>.crc; the local file system's own .<name>.crc files are not
      // it.
      assertEquals(
          List.of(), files.filter(f -> f.getFileName().toString().matches("\\d+\\.crc")).toList());
    }
    // The process that committed keeps the count it computed in memory; another one reads the log.
    DeltaLog.clearCache();
    assertFalse(tables.holdsNoFiles(SPEC));
    Dataset<Row> read = tables.read(SPEC);
    assertFalse(StageFrames.knownEmptyOverLocalData(read));
    assertEquals(0, read.count());

    // A date its ingest replaced with nothing is an empty local frame of the same columns all the
    // same.
    Dataset<Row> none = tables.noRows(SPEC);
    assertTrue(StageFrames.knownEmptyOverLocalData(none));
    assertEquals(read.schema(), none.schema());
  }

  @Test
  void aCommitsChecksumCountsItsFilesWithoutCopyingTheirList() throws Exception {
    SparkSession spark = TestSpark.session();
    LakeTables tables = new LakeTables(spark, "lake_tables_crc");
    LocalDate d1 = LocalDate.of(2026, 11, 1);
    tables.replaceDates(SPEC, rows(spark, d1, 1.0), List.of(d1));

    Path log = logFolder(spark, tables);
    // Version 0 created the table, version 1 wrote the date's one file.
    JsonNode checksum =
        new ObjectMapper().readTree(log.resolve("00000000000000000001.crc").toFile());
    assertEquals(1, checksum.get("numFiles").asInt());
    assertFalse(checksum.has("allFiles"), checksum.toString());
  }

  /**
   * How a small date writes and reads (QuerySettings): its file goes into the log without column statistics, a large
   * date's with them. Whatever settings a later read runs with, a filter on a data column still finds the rows of the
   * file without statistics, and a read of one date still reads that date's files alone: it succeeds after the other
   * date's file is gone from the disk.
   */
  @Test
  void aSmallDatesFileHasNoStatisticsYetEveryReadFindsItsRowsAndPrunesByDate() throws Exception {
    SparkSession spark = TestSpark.session();
    QuerySettings.Saved asCame = QuerySettings.save(spark);
    try {
      LakeTables tables = new LakeTables(spark, "lake_tables_statistics");
      LedgerConfig config = TestSpark.config("spark.codegen_min_input_mib=1");
      long smallInput = 0;
      long largeInput = 1L << 20;
      LocalDate small = LocalDate.of(2026, 11, 1);
      LocalDate large = LocalDate.of(2026, 11, 2);
      QuerySettings.forInput(spark, config, smallInput);
      tables.replaceDates(SPEC, rows(spark, small, 1.0, small, 2.0), List.of(small));
      QuerySettings.forInput(spark, config, largeInput);
      tables.replaceDates(SPEC, rows(spark, large, 5.0), List.of(large));

      Map<String, Row> fileByDate = new HashMap<>();
      DeltaLog.forTableWithSnapshot(
              spark, new TableIdentifier(SPEC.name(), Option.apply("lake_tables_statistics")))
          ._2()
          .allFiles()
          .toDF()
          .select(
              functions.col("partitionValues").getItem("date"),
              functions.col("path"),
              functions.col("stats"))
          .collectAsList()
          .forEach(r -> fileByDate.put(r.getString(0), r));
      assertTrue(
          fileByDate.get(small.toString()).isNullAt(2), "a small date's file: no statistics");
      assertTrue(
          fileByDate.get(large.toString()).getString(2).contains("\"numRecords\":1"),
          "a large date's file: " + fileByDate.get(large.toString()));

      String table = tables.qualified(SPEC);
      for (long input : List.of(smallInput, largeInput)) {
        QuerySettings.forInput(spark, config, input);
        assertEquals(
            List.of(2.0, 5.0),
            costs(spark.table(table).where(functions.col("cost").gt(1.5))),
            "costs above 1.5, read as a date over " + input + " bytes reads");
      }

      Path tableFolder = logFolder(spark, tables).getParent();
      Files.delete(
          tableFolder.resolve(new URI(fileByDate.get(large.toString()).getString(1)).getPath()));
      for (long input : List.of(smallInput, largeInput)) {
        QuerySettings.forInput(spark, config, input);
        assertEquals(
            List.of(1.0, 2.0),
            costs(spark.table(table).where(functions.col("date").equalTo(Date.valueOf(small)))),
            "the small date alone, read as a date over " + input + " bytes reads");
      }
    } finally {
      asCame.restore();
    }
  }

  private static List<Double> costs(Dataset<Row> rows) {
    return rows.orderBy("cost").select("cost").collectAsList().stream()
        .map(r -> r.getDouble(0))
        .toList();
  }

  private static Path logFolder(SparkSession spark, LakeTables tables) {
    String location =
        spark
            .sql("DESCRIBE DETAIL " + tables.qualified(SPEC))
            .select("location")
            .first()
            .getString(0);
    return Path.of(URI.create(location)).resolve("_delta_log");
  }

  private static Dataset<Row> rows(SparkSession spark, Object... dateCostPairs) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < dateCostPairs.length; i += 2) {
      rows.add(RowFactory.create(Date.valueOf((LocalDate) dateCostPairs[i]), dateCostPairs[i + 1]));
    }
    return spark.createDataFrame(rows, SPEC.schema());
  }
}
