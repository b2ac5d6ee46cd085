package dev.idleledger.ingest.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.idleledger.config.LedgerConfig;
import dev.idleledger.quality.QualityRecorder;
import dev.idleledger.quality.SourceAccounting;
import dev.idleledger.spark.LakeTables;
import dev.idleledger.testing.TestSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Kube state → pod_info / node_info: the real trace, and owner chains of every shape on a tiny archive. */
class KubeStateIngestTest {
  private static final String TRACE_DB = "kube_trace_test";
  private static final String CHAIN_DB = "kube_chain_test";
  private static final LocalDate TRACE_DATE = LocalDate.of(2026, 11, 28);
  private static final LocalDate DATE = LocalDate.of(2026, 11, 1);
  private static SparkSession spark;
  private static SourceAccounting chainAccounting;

  @BeforeAll
  static void ingest() throws IOException {
    spark = TestSpark.session();
    Path trace = TestSpark.sharedDir().resolve("data/h100-trace/kube");
    LedgerConfig traceConfig =
        TestSpark.config("input.kube=" + trace, "catalog.database=" + TRACE_DB);
    new KubeStateIngest(spark, traceConfig)
        .run(TRACE_DATE, new QualityRecorder(new LakeTables(spark, TRACE_DB), "r1", TRACE_DATE));

    Path root = Files.createTempDirectory("kube-chains");
    Path day = Files.createDirectories(root.resolve("dt=" + DATE));
    long t0 = 1793491200000L; // 2026-11-01T00:00:00Z
    String at = " 1 " + (t0 + 60_000);
    Files.writeString(
        day.resolve("ksm.prom"),
        String.join(
            "\n",
            "# owner chains of every shape",
            "kube_pod_owner{cluster=\"c\",namespace=\"ml\",pod=\"nightly-29001-abcde\",uid=\"u1\",owner_kind=\"Job\",owner_name=\"nightly-29001\",owner_is_controller=\"true\"}"
                + at,
            "kube_job_owner{cluster=\"c\",namespace=\"ml\",job_name=\"nightly-29001\",owner_kind=\"CronJob\",owner_name=\"nightly\",owner_is_controller=\"true\"}"
                + at,
            "kube_pod_owner{cluster=\"c\",namespace=\"research\",pod=\"nb-bob-0\",uid=\"u2\",owner_kind=\"Notebook\",owner_name=\"nb-bob\",owner_is_controller=\"true\"}"
                + at,
            "kube_pod_owner{cluster=\"c\",namespace=\"ml\",pod=\"ray-head\",uid=\"u3\",owner_kind=\"RayJob\",owner_name=\"sweep\",owner_is_controller=\"true\"}"
                + at,
            "kube_pod_owner{cluster=\"c\",namespace=\"serving\",pod=\"kserve-pred-0\",uid=\"u4\",owner_kind=\"InferenceService\",owner_name=\"pred\",owner_is_controller=\"true\"}"
                + at,
            "kube_pod_owner{cluster=\"c\",namespace=\"serving\",pod=\"lws-0\",uid=\"u5\",owner_kind=\"LeaderWorkerSet\",owner_name=\"big-model\",owner_is_controller=\"true\"}"
                + at,
            "kube_pod_owner{cluster=\"c\",namespace=\"scratch\",pod=\"debug\",uid=\"u6\",owner_kind=\"<none>\",owner_name=\"<none>\",owner_is_controller=\"<none>\"}"
                + at,
            "kube_pod_owner{cluster=\"c\",namespace=\"serving\",pod=\"orphan-rs-x\",uid=\"u7\",owner_kind=\"ReplicaSet\",owner_name=\"orphan-rs\",owner_is_controller=\"true\"}"
                + at,
            "kube_pod_labels{cluster=\"c\",namespace=\"scratch\",pod=\"debug\",uid=\"u6\",label_app=\"dbg\"}"
                + at,
            "kube_pod_info{cluster=\"c\",namespace=\"ml\",pod=\"ray-head\",uid=\"u3\",node=\"n1\"} 1 "
                + t0,
            "kube_pod_info{cluster=\"c\",namespace=\"ml\",pod=\"ray-head\",uid=\"u3\",node=\"n1\"} 1 "
                + (t0 + 120_000),
            "kube_pod_container_resource_requests{cluster=\"c\",namespace=\"ml\",pod=\"ray-head\",uid=\"u3\",container=\"head\",node=\"n1\",resource=\"nvidia_com_mig_3g_40gb\",unit=\"integer\"} 2 "
                + t0,
            "kube_pod_container_resource_requests{cluster=\"c\",namespace=\"ml\",pod=\"ray-head\",uid=\"u3\",container=\"head\",node=\"n1\",resource=\"cpu\",unit=\"core\"} 4 "
                + t0,
            "kube_pod_container_resource_requests{cluster=\"c\",namespace=\"ml\",pod=\"nightly-29001-abcde\",uid=\"u1\",container=\"train\",node=\"n2\",resource=\"nvidia_com_gpu\",unit=\"integer\"} 8 "
                + t0,
            "kube_node_info{cluster=\"c\",node=\"n2\",provider_id=\"aws:///us-west-2b/i-0abc\"} 1 "
                + t0,
            "kube_node_labels{cluster=\"c\",node=\"n2\",label_eks_amazonaws_com_capacity_type=\"ON_DEMAND\",label_node_kubernetes_io_instance_type=\"p4d.24xlarge\"} 1 "
                + t0,
            "kube_node_status_capacity{cluster=\"c\",node=\"n2\",resource=\"nvidia_com_gpu\",unit=\"integer\"} 8 "
                + t0,
            "kube_node_status_capacity{cluster=\"c\",node=\"n2\",resource=\"cpu\",unit=\"core\"} 96 "
                + t0,
            "kube_deployment_spec_replicas{cluster=\"c\",namespace=\"serving\",deployment=\"x\"} 3 "
                + t0,
            "kube_pod_info{cluster=\"c\",namespace=\"ml\",pod=\"ray-head\",uid=\"u3\",node=\"n1\"} 1 "
                + t0,
            ""));
    LedgerConfig config =
        TestSpark.config(
            "input.kube=" + root,
            "catalog.database=" + CHAIN_DB,
            "classify.namespace_teams.ml=ml-platform");
    chainAccounting =
        new KubeStateIngest(spark, config)
            .run(DATE, new QualityRecorder(new LakeTables(spark, CHAIN_DB), "r1", DATE))
            .orElseThrow();
  }

