package dev.idleledger.spark;

import static dev.idleledger.spark.TableSpec.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idleledger.testing.TestSpark;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;

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
  void aCommitsChecksumCountsItsFilesWithoutCopyingTheirList() throws Exception {
    SparkSession spark = TestSpark.session();
    LakeTables tables = new LakeTables(spark, "lake_tables_crc");
    LocalDate d1 = LocalDate.of(2026, 11, 1);
    tables.replaceDates(SPEC, rows(spark, d1, 1.0), List.of(d1));

    String location =
        spark
            .sql("DESCRIBE DETAIL " + tables.qualified(SPEC))
            .select("location")
            .first()
            .getString(0);
    Path log = Path.of(URI.create(location)).resolve("_delta_log");
    // Version 0 created the table, version 1 wrote the date's one file.
    JsonNode checksum =
        new ObjectMapper().readTree(log.resolve("00000000000000000001.crc").toFile());
    assertEquals(1, checksum.get("numFiles").asInt());
    assertFalse(checksum.has("allFiles"), checksum.toString());
  }

  private static Dataset<Row> rows(SparkSession spark, Object... dateCostPairs) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < dateCostPairs.length; i += 2) {
      rows.add(RowFactory.create(Date.valueOf((LocalDate) dateCostPairs[i]), dateCostPairs[i + 1]));
    }
    return spark.createDataFrame(rows, SPEC.schema());
  }
}
