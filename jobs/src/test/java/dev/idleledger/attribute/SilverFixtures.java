package dev.idleledger.attribute;

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

/** Builders of tiny silver frames, in exactly the silver schemas, for the cost-model tests. */
final class SilverFixtures {
  final LocalDate date;
  final String cluster;
  final List<Row> samples = new ArrayList<>();
  final List<Row> pods = new ArrayList<>();
  final List<Row> nodes = new ArrayList<>();
  final List<Row> bills = new ArrayList<>();

  SilverFixtures(LocalDate date, String cluster) {
    this.date = date;
    this.cluster = cluster;
  }

  record Holder(String namespace, String pod) {}

  /** One sample per second in [from, from + seconds), each holding `step` seconds. */
  SilverFixtures samples(String node, String uuid, String model, String migProfile, String migId, Instant from, int seconds, int step,
      double activity, double fbUsed, double fbTotal, Holder... holders) {
    for (int s = 0; s < seconds; s += step) {
      sample(node, uuid, model, migProfile, migId, from.plusSeconds(s), step, activity, fbUsed, fbTotal, holders);
    }
    return this;
  }

  /**
   * One sample at {@code ts} holding {@code hold} seconds, as ingest writes it: the hold cut at 24:00 and the part of
   * it past the end of ts's hour in hold_seconds_next_hour.
   */
  SilverFixtures sample(String node, String uuid, String model, String migProfile, String migId, Instant ts, double hold,
      double activity, double fbUsed, double fbTotal, Holder... holders) {
    List<Row> hs = new ArrayList<>();
    for (Holder h : holders) {
      hs.add(RowFactory.create(h.namespace(), h.pod(), "main", null));
    }
    String unit = migId == null ? uuid : uuid + "/" + migId;
    double held = Math.min(hold, secondsToNext(ts, 86_400));
    samples.add(RowFactory.create(Date.valueOf(date), Timestamp.from(ts), cluster, node, uuid, "0", model, migProfile, migId, unit,
        activity, migProfile == null ? activity * 100 : null, fbUsed, fbTotal - fbUsed, 300.0,
        null, null, null, null, hs, held, Math.max(0, held - secondsToNext(ts, 3600)), 5L, 0L));
    return this;
  }

  /** Seconds from ts to the next multiple of {@code period} seconds since the epoch (the next hh:00, the next midnight). */
  static double secondsToNext(Instant ts, long period) {
    return period - Math.floorMod(ts.toEpochMilli(), period * 1000) / 1000.0;
  }

  SilverFixtures pod(String namespace, String pod, String kind, String name, String type, String team) {
    return pod(namespace, pod, kind, name, type, team, Map.of());
  }

  /** @param labels pod_info's labels: kube-state-metrics names without label_ (cost_center for cost-center) */
  SilverFixtures pod(String namespace, String pod, String kind, String name, String type, String team, Map<String, String> labels) {
    pods.add(RowFactory.create(Date.valueOf(date), cluster, namespace, pod, pod + "-uid", "node-a", null, null, kind, name, kind, name, type, team,
        labels, "nvidia_com_gpu", 1.0));
    return this;
  }

  SilverFixtures node(String node, String instanceId, String instanceType, int gpuCapacity) {
    nodes.add(RowFactory.create(Date.valueOf(date), cluster, node, "aws:///us-east-1a/" + instanceId, instanceId, instanceType, "on-demand",
        null, gpuCapacity, null, null));
    return this;
  }

  SilverFixtures bill(String instanceId, String instanceType, Instant hour, double nodeCost, double usageHours) {
    return bill("cur", instanceId, instanceType, hour, nodeCost, usageHours);
  }

  /** A billing_hourly row as the named source ("cur" or "focus") would have written it. */
  SilverFixtures bill(String source, String instanceId, String instanceType, Instant hour, double nodeCost, double usageHours) {
    bills.add(RowFactory.create(Date.valueOf(date), Timestamp.from(hour), instanceId, instanceType, "us-east-1", "123456789012",
        nodeCost, nodeCost, usageHours, Math.min(3600.0, usageHours * 3600), "SavingsPlan", "USD", source, "fixture.csv"));
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
}
