package dev.idleledger.rollup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.idleledger.config.LedgerConfig.WasteSharing;
import dev.idleledger.testing.TestSpark;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * attribution.share_unallocated on a hand-made day of three clusters, figures worked by hand:
 * <pre>
 * cluster c1: gpu_cost 100; team a holds 30 (two workloads, 20 + 10), team b 10; unallocated 45 + unobserved 15 = waste 60
 *             → a gets 60 × 30/40 = 45, b gets 60 × 10/40 = 15; a 30 + 45 = 75, b 10 + 15 = 25; 75 + 25 = 100 = gpu_cost
 * cluster c2: gpu_cost 25;  team b holds 20; unallocated 5, unobserved 0 → b gets all 5; 20 + 5 = 25 = gpu_cost
 * cluster c3: gpu_cost 7;   nobody held a GPU: unallocated 7 stays unshared (no team to share it with)
 * team_daily: a cost 30, shared 45, with 75; b cost 10 + 20 = 30, shared 15 + 5 = 20, with 50.
 * Σ teams' cost_with_shared_waste = 125 = gpu_cost 132 − the unshared 7 of c3.
 * </pre>
 */
class SharedWasteTest {
  private static Dataset<Row> workloads;
  private static Dataset<Row> clusters;

  @BeforeAll
  static void aDayOfThreeClusters() {
    SparkSession spark = TestSpark.session();
    workloads =
        spark.sql(
            "SELECT DATE'2026-11-01' AS date, cluster, team, CAST(gpu_hours AS DOUBLE) AS gpu_hours, CAST(cost AS DOUBLE) AS cost,"
                + " CAST(idle_cost AS DOUBLE) AS idle_cost, CAST(unused AS DOUBLE) AS unused_capacity_cost, 'USD' AS currency FROM VALUES"
                + " ('c1', 'a', 4, 20, 5, 8), ('c1', 'a', 2, 10, 0, 2), ('c1', 'b', 1, 10, 10, 10), ('c2', 'b', 3, 20, 0, 4)"
                + " AS t(cluster, team, gpu_hours, cost, idle_cost, unused)");
    clusters =
        spark.sql(
            "SELECT DATE'2026-11-01' AS date, cluster, CAST(gpu_cost AS DOUBLE) AS gpu_cost, CAST(allocated AS DOUBLE) AS allocated_cost,"
                + " CAST(unallocated AS DOUBLE) AS unallocated_cost, CAST(unobserved AS DOUBLE) AS unobserved_cost FROM VALUES"
                + " ('c1', 100, 40, 45, 15), ('c2', 25, 20, 5, 0), ('c3', 7, 0, 7, 0) AS t(cluster, gpu_cost, allocated, unallocated, unobserved)");
  }

  @Test
  void clusterSharingSpreadsEachClusterDaysWasteOverItsTeamsByAllocatedCost() {
    Map<String, Row> teams = teamDaily(WasteSharing.CLUSTER);
    assertEquals(45.0, teams.get("a").<Double>getAs("shared_waste_cost"), 1e-9);
    assertEquals(75.0, teams.get("a").<Double>getAs("cost_with_shared_waste"), 1e-9);
    assertEquals(30.0, teams.get("b").<Double>getAs("cost"), 1e-9);
    assertEquals(
        20.0, teams.get("b").<Double>getAs("shared_waste_cost"), 1e-9, "15 from c1 plus 5 from c2");
    assertEquals(50.0, teams.get("b").<Double>getAs("cost_with_shared_waste"), 1e-9);
    // The rest of team_daily is unchanged by sharing: a's efficiency is 1 - (8 + 2) / 30.
    assertEquals(1 - 10.0 / 30, teams.get("a").<Double>getAs("efficiency"), 1e-9);
  }

  @Test
  void eachClusterDayWithAllocatedCostIsCarriedWholeByItsTeams() {
    List<Row> rows =
        SharedWaste.conservation(
                SharedWaste.byTeamAndCluster(workloads, clusters, WasteSharing.CLUSTER), clusters)
            .orderBy("cluster")
            .collectAsList();
    assertEquals(
        List.of("c1", "c2"),
        rows.stream().map(r -> r.<String>getAs("cluster")).toList(),
        "c3 had no allocated cost to share over");
    assertEquals(100.0, rows.get(0).<Double>getAs("with_shared_waste"), 1e-9);
    assertEquals(25.0, rows.get(1).<Double>getAs("with_shared_waste"), 1e-9);
    rows.forEach(r -> assertEquals(0.0, r.<Double>getAs("delta"), 1e-9, r.toString()));
  }

  @Test
  void aClusterDayNobodyHeldAGpuOnKeepsItsWasteUnshared() {
    double together =
        teamDaily(WasteSharing.CLUSTER).values().stream()
            .mapToDouble(r -> r.<Double>getAs("cost_with_shared_waste"))
            .sum();
    assertEquals(132.0 - 7.0, together, 1e-9, "all of the bill but c3's unallocated 7");
  }

  @Test
  void withoutSharingTheColumnsAreZeroAndTheCost() {
    Map<String, Row> teams = teamDaily(WasteSharing.NONE);
    for (Row r : teams.values()) {
      assertEquals(0.0, r.<Double>getAs("shared_waste_cost"), 0.0);
      assertEquals(r.<Double>getAs("cost"), r.<Double>getAs("cost_with_shared_waste"), 0.0);
    }
    assertEquals(30.0, teams.get("a").<Double>getAs("cost_with_shared_waste"), 1e-9);
    assertEquals(30.0, teams.get("b").<Double>getAs("cost_with_shared_waste"), 1e-9);
  }

  private static Map<String, Row> teamDaily(WasteSharing sharing) {
    Map<String, Row> out = new TreeMap<>();
    DailyRollup.teamDaily(workloads, SharedWaste.byTeamAndCluster(workloads, clusters, sharing))
        .collectAsList()
        .forEach(r -> out.put(r.getAs("team"), r));
    return out;
  }
}
