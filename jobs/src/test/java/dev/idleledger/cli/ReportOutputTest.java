package dev.idleledger.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.report.HtmlReport;
import dev.idleledger.report.ReportData;
import dev.idleledger.spark.LakeTables;
import dev.idleledger.testing.FleetLake;
import dev.idleledger.testing.S3ApiServer;
import dev.idleledger.testing.TestSpark;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code report --out} takes any Hadoop path: the nightly on a cluster writes to S3 (a real S3 API server here), a person to a local file. */
class ReportOutputTest {
  private static final String BUCKET = "ledger-reports";
  private static S3ApiServer server;
  private static LakeTables tables;
  private static LocalDate from;
  private static LocalDate to;

  @TempDir Path dir;

  @BeforeAll
  static void lakeAndBucket() {
    FleetLake.Lake lake = FleetLake.get();
    SparkSession spark = TestSpark.session();
    server = S3ApiServer.start();
    server.createBucket(BUCKET);
    // The shared session is already built: S3A is pointed at the server on its live Hadoop
    // configuration.
    server.configure(spark.sparkContext().hadoopConfiguration());
    tables = new LakeTables(spark, lake.database());
    from = lake.dates().get(0);
    to = lake.dates().get(lake.dates().size() - 1);
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.stop();
    }
  }

  @Test
  void theReportIsWrittenToAnS3aPathThroughHadoop() throws Exception {
    ReportCommand.Written written =
        ReportCommand.write(tables, from, to, "s3a://" + BUCKET + "/reports/" + to + ".html");
    assertEquals("s3a://" + BUCKET + "/reports/" + to + ".html", written.path());
    assertEquals(List.of("reports/" + to + ".html"), server.keys(BUCKET, "reports/"));
    String stored =
        server
            .client()
            .getObjectAsBytes(b -> b.bucket(BUCKET).key("reports/" + to + ".html"))
            .asString(StandardCharsets.UTF_8);
    assertEquals(
        HtmlReport.render(written.data()), stored, "the object is the whole rendered report");
    assertTrue(
        stored.contains("<h2>Open recommendations</h2>")
            && stored.contains("id=\"realized-savings\""),
        "the report says what to do");
  }

  @Test
  void aLocalReportGetsItsFoldersAndNoChecksumFileBesideIt() throws Exception {
    Path out = dir.resolve("reports/nightly/report.html");
    ReportCommand.Written written = ReportCommand.write(tables, from, to, out.toString());
    assertEquals(out.toUri().toString().replaceAll("^file:/+", "file:/"), written.path());
    assertEquals(HtmlReport.render(written.data()), Files.readString(out));
    try (var files = Files.list(out.getParent())) {
      assertEquals(
          List.of("report.html"),
          files.map(p -> p.getFileName().toString()).toList(),
          "no .report.html.crc for a person to wonder about");
    }
  }

  @Test
  void writingAgainReplacesTheReport() throws Exception {
    Path out = dir.resolve("again.html");
    Files.writeString(out, "an older, longer report ".repeat(10_000));
    ReportData data = ReportCommand.write(tables, from, to, out.toString()).data();
    assertEquals(HtmlReport.render(data), Files.readString(out));
  }
}
