package dev.idleledger.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.config.ConfigLoader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The settings a session gets on one machine and on a cluster master (no Spark started: applyTo only). */
class LedgerSparkSettingsTest {
  private static Map<String, String> settings(String... overrides) {
    Map<String, String> out = new HashMap<>();
    LedgerSpark.applyTo(ConfigLoader.load(null, List.of(overrides)), out::put);
    return out;
  }

  @Test
  void localModeKeepsTheUiOffAndShipsNothing() {
    Map<String, String> s = settings("spark.master=local[2]", "lake.root=/tmp/lake-settings");
    assertEquals("false", s.get("spark.ui.enabled"));
    assertNull(s.get("spark.jars"));
    assertNull(s.get("spark.executor.extraJavaOptions"));
  }

  @Test
  void localModeReachesFilePathsWithoutAShellAndAClusterKeepsHadoopsOwn() {
    Map<String, String> local = settings("spark.master=local[2]");
    assertEquals(
        "dev.idleledger.spark.localfs.ShellFreeLocalFileSystem",
        local.get("spark.hadoop.fs.file.impl"));
    assertEquals(
        "dev.idleledger.spark.localfs.ShellFreeLocalFs",
        local.get("spark.hadoop.fs.AbstractFileSystem.file.impl"));
    Map<String, String> cluster = settings("spark.master=spark://127.0.0.1:7077");
    assertNull(cluster.get("spark.hadoop.fs.file.impl"));
    assertNull(cluster.get("spark.hadoop.fs.AbstractFileSystem.file.impl"));
  }

  @Test
  void theUiIsASettingThatWinsOverTheLocalDefault() {
    Map<String, String> s =
        settings("spark.master=local[2]", "spark.settings.\"spark.ui.enabled\"=true");
    assertEquals("true", s.get("spark.ui.enabled"));
  }

  @Test
  void aClusterMasterLeavesTheUiOnAndGivesExecutorsTheJdkOpenings() {
    Map<String, String> s = settings("spark.master=spark://127.0.0.1:7077");
    assertFalse(s.containsKey("spark.ui.enabled"), "Spark's default (on) stands on a cluster");
    // The test JVM runs with the --add-opens flags surefire gives it; the executors must get the
    // same.
    String opens = s.get("spark.executor.extraJavaOptions");
    assertTrue(
        opens != null && opens.contains("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"),
        String.valueOf(opens));
  }

  @Test
  void everyQueryIsDescribedToTheUiAsAPlainTreeUnlessTheOperatorAsksForMore() {
    // Spark renders this text on the driver for each action and adaptive re-plan, UI or not.
    assertEquals("simple", settings("spark.master=local[2]").get("spark.sql.ui.explainMode"));
    assertEquals(
        "simple", settings("spark.master=spark://127.0.0.1:7077").get("spark.sql.ui.explainMode"));
    assertEquals(
        "formatted",
        settings("spark.master=local[2]", "spark.settings.\"spark.sql.ui.explainMode\"=formatted")
            .get("spark.sql.ui.explainMode"));
  }

  @Test
  void vacuumListsATableInAsManyTasksAsAShuffleNotTenThousand() {
    // Delta's VACUUM lists and diffs a table's files in exactly this many tasks.
    assertEquals(
        "3",
        settings("spark.master=local[2]", "spark.shuffle_partitions=3")
            .get("spark.sql.sources.parallelPartitionDiscovery.parallelism"));
    assertEquals(
        "64",
        settings("spark.master=spark://127.0.0.1:7077")
            .get("spark.sql.sources.parallelPartitionDiscovery.parallelism"));
  }
}