  private static Row pod(String db, String pod) {
    List<Row> rows =
        spark.sql("SELECT * FROM " + db + ".pod_info WHERE pod = '" + pod + "'").collectAsList();
    assertEquals(1, rows.size(), pod);
    return rows.get(0);
  }

  private static String workload(Row r) {
    return r.getAs("workload_kind")
        + "/"
        + r.getAs("workload_name")
        + " "
        + r.getAs("workload_type")
        + " team="
        + r.getAs("team");
  }

  @Test
  void traceWorkloadsResolveToTheirControllersAndTypes() {
    assertEquals(
        "PyTorchJob/llama-ft training team=ml-platform",
        workload(pod(TRACE_DB, "llama-ft-worker-0")));
    Row serve = pod(TRACE_DB, "llm-serve-6c9d7b-x2k4q");
    assertEquals("Deployment/llm-serve inference team=inference", workload(serve));
    assertEquals("ReplicaSet", serve.getAs("owner_kind"));
    Row notebook = pod(TRACE_DB, "jupyter-alice-0");
    // A StatefulSet would be inference, but the notebook_name label rule comes first.
    assertEquals("StatefulSet/jupyter-alice notebook team=research", workload(notebook));
    Map<String, String> labels = notebook.getJavaMap(notebook.fieldIndex("labels"));
    assertEquals(Map.of("team", "research", "notebook_name", "jupyter-alice"), labels);
    assertEquals("gpu-node-1", notebook.getAs("node"));
    assertEquals("5b1f0c1e-3333-4a55-9d0e-000000000003", notebook.getAs("pod_uid"));
  }

  @Test
  void traceNodeIsTiedToItsInstance() {
    Row n = spark.sql("SELECT * FROM " + TRACE_DB + ".node_info").first();
    assertEquals("gpu-node-1", n.getAs("node"));
    assertEquals("i-0c0ffee0000000001", n.getAs("instance_id"));
    assertEquals("p5.4xlarge", n.getAs("instance_type"));
    assertEquals("on-demand", n.getAs("capacity_type"));
    assertEquals("NVIDIA-H100-80GB-HBM3", n.getAs("gpu_product"));
    assertEquals(1, (int) n.getAs("gpu_capacity"));
  }

  @Test
  void ownerChainsStopAtTheTopControllerIncludingCustomKinds() {
    assertEquals(
        "CronJob/nightly training team=ml-platform",
        workload(pod(CHAIN_DB, "nightly-29001-abcde")));
    assertEquals("Notebook/nb-bob notebook team=unassigned", workload(pod(CHAIN_DB, "nb-bob-0")));
    assertEquals("RayJob/sweep training team=ml-platform", workload(pod(CHAIN_DB, "ray-head")));
    assertEquals(
        "InferenceService/pred inference team=unassigned",
        workload(pod(CHAIN_DB, "kserve-pred-0")));
    assertEquals(
        "LeaderWorkerSet/big-model inference team=unassigned", workload(pod(CHAIN_DB, "lws-0")));
    assertEquals(
        "ReplicaSet/orphan-rs other team=unassigned", workload(pod(CHAIN_DB, "orphan-rs-x")));
    Row unowned = pod(CHAIN_DB, "debug");
    assertEquals("Pod/debug other team=unassigned", workload(unowned));
    assertNull(unowned.getAs("owner_kind"));
  }

  @Test
  void gpuRequestsAndSeenTimesComeFromTheSamples() {
    Row ray = pod(CHAIN_DB, "ray-head");
    assertEquals("nvidia_com_mig_3g_40gb", ray.getAs("gpu_resource"));
    assertEquals(2.0, (double) ray.getAs("gpu_request"));
    assertEquals("n1", ray.getAs("node"));
    assertEquals(Timestamp.from(Instant.parse("2026-11-01T00:00:00Z")), ray.getAs("first_seen"));
    assertEquals(Timestamp.from(Instant.parse("2026-11-01T00:02:00Z")), ray.getAs("last_seen"));
    Row job = pod(CHAIN_DB, "nightly-29001-abcde");
    assertEquals("nvidia_com_gpu", job.getAs("gpu_resource"));
    assertEquals(8.0, (double) job.getAs("gpu_request"));
    assertEquals("n2", job.getAs("node"), "no kube_pod_info: the request's node label");
    Row n2 = spark.sql("SELECT * FROM " + CHAIN_DB + ".node_info WHERE node = 'n2'").first();
    assertEquals("i-0abc", n2.getAs("instance_id"));
    assertEquals("on-demand", n2.getAs("capacity_type"));
    assertEquals(8, (int) n2.getAs("gpu_capacity"));
  }

  @Test
  void kubeAccountingCountsTheUnknownMetricAndTheDuplicate() {
    // 20 sample lines: kube_deployment_spec_replicas is not ours, one kube_pod_info line repeats.
    assertEquals(new SourceAccounting("kube", 20, 18, 0, 1, 1), chainAccounting);
  }
}
