package dev.idleledger.testing;

import dev.idleledger.attribute.CostAttribution;
import dev.idleledger.config.InstanceCatalog;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.ingest.SilverTables;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * One cluster's day of silver rows, in exactly the silver schemas, written the way a scenario is told: "node-a, a
 * p4d.24xlarge billed 22.94 at 10:00; GPU-0 held by ml-train/train-7f9c, 92% active for 20 minutes". Each kind of row
 * has a small spec with named setters ({@link #samples}, {@link #pod}, {@link #node}, {@link #bill}); what a scenario
 * leaves unset gets a default that no cost-model assertion reads (an H100 80GB, 1 s scrapes, on-demand, us-east-1).
 *
 * <p>Samples are written as ingest writes them (GpuSampleTransformTest pins that side): each holds until the next
 * (its step), the hold cut at 24:00 of the date, and the part of it past the end of its hour in
 * {@code hold_seconds_next_hour}.
 */
public final class SilverRows {
  public static final String H100 = "NVIDIA H100 80GB HBM3";

  /** What an H100 80GB reports as its frame buffer (used + free), MiB. */
  public static final double H100_MIB = 81559;

  public static final String A100_40GB = "NVIDIA A100-SXM4-40GB";

  private final LocalDate date;
  private String cluster = "c1";
  private final List<Samples> samples = new ArrayList<>();
  private final List<Pod> pods = new ArrayList<>();
  private final List<Node> nodes = new ArrayList<>();
  private final List<Bill> bills = new ArrayList<>();

  private SilverRows(LocalDate date) {
    this.date = date;
  }

  /** The silver rows of {@code date}, on cluster c1 until {@link #cluster} says otherwise. */
  public static SilverRows on(LocalDate date) {
    return new SilverRows(date);
  }

  /** The cluster every row of the day is on. */
  public SilverRows cluster(String name) {
    this.cluster = name;
    return this;
  }

  public LocalDate date() {
    return date;
  }

  public String cluster() {
    return cluster;
  }

  /** 00:00 UTC of the date. */
  public Instant midnight() {
    return date.atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  public SilverRows add(Samples s) {
    samples.add(s);
    return this;
  }

  public SilverRows add(Pod p) {
    pods.add(p);
    return this;
  }

  public SilverRows add(Node n) {
    nodes.add(n);
    return this;
  }

  public SilverRows add(Bill b) {
    bills.add(b);
    return this;
  }

  /** Samples of one GPU (or, with {@link Samples#mig}, one MIG instance of it) on {@code node}. */
  public static Samples samples(String node, String gpuUuid) {
    return new Samples(node, gpuUuid);
  }

  /** A pod, named {@code namespace/pod} as dcgm-exporter and the holders of a sample name it. */
  public static Pod pod(String namespacePod) {
    return new Pod(namespacePod);
  }

  /** A node of the cluster; its instance is {@code i-<node>} unless {@link Node#instance} names another. */
  public static Node node(String name) {
    return new Node(name);
  }

  /** billing_hourly rows of one instance. */
  public static Bill bill(String instanceId) {
    return new Bill(instanceId);
  }

  /** billing_hourly rows of the instance of the node it is given to ({@link Node#billed}). */
  public static Bill bill() {
    return new Bill(null);
  }

  public Dataset<Row> gpuSamples(SparkSession spark) {
    List<Row> rows = new ArrayList<>();
    samples.forEach(s -> s.rows(this, rows));
    return spark.createDataFrame(rows, SilverTables.GPU_SAMPLES.schema());
  }

  public Dataset<Row> podInfo(SparkSession spark) {
    return spark.createDataFrame(
        pods.stream().map(p -> p.row(this)).toList(), SilverTables.POD_INFO.schema());
  }

  public Dataset<Row> nodeInfo(SparkSession spark) {
    return spark.createDataFrame(
        nodes.stream().map(n -> n.row(this)).toList(), SilverTables.NODE_INFO.schema());
  }

  /** The bills added on their own, then those of the nodes, in the order they were added. */
  public Dataset<Row> billingHourly(SparkSession spark) {
    List<Row> rows = new ArrayList<>();
    bills.forEach(b -> b.rows(this, null, null, rows));
    for (Node n : nodes) {
      if (n.billing != null) {
        n.billing.rows(this, n.instanceId(), n.instanceType, rows);
      }
    }
    return spark.createDataFrame(rows, SilverTables.BILLING_HOURLY.schema());
  }

  /** The day through the cost model, with the settings the nightly attribute stage would use for {@code config}. */
  public CostAttribution.Result attribute(SparkSession spark, LedgerConfig config) {
    CostAttribution.Settings settings =
        new CostAttribution.Settings(
            date,
            config.idleActivityThreshold,
            config.memoryHeldThreshold,
            config.gpuShare,
            InstanceCatalog.load(config),
            config.classifier,
            config.chargebackLabels);
    return new CostAttribution(spark, settings)
        .attribute(gpuSamples(spark), nodeInfo(spark), billingHourly(spark), podInfo(spark));
  }

  /** gpu_hourly of the day, by the cost model itself. */
  public Dataset<Row> gpuHourly(SparkSession spark, LedgerConfig config) {
    return attribute(spark, config).gpuHourly();
  }

  /** Seconds from ts to the next multiple of {@code period} seconds since the epoch (the next hh:00, the next midnight). */
  static double secondsToNext(Instant ts, long period) {
    return period - Math.floorMod(ts.toEpochMilli(), period * 1000) / 1000.0;
  }

  /**
   * A run of samples every {@link #every} seconds over {@link #forSeconds} seconds from {@link #from}, all alike: one
   * activity, one frame-buffer use, the same holders. Defaults: a whole H100 80GB, from midnight, 1 s scrapes, idle,
   * nothing loaded, nobody holding it.
   */
  public static final class Samples {
    private final String node;
    private final String gpuUuid;
    private String model = H100;
    private String migProfile;
    private String migInstanceId;
    private Instant from;
    private double fromMinute;
    private double span = 1;
    private double step = 1;
    private double activity;
    private double fbUsed;
    private double fbTotal = H100_MIB;
    private List<String> holders = List.of();

    private Samples(String node, String gpuUuid) {
      this.node = node;
      this.gpuUuid = gpuUuid;
    }

    /** The modelName label. Set {@link #fbTotal} with it when it is not an H100 80GB. */
    public Samples model(String name) {
      this.model = name;
      return this;
    }

    /** A MIG instance of the GPU: GPU_I_PROFILE and GPU_I_ID. */
    public Samples mig(String profile, String instanceId) {
      this.migProfile = profile;
      this.migInstanceId = instanceId;
      return this;
    }

    /** The first sample; midnight unless set. */
    public Samples from(Instant first) {
      this.from = first;
      return this;
    }

    /** The first sample {@code minute} minutes after midnight (to the millisecond). */
    public Samples fromMinute(double minute) {
      this.fromMinute = minute;
      this.from = null;
      return this;
    }

    public Samples forSeconds(double seconds) {
      this.span = seconds;
      return this;
    }

    /** For {@code minutes}, rounded to whole seconds. */
    public Samples forMinutes(double minutes) {
      this.span = Math.round(minutes * 60);
      return this;
    }

    /** The scrape interval, which is also how long each sample holds. */
    public Samples every(double seconds) {
      this.step = seconds;
      return this;
    }

    /** One sample at {@code ts}. */
    public Samples at(Instant ts) {
      return from(ts);
    }

    /** The one sample holds {@code seconds} (a gap to the next sample of the unit). */
    public Samples holding(double seconds) {
      this.span = seconds;
      this.step = seconds;
      return this;
    }

    /** DCGM_FI_PROF_GR_ENGINE_ACTIVE, 0-1 (gpu_util follows it for a whole GPU). */
    public Samples activity(double ratio) {
      this.activity = ratio;
      return this;
    }

    public Samples fbUsed(double mib) {
      this.fbUsed = mib;
      return this;
    }

    /** The unit's whole frame buffer (used + free), MiB: the GPU's, or the MIG instance's. */
    public Samples fbTotal(double mib) {
      this.fbTotal = mib;
      return this;
    }

    /** The pods on every sample, each {@code namespace/pod}: two or more on a time-sliced GPU. */
    public Samples heldBy(String... namespacePods) {
      this.holders = Arrays.asList(namespacePods);
      return this;
    }

    private void rows(SilverRows day, List<Row> out) {
      Instant first =
          from != null ? from : day.midnight().plusMillis(Math.round(fromMinute * 60_000));
      List<Row> holderRows =
          holders.stream()
              .map(
                  h -> {
                    String[] p = h.split("/", 2);
                    return RowFactory.create(p[0], p[1], "main", null);
                  })
              .toList();
      String unit = migInstanceId == null ? gpuUuid : gpuUuid + "/" + migInstanceId;
      for (double s = 0; s < span; s += step) {
        Instant ts = first.plusMillis(Math.round(s * 1000));
        double held = Math.min(step, secondsToNext(ts, 86_400));
        out.add(
            RowFactory.create(
                Date.valueOf(day.date),
                Timestamp.from(ts),
                day.cluster,
                node,
                gpuUuid,
                "0",
                model,
                migProfile,
                migInstanceId,
                unit,
                activity,
                migProfile == null ? activity * 100 : null,
                fbUsed,
                fbTotal - fbUsed,
                300.0,
                null,
                null,
                null,
                null,
                holderRows,
                held,
                Math.max(0, held - secondsToNext(ts, 3600)),
                5L,
                0L));
      }
    }
  }

  /** A pod_info row. Defaults: a bare Pod of type other, team unassigned, no labels, one nvidia.com/gpu. */
  public static final class Pod {
    private final String namespace;
    private final String name;
    private String node = "node-a";
    private String workloadKind = "Pod";
    private String workloadName;
    private String workloadType = "other";
    private String team = "unassigned";
    private Map<String, String> labels = Map.of();

    private Pod(String namespacePod) {
      String[] p = namespacePod.split("/", 2);
      this.namespace = p[0];
      this.name = p[1];
      this.workloadName = name;
    }

    /** Its top controller (the direct owner too, in these fixtures): Deployment chat-api, CronJob nightly-train. */
    public Pod workload(String kind, String workloadName) {
      this.workloadKind = kind;
      this.workloadName = workloadName;
      return this;
    }

    /** training | inference | notebook | other. */
    public Pod type(String workloadType) {
      this.workloadType = workloadType;
      return this;
    }

    public Pod team(String team) {
      this.team = team;
      return this;
    }

    public Pod onNode(String node) {
      this.node = node;
      return this;
    }

    /** Pod labels as kube-state-metrics names them, without label_ (cost_center for cost-center). */
    public Pod labels(Map<String, String> labels) {
      this.labels = labels;
      return this;
    }

    private Row row(SilverRows day) {
      return RowFactory.create(
          Date.valueOf(day.date),
          day.cluster,
          namespace,
          name,
          name + "-uid",
          node,
          null,
          null,
          workloadKind,
          workloadName,
          workloadKind,
          workloadName,
          workloadType,
          team,
          labels,
          "nvidia_com_gpu",
          1.0);
    }
  }

  /** A node_info row. Defaults: a 1-GPU p5.4xlarge, on-demand, instance {@code i-<node>}, not billed. */
  public static final class Node {
    private final String name;
    private String instanceId;
    private String instanceType = "p5.4xlarge";
    private int gpus = 1;
    private Bill billing;

    private Node(String name) {
      this.name = name;
    }

    public Node instance(String id) {
      this.instanceId = id;
      return this;
    }

    /** The node.kubernetes.io/instance-type label. */
    public Node type(String instanceType) {
      this.instanceType = instanceType;
      return this;
    }

    /** nvidia.com/gpu capacity (MIG-partitioned GPUs not counted, as under the mixed strategy). */
    public Node gpus(int capacity) {
      this.gpus = capacity;
      return this;
    }

    /** Its instance's bill: a {@link SilverRows#bill()} whose instance and type are the node's. */
    public Node billed(Bill hours) {
      this.billing = hours;
      return this;
    }

    private String instanceId() {
      return instanceId != null ? instanceId : "i-" + name;
    }

    private Row row(SilverRows day) {
      return RowFactory.create(
          Date.valueOf(day.date),
          day.cluster,
          name,
          "aws:///us-east-1a/" + instanceId(),
          instanceId(),
          instanceType,
          "on-demand",
          null,
          gpus,
          null,
          null);
    }
  }

  /**
   * billing_hourly rows of one instance, one per hour for {@link #forHours} hours from {@link #hour} (default: the
   * first hour of the day). Defaults: a p5.4xlarge, on-demand, fully used (1 usage hour, 3600 billed seconds), list
   * cost equal to the cost, from the CUR.
   */
  public static final class Bill {
    private final String instanceId;
    private String instanceType;
    private Instant hour;
    private int hourOfDay;
    private int hours = 1;
    private double cost;
    private Double listCost;
    private double usageHours = 1.0;
    private String pricingTerm = "OnDemand";
    private String source = "cur";

    private Bill(String instanceId) {
      this.instanceId = instanceId;
    }

    public Bill type(String instanceType) {
      this.instanceType = instanceType;
      return this;
    }

    /** The (first) hour billed, as an instant at hh:00. */
    public Bill hour(Instant start) {
      this.hour = start;
      return this;
    }

    /** The (first) hour billed, counted from midnight. */
    public Bill hourOfDay(int h) {
      this.hourOfDay = h;
      this.hour = null;
      return this;
    }

    /** One row per hour for {@code count} hours, each billed alike. */
    public Bill forHours(int count) {
      this.hours = count;
      return this;
    }

    /** node_cost of each hour: what the instance-hour cost, amortized. */
    public Bill cost(double nodeCost) {
      this.cost = nodeCost;
      return this;
    }

    /** list_cost of each hour (public on-demand); the cost unless set. */
    public Bill listCost(double listCost) {
      this.listCost = listCost;
      return this;
    }

    /** usage_hours of each hour; billed_seconds follows (at most 3600). */
    public Bill usageHours(double usageHours) {
      this.usageHours = usageHours;
      return this;
    }

    /** OnDemand | Spot | SavingsPlan | Reserved. */
    public Bill term(String pricingTerm) {
      this.pricingTerm = pricingTerm;
      return this;
    }

    /** cur | focus. */
    public Bill source(String source) {
      this.source = source;
      return this;
    }

    private void rows(
        SilverRows day, String nodeInstanceId, String nodeInstanceType, List<Row> out) {
      String id = instanceId != null ? instanceId : nodeInstanceId;
      if (id == null) {
        throw new IllegalStateException(
            "bill() names no instance: give it to a node with node(..).billed(bill()..), or use bill(instanceId)");
      }
      String type =
          instanceType != null
              ? instanceType
              : nodeInstanceType != null ? nodeInstanceType : "p5.4xlarge";
      Instant first = hour != null ? hour : day.midnight().plusSeconds(3600L * hourOfDay);
      for (int h = 0; h < hours; h++) {
        out.add(
            RowFactory.create(
                Date.valueOf(day.date),
                Timestamp.from(first.plusSeconds(3600L * h)),
                id,
                type,
                "us-east-1",
                "123456789012",
                cost,
                listCost != null ? listCost : cost,
                usageHours,
                Math.min(3600.0, usageHours * 3600),
                pricingTerm,
                "USD",
                source,
                "fixture.csv"));
      }
    }
  }
}
