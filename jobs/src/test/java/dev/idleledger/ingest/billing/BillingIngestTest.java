package dev.idleledger.ingest.billing;

import static dev.idleledger.ingest.billing.BillingFixtures.curUsage;
import static dev.idleledger.ingest.billing.BillingFixtures.focusUsage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.config.LedgerConfig;
import dev.idleledger.quality.QualityRecorder;
import dev.idleledger.quality.SourceAccounting;
import dev.idleledger.spark.LakeTables;
import dev.idleledger.testing.DeltaHistory;
import dev.idleledger.testing.TestSpark;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BillingIngestTest {
  private static final String DB = "billing_ingest_test";
  private static final LocalDate DAY = LocalDate.of(2026, 11, 1);
  private final SparkSession spark = TestSpark.session();

  @TempDir Path tmp;

  private record Result(
      List<SourceAccounting> accounting, List<Row> hours, List<Row> quarantine, List<Row> checks) {}

  private Result run(LocalDate date, String... overrides) {
    List<String> all = new ArrayList<>(List.of("catalog.database=" + DB));
    all.addAll(List.of(overrides));
    LedgerConfig config = TestSpark.config(all.toArray(String[]::new));
    String runId = UUID.randomUUID().toString();
    QualityRecorder quality = new QualityRecorder(new LakeTables(spark, config), runId, date);
    List<SourceAccounting> accounting = new BillingIngest(spark, config).run(date, quality);
    quality.flush();
    List<Row> hours =
        spark
            .sql(
                "SELECT * FROM "
                    + DB
                    + ".billing_hourly WHERE date = DATE'"
                    + date
                    + "' ORDER BY instance_id, hour")
            .collectAsList();
    List<Row> quarantine =
        spark
            .sql(
                "SELECT * FROM "
                    + DB
                    + ".quarantine WHERE run_id = '"
                    + runId
                    + "' ORDER BY file, line")
            .collectAsList();
    List<Row> checks =
        spark
            .sql(
                "SELECT * FROM "
                    + DB
                    + ".run_quality WHERE run_id = '"
                    + runId
                    + "' ORDER BY check, source")
            .collectAsList();
    return new Result(accounting, hours, quarantine, checks);
  }

  private static Row check(Result r, String check, String source) {
    return r.checks().stream()
        .filter(c -> check.equals(c.getAs("check")) && source.equals(c.getAs("source")))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("no check " + check + "/" + source + " in " + r.checks()));
  }

  private Path period(Path root, String period) throws IOException {
    return Files.createDirectories(root.resolve("BILLING_PERIOD=" + period));
  }

  private static byte[] gzip(String text) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  /** The rows as a Parquet file typed the way CUR 2.0 Parquet exports are (timestamps and doubles), in folder {@code dir}. */
  @SafeVarargs
  private void writeCurParquet(Path dir, Map<String, String>... rows) {
    Dataset<Row> typed =
        BillingFixtures.frame(spark, rows).drop(BillingCharges.FILE, BillingCharges.LINE);
    for (String c : List.of(CurLineItems.START, CurLineItems.END)) {
      typed = typed.withColumn(c, typed.col(c).cast(DataTypes.TimestampType));
    }
    for (String c :
        List.of(
            CurLineItems.USAGE_AMOUNT,
            CurLineItems.UNBLENDED,
            CurLineItems.PUBLIC_ON_DEMAND,
            CurLineItems.RI_EFFECTIVE,
            CurLineItems.SP_EFFECTIVE)) {
      typed = typed.withColumn(c, typed.col(c).cast(DataTypes.DoubleType));
    }
    typed.coalesce(1).write().mode("overwrite").parquet(dir.toString());
  }

  @Test
  void theRealTraceGivesTwoInstanceHoursOf688AndItsEbsLineIsNotGpuTime() {
    Path cur = TestSpark.sharedDir().resolve("data/h100-trace/billing/cur");
    LocalDate day = LocalDate.of(2026, 11, 28);
    Result r = run(day, "input.billing.cur=" + cur);

    assertEquals(2, r.hours().size());
    for (int i = 0; i < 2; i++) {
      Row h = r.hours().get(i);
      assertEquals("i-0c0ffee0000000001", h.getAs("instance_id"));
      assertEquals(
          Timestamp.from(Instant.parse("2026-11-28T0" + (i + 2) + ":00:00Z")), h.getAs("hour"));
      assertEquals(6.88, h.<Double>getAs("node_cost"), 1e-9);
      assertEquals(6.88, h.<Double>getAs("list_cost"), 1e-9);
      assertEquals(3600.0, h.<Double>getAs("billed_seconds"), 1e-9);
      assertEquals("p5.4xlarge", h.getAs("instance_type"));
      assertEquals("OnDemand", h.getAs("pricing_term"));
      assertEquals("USD", h.getAs("currency"));
      assertEquals("cur", h.getAs("source"));
      assertTrue(h.<String>getAs("source_file").endsWith("cur-00001.csv"));
    }
    assertEquals(List.of(new SourceAccounting("billing.cur", 3, 2, 0, 0, 1)), r.accounting());
    assertEquals(0.00011, check(r, "non_gpu_cost", "billing.cur").<Double>getAs("value"), 1e-12);
    assertEquals(2.0, check(r, "billing_instance_hours", "billing.cur").<Double>getAs("value"), 0);
    assertTrue(check(r, "rows_accounted", "billing.cur").<Boolean>getAs("passed"));
    assertTrue(r.quarantine().isEmpty());
  }

  @Test
  void unreadableFilesAndBadRowsAreQuarantinedWhileTheRestLoads() throws IOException {
    Path root = tmp.resolve("cur");
    Path nov = period(root, "2026-11");
    // A gzipped file missing three optional columns still loads; one of its rows has an unparseable
    // date.
    String good =
        BillingFixtures.csv(
            curUsage(
                CurLineItems.RI_EFFECTIVE,
                null,
                CurLineItems.SP_EFFECTIVE,
                null,
                CurLineItems.PRICING_TERM,
                null),
            curUsage(
                CurLineItems.RESOURCE_ID,
                "i-0b",
                CurLineItems.RI_EFFECTIVE,
                null,
                CurLineItems.SP_EFFECTIVE,
                null,
                CurLineItems.PRICING_TERM,
                null),
            curUsage(
                CurLineItems.START,
                "2026-13-01T10:00:00Z",
                CurLineItems.RI_EFFECTIVE,
                null,
                CurLineItems.SP_EFFECTIVE,
                null,
                CurLineItems.PRICING_TERM,
                null),
            curUsage(
                CurLineItems.TYPE,
                "Tax",
                CurLineItems.UNBLENDED,
                "4.5",
                CurLineItems.RESOURCE_ID,
                "",
                CurLineItems.RI_EFFECTIVE,
                null,
                CurLineItems.SP_EFFECTIVE,
                null,
                CurLineItems.PRICING_TERM,
                null));
    Files.write(nov.resolve("a-good.csv.gz"), gzip(good));
    Files.writeString(
        nov.resolve("b-no-resource-id.csv"),
        BillingFixtures.csv(curUsage(CurLineItems.RESOURCE_ID, null)));
    byte[] gz = gzip(BillingFixtures.csv(curUsage(), curUsage(), curUsage(), curUsage()));
    Files.write(nov.resolve("c-truncated.csv.gz"), Arrays.copyOf(gz, gz.length / 2));
    Path parquetDir = tmp.resolve("parquet-src");
    writeCurParquet(parquetDir, curUsage());
    Path part =
        Files.list(parquetDir)
            .filter(p -> p.getFileName().toString().endsWith(".parquet"))
            .findFirst()
            .orElseThrow();
    byte[] pq = Files.readAllBytes(part);
    Files.write(nov.resolve("d-truncated.parquet"), Arrays.copyOf(pq, pq.length - 20));

    Result r = run(DAY, "input.billing.cur=" + root);

    assertEquals(
        List.of("i-0a1b2c3d4e5f60718", "i-0b"),
        r.hours().stream().map(h -> h.<String>getAs("instance_id")).toList());
    assertEquals(4, r.quarantine().size(), r.quarantine().toString());
    Row badDate = r.quarantine().get(0);
    assertTrue(badDate.<String>getAs("file").endsWith("a-good.csv.gz"));
    assertEquals(
        4L, (long) badDate.<Long>getAs("line"), "header is line 1, the bad row the third after it");
    assertEquals("unparseable line_item_usage_start_date", badDate.getAs("reason"));
    assertTrue(badDate.<String>getAs("raw").contains("2026-13-01T10:00:00Z"));
    assertEquals("billing.cur", badDate.getAs("source"));
    assertEquals(
        "missing required column line_item_resource_id", r.quarantine().get(1).getAs("reason"));
    assertTrue(
        r.quarantine().get(2).<String>getAs("reason").startsWith("unreadable file"),
        r.quarantine().get(2).toString());
    assertTrue(
        r.quarantine().get(3).<String>getAs("reason").startsWith("unreadable file"),
        r.quarantine().get(3).toString());
    for (int i = 1; i < 4; i++) {
      assertTrue(
          r.quarantine().get(i).isNullAt(r.quarantine().get(i).fieldIndex("line")),
          "a whole file has no line");
    }
    // read 4 rows + 3 unreadable files = used 2 + quarantined 1 + 3 + ignored 1 (the tax line)
    assertEquals(List.of(new SourceAccounting("billing.cur", 7, 2, 4, 0, 1)), r.accounting());
    assertEquals(4.5, check(r, "non_gpu_cost", "billing.cur").<Double>getAs("value"), 1e-9);
    assertTrue(check(r, "rows_accounted", "billing.cur").<Boolean>getAs("passed"));
  }

  @Test
  void parquetAndCsvExportsGiveTheSameRows() throws IOException {
    Map<String, String>[] rows = rowsOfTwoDays();
    Path csvRoot = tmp.resolve("csv");
    Files.writeString(period(csvRoot, "2026-11").resolve("cur.csv"), BillingFixtures.csv(rows));
    Path parquetRoot = tmp.resolve("pq");
    writeCurParquet(period(parquetRoot, "2026-11").resolve("export"), rows);

    // Reader and transforms only: the Delta write is the same code path whichever format was read.
    List<Row> fromCsv = curHoursRead(csvRoot);
    List<Row> fromParquet = curHoursRead(parquetRoot);
    assertEquals(
        3, fromCsv.size(), "one hour of i-0a, two of i-0b; the row of Nov 2 is another day");
    assertEquals(withoutFile(fromCsv), withoutFile(fromParquet));
    assertEquals(22.9408, fromParquet.get(1).<Double>getAs("node_cost"), 1e-9);
    assertEquals(19.6636, fromParquet.get(2).<Double>getAs("node_cost"), 1e-9);
  }

  private List<Row> curHoursRead(Path root) {
    BillingExportReader.RawRows raw =
        new BillingExportReader(
                spark, CurLineItems.SOURCE, CurLineItems.REQUIRED, CurLineItems.OPTIONAL)
            .read(root.toString(), DAY);
    assertTrue(raw.rejected().isEmpty(), raw.rejected().toString());
    return InstanceHours.total(InstanceHours.spread(CurLineItems.toCharges(raw.rows()), DAY), "cur")
        .orderBy("instance_id", "hour")
        .collectAsList();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String>[] rowsOfTwoDays() {
    return new Map[] {
      curUsage(),
      curUsage(
          CurLineItems.RESOURCE_ID,
          "i-0b",
          CurLineItems.TYPE,
          "SavingsPlanCoveredUsage",
          CurLineItems.SP_EFFECTIVE,
          "22.9408"),
      curUsage(
          CurLineItems.RESOURCE_ID,
          "i-0b",
          CurLineItems.START,
          "2026-11-01T11:00:00Z",
          CurLineItems.END,
          "2026-11-01T12:00:00Z",
          CurLineItems.TYPE,
          "DiscountedUsage",
          CurLineItems.RI_EFFECTIVE,
          "19.6636"),
      curUsage(CurLineItems.START, "2026-11-02T10:00:00Z", CurLineItems.END, "2026-11-02T11:00:00Z")
    };
  }

  private static List<String> withoutFile(List<Row> hours) {
    return hours.stream()
        .map(
            h -> {
              List<Object> v = new ArrayList<>();
              for (String c : h.schema().fieldNames()) {
                if (!c.equals("source_file")) {
                  v.add(h.getAs(c));
                }
              }
              return v.toString();
            })
        .toList();
  }

  @Test
  void whenBothSourcesCoverAnInstanceHourOnlyThePreferredOneCounts() throws IOException {
    Path curRoot = tmp.resolve("cur");
    Files.writeString(
        period(curRoot, "2026-11").resolve("cur.csv"),
        BillingFixtures.csv(
            curUsage(CurLineItems.RESOURCE_ID, "i-0a", CurLineItems.UNBLENDED, "10"),
            curUsage(CurLineItems.RESOURCE_ID, "i-0b", CurLineItems.UNBLENDED, "5")));
    Path focusRoot = tmp.resolve("focus");
    Files.writeString(
        period(focusRoot, "2026-11").resolve("focus.csv"),
        BillingFixtures.csv(
            focusUsage(
                FocusCharges.RESOURCE_ID,
                "arn:aws:ec2:us-east-1:123456789012:instance/i-0a",
                FocusCharges.EFFECTIVE_COST,
                "10"),
            focusUsage(
                FocusCharges.RESOURCE_ID,
                "arn:aws:ec2:us-east-1:123456789012:instance/i-0c",
                FocusCharges.EFFECTIVE_COST,
                "7")));

    Result r =
        run(
            DAY,
            "input.billing.cur=" + curRoot,
            "input.billing.focus=" + focusRoot,
            "input.billing.prefer=focus");

    assertEquals(
        List.of("i-0a focus 10.0", "i-0b cur 5.0", "i-0c focus 7.0"),
        r.hours().stream()
            .map(h -> h.getAs("instance_id") + " " + h.getAs("source") + " " + h.getAs("node_cost"))
            .toList());
    assertEquals(
        List.of(
            new SourceAccounting("billing.cur", 2, 1, 0, 1, 0),
            new SourceAccounting("billing.focus", 2, 2, 0, 0, 0)),
        r.accounting());
    assertEquals(
        1.0, check(r, "billing_overlap_instance_hours", "billing").<Double>getAs("value"), 0);
    assertEquals(1.0, check(r, "billing_instance_hours", "billing.cur").<Double>getAs("value"), 0);
    assertEquals(
        2.0, check(r, "billing_instance_hours", "billing.focus").<Double>getAs("value"), 0);
  }

  @Test
  void aFileDeliveredTwiceIsCountedOnceAndItsCopysLinesAreDuplicates() throws IOException {
    Path root = tmp.resolve("cur");
    Path nov = period(root, "2026-11");
    String bill =
        BillingFixtures.csv(
            curUsage(CurLineItems.UNBLENDED, "10"),
            curUsage(CurLineItems.RESOURCE_ID, "i-0b", CurLineItems.UNBLENDED, "5"));
    Files.writeString(nov.resolve("a.csv"), bill);
    Files.writeString(nov.resolve("b-copy.csv"), bill);

    Result r = run(DAY, "input.billing.cur=" + root);

    // Each hour once, from the file that sorts first: 10 for the first instance, 5 for i-0b.
    assertEquals(
        List.of("i-0a1b2c3d4e5f60718 10.0 a.csv", "i-0b 5.0 a.csv"),
        r.hours().stream()
            .map(
                h ->
                    h.getAs("instance_id")
                        + " "
                        + h.getAs("node_cost")
                        + " "
                        + Path.of(h.<String>getAs("source_file")).getFileName())
            .toList());
    // read 4 = used 2 (a.csv) + duplicate 2 (b-copy.csv)
    assertEquals(List.of(new SourceAccounting("billing.cur", 4, 2, 0, 2, 0)), r.accounting());
    assertTrue(check(r, "rows_accounted", "billing.cur").<Boolean>getAs("passed"));
  }

  @Test
  void equalLinesOfOneFileAreTwoCharges() throws IOException {
    // Without CUR's identity columns two equal lines of one delivery can be two real charges: a
    // bill of one file has no earlier file to repeat, so nothing in it is a duplicate.
    Path root = tmp.resolve("cur");
    Files.writeString(
        period(root, "2026-11").resolve("cur.csv"),
        BillingFixtures.csv(
            curUsage(CurLineItems.UNBLENDED, "10"), curUsage(CurLineItems.UNBLENDED, "10")));

    Result r = run(DAY, "input.billing.cur=" + root);

    // 10 + 10 on the one instance-hour
    assertEquals(1, r.hours().size());
    assertEquals(20.0, r.hours().get(0).<Double>getAs("node_cost"), 1e-9);
    // read 2 = used 2
    assertEquals(List.of(new SourceAccounting("billing.cur", 2, 2, 0, 0, 0)), r.accounting());
  }

  @Test
  void aRestatedBillReplacesTheDate() throws IOException {
    Path root = tmp.resolve("cur");
    Path file = period(root, "2026-11").resolve("cur.csv");
    Files.writeString(
        file,
        BillingFixtures.csv(
            curUsage(CurLineItems.UNBLENDED, "40"), curUsage(CurLineItems.RESOURCE_ID, "i-0gone")));
    run(DAY, "input.billing.cur=" + root);
    Files.writeString(file, BillingFixtures.csv(curUsage(CurLineItems.UNBLENDED, "32.7726")));
    Result r = run(DAY, "input.billing.cur=" + root);
    assertEquals(1, r.hours().size());
    assertEquals(32.7726, r.hours().get(0).<Double>getAs("node_cost"), 1e-9);
  }

  /**
   * A date the bill does not reach (the trace's bill is all 2026-11-28; the first night's lookback reads the same file
   * for the days before): no instance-hour, and every raw line accounted as ignored (two instance lines of another
   * day, one line that is not GPU time), nothing used, the checks over the date's hours zero.
   */
  @Test
  void aDateTheBillDoesNotReachHasNoHoursAndIgnoresEveryLine() {
    Path cur = TestSpark.sharedDir().resolve("data/h100-trace/billing/cur");
    Result r = run(LocalDate.of(2026, 11, 27), "input.billing.cur=" + cur);

    assertTrue(r.hours().isEmpty(), r.hours().toString());
    assertEquals(List.of(new SourceAccounting("billing.cur", 3, 0, 0, 0, 3)), r.accounting());
    assertTrue(check(r, "rows_accounted", "billing.cur").<Boolean>getAs("passed"));
    assertEquals(0.0, check(r, "billing_instance_hours", "billing.cur").<Double>getAs("value"), 0);
    assertEquals(0.0, check(r, "billing_corrections", "billing.cur").<Double>getAs("value"), 0);
    assertEquals(0.0, check(r, "non_gpu_cost", "billing.cur").<Double>getAs("value"), 0);
    assertTrue(r.quarantine().isEmpty());
  }

  /**
   * At midnight: a line that ends as the date starts does not reach it (usage ends are exclusive); a line across
   * midnight does, with the share of its money and usage that falls on the date's first hour (half of two hours).
   */
  @Test
  void aLineEndingAtTheDatesStartDoesNotReachItAndOneAcrossMidnightDoes() throws IOException {
    Path root = tmp.resolve("cur");
    Files.writeString(
        period(root, "2026-10").resolve("cur.csv"),
        BillingFixtures.csv(
            curUsage(
                CurLineItems.RESOURCE_ID, "i-0ends0at0midnight",
                CurLineItems.START, "2026-10-31T23:00:00Z",
                CurLineItems.END, "2026-11-01T00:00:00Z"),
            curUsage(
                CurLineItems.RESOURCE_ID, "i-0across0midnight",
                CurLineItems.START, "2026-10-31T23:30:00Z",
                CurLineItems.END, "2026-11-01T00:30:00Z",
                CurLineItems.UNBLENDED, "40",
                CurLineItems.PUBLIC_ON_DEMAND, "40")));
    // The 1st reads the period before it too: a line across midnight sits in October's export.
    Result r = run(DAY, "input.billing.cur=" + root);

    assertEquals(1, r.hours().size(), r.hours().toString());
    Row h = r.hours().get(0);
    assertEquals("i-0across0midnight", h.getAs("instance_id"));
    assertEquals(Timestamp.from(Instant.parse("2026-11-01T00:00:00Z")), h.getAs("hour"));
    assertEquals(20.0, h.<Double>getAs("node_cost"), 1e-9);
    // read 2 = used 1 + ignored 1 (the line that ended as the date began)
    assertEquals(List.of(new SourceAccounting("billing.cur", 2, 1, 0, 0, 1)), r.accounting());
  }

  /** A restatement that moves the date's only line to another day leaves the date with no instance-hour. */
  @Test
  void aRestatedBillThatNoLongerReachesTheDateEmptiesIt() throws IOException {
    Path root = tmp.resolve("cur");
    Path file = period(root, "2026-11").resolve("cur.csv");
    Files.writeString(file, BillingFixtures.csv(curUsage()));
    assertEquals(1, run(DAY, "input.billing.cur=" + root).hours().size());
    Files.writeString(
        file,
        BillingFixtures.csv(
            curUsage(
                CurLineItems.START, "2026-11-02T10:00:00Z",
                CurLineItems.END, "2026-11-02T11:00:00Z")));
    Result r = run(DAY, "input.billing.cur=" + root);
    assertTrue(r.hours().isEmpty(), r.hours().toString());
    assertEquals(List.of(new SourceAccounting("billing.cur", 1, 0, 0, 0, 1)), r.accounting());
  }

  /**
   * A bill whose bad line was corrected: the re-read counts no rejected line and writes no quarantine rows, and the
   * date's reject from the first read is gone. The first read of a clean bill commits nothing to the quarantine.
   */
  @Test
  void aCorrectedBillTakesTheDatesRejectsAway() throws IOException {
    Path root = tmp.resolve("cur");
    Path file = period(root, "2026-11").resolve("cur.csv");
    String quarantineOfDay =
        "SELECT source FROM " + DB + ".quarantine WHERE date = DATE'" + DAY + "'";
    Files.writeString(
        file,
        BillingFixtures.csv(curUsage(), curUsage(CurLineItems.START, "2026-13-01T10:00:00Z")));
    Result first = run(DAY, "input.billing.cur=" + root);
    assertEquals(1, first.quarantine().size(), first.quarantine().toString());

    Files.writeString(file, BillingFixtures.csv(curUsage()));
    Result corrected = run(DAY, "input.billing.cur=" + root);

    assertEquals(
        List.of(new SourceAccounting("billing.cur", 1, 1, 0, 0, 0)), corrected.accounting());
    assertEquals(List.of(), spark.sql(quarantineOfDay).collectAsList());
    // Taken away by a DELETE of the date's billing rejects, with no query over the bill's lines.
    List<String> operations = DeltaHistory.operations(spark, DB + ".quarantine");
    assertEquals("DELETE", operations.get(operations.size() - 1), operations.toString());
  }

  /**
   * The fingerprint of the billing lines that price a date, asked before and after the date's ingest counted them:
   * the same for the trace's 27th, which no line reaches (worked out without a query once counted), and for its 28th,
   * which two instance lines reach.
   */
  @Test
  void aDatesLinesFingerprintIsTheSameWhetherOrNotItsIngestCountedItsLines() {
    Path cur = TestSpark.sharedDir().resolve("data/h100-trace/billing/cur");
    LedgerConfig config = TestSpark.config("catalog.database=" + DB, "input.billing.cur=" + cur);
    LocalDate none = LocalDate.of(2026, 11, 27);
    LocalDate traced = LocalDate.of(2026, 11, 28);
    List<LocalDate> night = List.of(none, traced);
    String noneAsked;
    String tracedAsked;
    try (BillingIngest asked = new BillingIngest(spark, config, night)) {
      noneAsked = asked.linesFingerprint(none);
      tracedAsked = asked.linesFingerprint(traced);
    }
    try (BillingIngest counted = new BillingIngest(spark, config, night)) {
      for (LocalDate d : night) {
        counted.run(d, new QualityRecorder(new LakeTables(spark, config), "fp-" + d, d));
      }
      assertEquals(noneAsked, counted.linesFingerprint(none));
      assertEquals(tracedAsked, counted.linesFingerprint(traced));
    }
    assertTrue(noneAsked.startsWith("billing.cur 0 "), noneAsked);
    assertTrue(tracedAsked.startsWith("billing.cur 2 "), tracedAsked);
  }
}
