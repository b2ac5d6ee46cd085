package dev.idleledger.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path dir;

  @Test
  void defaultsCarryTheContractKeys() {
    LedgerConfig c = ConfigLoader.defaultsOnly();
    assertEquals("idle_ledger", c.database);
    assertEquals("local[*]", c.sparkMaster);
    assertEquals("", c.focusRoot);
    assertEquals(10, c.maxSampleGapSeconds);
    assertEquals(0.01, c.idleActivityThreshold);
    assertEquals(0.05, c.memoryHeldThreshold);
    assertEquals(2, c.lookbackDays);
    assertEquals(GpuSharePolicy.Kind.WHOLE_NODE, c.gpuShare.kind());
  }

  @Test
  void fileLayersOverDefaultsAndSetWinsOverFile() throws IOException {
    Path file =
        write(
            "layer.conf",
            "lake.root = \"/data/lake\"\nspark.master = \"spark://10.0.0.1:7077\"\nidle { activity_threshold = 0.02 }\n");
    LedgerConfig c =
        ConfigLoader.load(file, List.of("spark.master=local[2]", "spark.master=local[3]"));
    assertEquals("/data/lake", c.lakeRoot);
    assertEquals("local[3]", c.sparkMaster, "the last --set wins");
    assertEquals(0.02, c.idleActivityThreshold);
    assertEquals("idle_ledger", c.database, "untouched keys keep their defaults");
  }

  @Test
  void setValuesAreConvertedToTheKeysType() {
    LedgerConfig c =
        ConfigLoader.load(null, List.of("spark.shuffle_partitions=3", "nightly.lookback_days=0"));
    assertEquals(3, c.shufflePartitions);
    assertEquals(0, c.lookbackDays);
  }

  @Test
  void unknownKeyInFileIsNamedWithTheFile() throws IOException {
    Path file = write("typo.conf", "lake.roots = \"/x\"\n");
    ConfigException e =
        assertThrows(ConfigException.class, () -> ConfigLoader.load(file, List.of()));
    assertTrue(e.getMessage().contains("lake.roots"), e.getMessage());
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
  }

  @Test
  void unknownKeyInSetIsNamed() {
    ConfigException e =
        assertThrows(
            ConfigException.class, () -> ConfigLoader.load(null, List.of("idle.threshold=0.1")));
    assertTrue(e.getMessage().contains("idle.threshold"), e.getMessage());
  }

  @Test
  void sparkSettingsPassThroughWithoutBeingKnownKeys() {
    LedgerConfig c =
        ConfigLoader.load(null, List.of("spark.settings.\"spark.executor.memory\"=8g"));
    assertEquals("8g", c.sparkSettings.get("spark.executor.memory"));
  }

  @Test
  void malformedValueNamesTheKey() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> ConfigLoader.load(null, List.of("spark.shuffle_partitions=many")));
    assertTrue(e.getMessage().contains("spark.shuffle_partitions"), e.getMessage());
  }

  @Test
  void outOfRangeRatioNamesTheKey() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> ConfigLoader.load(null, List.of("idle.memory_held_threshold=1.5")));
    assertTrue(e.getMessage().contains("idle.memory_held_threshold"), e.getMessage());
  }

  @Test
  void missingConfFileIsNamed() {
    Path missing = dir.resolve("nope.conf");
    ConfigException e =
        assertThrows(ConfigException.class, () -> ConfigLoader.load(missing, List.of()));
    assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
  }

  @Test
  void malformedConfFileIsNamed() throws IOException {
    Path file = write("broken.conf", "lake { root = \n");
    ConfigException e =
        assertThrows(ConfigException.class, () -> ConfigLoader.load(file, List.of()));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
  }

  @Test
  void setWithoutEqualsIsAUsageError() {
    ConfigException e =
        assertThrows(ConfigException.class, () -> ConfigLoader.load(null, List.of("lake.root")));
    assertTrue(e.getMessage().contains("key=value"), e.getMessage());
  }

  @Test
  void secretsAreMaskedWhenConfigIsDescribed() {
    LedgerConfig c =
        ConfigLoader.load(
            null, List.of("s3.secret_key=hunter2-planted", "s3.access_key=AKIAPLANTED"));
    String described = String.join("\n", c.describe()) + c.s3;
    assertFalse(described.contains("hunter2-planted"), described);
    assertFalse(described.contains("AKIAPLANTED"), described);
    assertTrue(described.contains("s3.secret_key = ***"), described);
  }

  @Test
  void gpuSharePoliciesParseAndWeigh() {
    assertEquals(1.0, GpuSharePolicy.parse("whole-node").share(8, 96, 1152));
    assertEquals(0.8, GpuSharePolicy.parse("fixed:0.8").share(8, 96, 1152));
    // AWS split cost allocation weights 9,0.9,0.1 on a p4d.24xlarge: 72 / (72 + 86.4 + 115.2)
    assertEquals(
        72.0 / (72 + 86.4 + 115.2),
        GpuSharePolicy.parse("weights:9,0.9,0.1").share(8, 96, 1152),
        1e-12);
    assertThrows(
        ConfigException.class, () -> ConfigLoader.load(null, List.of("cost.gpu_share=half")));
  }

  @Test
  void classifierAppliesOrderedRulesAndTeamFallbacks() {
    WorkloadClassifier c =
        ConfigLoader.load(null, List.of("classify.namespace_teams.serving=inference-team"))
            .classifier;
    assertEquals(
        "notebook",
        c.workloadType("StatefulSet", Map.of("notebook_name", "jupyter-alice")),
        "the notebook rule comes before the StatefulSet inference rule");
    assertEquals("training", c.workloadType("PyTorchJob", Map.of()));
    assertEquals("inference", c.workloadType("Deployment", Map.of()));
    assertEquals("other", c.workloadType("Pod", Map.of()));
    assertEquals("ml-platform", c.team("ml-train", Map.of("team", "ml-platform")));
    assertEquals("inference-team", c.team("serving", Map.of()));
    assertEquals("unassigned", c.team("research", Map.of()));
  }

  @Test
  void instanceCatalogReadsGpusAndMigProfiles() {
    InstanceCatalog catalog = InstanceCatalog.load(ConfigLoader.defaultsOnly());
    assertEquals(8, catalog.instanceType("p4d.24xlarge").orElseThrow().gpus());
    assertEquals(7, catalog.migSlices("NVIDIA A100-SXM4-40GB"));
    assertEquals("1g.5gb", catalog.migProfiles("NVIDIA A100-SXM4-40GB").get(0).profile());
    assertTrue(catalog.instanceType("m5.large").isEmpty());
  }

  private Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  @Test
  void chargebackCarriesTeamAndKeepsWasteUnsharedByDefault() {
    LedgerConfig c = ConfigLoader.defaultsOnly();
    assertEquals(List.of("team"), c.chargebackLabels.keys());
    assertEquals(LedgerConfig.WasteSharing.NONE, c.shareUnallocated);
  }

  @Test
  void labelKeysAreLookedUpUnderTheNamesKubeStateMetricsExports() {
    LedgerConfig c =
        ConfigLoader.load(
            null,
            List.of(
                "attribution.labels=[team, cost-center, app.kubernetes.io/part-of]",
                "attribution.share_unallocated=cluster"));
    assertEquals(
        List.of("team", "cost-center", "app.kubernetes.io/part-of"),
        c.chargebackLabels.keys(),
        "a --set string is a list too");
    assertEquals("cost_center", c.chargebackLabels.exportedName("cost-center"));
    assertEquals(
        "app_kubernetes_io_part_of", c.chargebackLabels.exportedName("app.kubernetes.io/part-of"));
    assertEquals(LedgerConfig.WasteSharing.CLUSTER, c.shareUnallocated);
  }

  @Test
  void labelKeysThatKubeStateMetricsCannotTellApartAreRefused() throws IOException {
    Path file =
        write("labels.conf", "attribution { labels = [\"cost-center\", \"cost_center\"] }\n");
    ConfigException e =
        assertThrows(ConfigException.class, () -> ConfigLoader.load(file, List.of()));
    assertTrue(
        e.getMessage().startsWith("attribution.labels: 'cost-center' and 'cost_center'"),
        e.getMessage());
  }

  @Test
  void aLabelKeyKubernetesWouldRejectNamesTheKey() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> ConfigLoader.load(null, List.of("attribution.labels=team,cost center")));
    assertTrue(
        e.getMessage()
            .startsWith("attribution.labels: 'cost center' is not a Kubernetes label key"),
        e.getMessage());
  }

  @Test
  void anUnknownWasteSharingPolicyNamesTheKeyAndTheChoices() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> ConfigLoader.load(null, List.of("attribution.share_unallocated=namespace")));
    assertEquals(
        "attribution.share_unallocated: unknown value 'namespace', expected one of [none, cluster]",
        e.getMessage());
  }
}
