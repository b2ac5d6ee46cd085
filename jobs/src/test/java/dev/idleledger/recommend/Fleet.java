package dev.idleledger.recommend;

import dev.idleledger.attribute.CostAttribution;
import dev.idleledger.config.InstanceCatalog;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.ingest.SilverTables;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/** Tiny silver frames in exactly the silver schemas, one cluster and one day, for the recommendation tests. */
final class Fleet {
  static final String H100 = "NVIDIA H100 80GB HBM3";
  static final double H100_MIB = 81559;

  final LocalDate date;
  final String cluster = "c1";
  final Instant midnight;
  final List<Row> samples = new ArrayList<>();
  final List<Row> pods = new ArrayList<>();
  final List<Row> nodes = new ArrayList<>();
  final List<Row> bills = new ArrayList<>();

  Fleet(LocalDate date) {
    this.date = date;
    this.midnight = date.atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
  }

  /** Samples every {@code step} s from minute {@code fromMinute} for {@code minutes} on one whole GPU, held by {@code pods} (namespace/pod). */
  Fleet run(String node, String uuid, double fromMinute, double minutes, int step, double activity, double fbUsed, String... holders) {
    Instant from = midnight.plusMillis(Math.round(fromMinute * 60_000));
    for (int s = 0; s < Math.round(minutes * 60); s += step) {
      List<Row> hs = new ArrayList<>();
      for (String h : holders) {
        String[] p = h.split("/");
        hs.add(RowFactory.create(p[0], p[1], "main", null));
      }
      Instant ts = from.plusSeconds(s);
      // As ingest writes it: the hold cut at midnight, and its part past the end of ts's hour.
      double hold = Math.min(step, 86_400 - Math.floorMod(ts.toEpochMilli(), 86_400_000L) / 1000.0);
      double pastHour = Math.max(0, hold - (3600 - Math.floorMod(ts.toEpochMilli(), 3_600_000L) / 1000.0));
      samples.add(RowFactory.create(Date.valueOf(date), Timestamp.from(ts), cluster, node, uuid, "0", H100, null, null, uuid,
          activity, activity * 100, fbUsed, H100_MIB - fbUsed, 300.0, null, null, null, null, hs, hold, pastHour, 5L, 0L));
    }
    return this;
  }

  Fleet pod(String namespacePod, String kind, String name, String type, String team) {
    String[] p = namespacePod.split("/");
    pods.add(RowFactory.create(Date.valueOf(date), cluster, p[0], p[1], p[1] + "-uid", "n", null, null, kind, name, kind, name, type, team,
        Map.of(), "nvidia_com_gpu", 1.0));
    return this;
  }

  /** A node billed {@code perHour} for each of the first {@code hours} hours of the day. */
  Fleet node(String node, String instanceType, int gpus, double perHour, int hours, String pricingTerm) {
    String id = "i-" + node;
    nodes.add(RowFactory.create(Date.valueOf(date), cluster, node, "aws:///us-east-1a/" + id, id, instanceType, "on-demand", null, gpus, null, null));
    for (int h = 0; h < hours; h++) {
      bill(id, instanceType, h, perHour, perHour, pricingTerm);
    }
    return this;
  }

  Fleet bill(String instanceId, String instanceType, int hour, double nodeCost, double listCost, String pricingTerm) {
    bills.add(RowFactory.create(Date.valueOf(date), Timestamp.from(midnight.plusSeconds(3600L * hour)), instanceId, instanceType, "us-east-1",
        "123456789012", nodeCost, listCost, 1.0, 3600.0, pricingTerm, "USD", "cur", "fixture.csv"));
    return this;
  }

  Dataset<Row> samples(SparkSession spark) {
    return spark.createDataFrame(samples, SilverTables.GPU_SAMPLES.schema());
  }

  Dataset<Row> pods(SparkSession spark) {
    return spark.createDataFrame(pods, SilverTables.POD_INFO.schema());
  }

  Dataset<Row> nodes(SparkSession spark) {
    return spark.createDataFrame(nodes, SilverTables.NODE_INFO.schema());
  }

  Dataset<Row> bills(SparkSession spark) {
    return spark.createDataFrame(bills, SilverTables.BILLING_HOURLY.schema());
  }

  /** gpu_hourly of the day, by the cost model itself. */
  Dataset<Row> gpuHourly(SparkSession spark, LedgerConfig config, InstanceCatalog catalog) {
    return new CostAttribution(spark, new CostAttribution.Settings(date, config.idleActivityThreshold, config.memoryHeldThreshold,
        config.gpuShare, catalog, config.classifier)).attribute(samples(spark), nodes(spark), bills(spark), pods(spark)).gpuHourly();
  }
}
