package dev.idleledger.rollup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.testing.FleetLake;
import dev.idleledger.testing.TestSpark;
import java.time.LocalDate;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * The shared test lake runs its nights with attribution.share_unallocated = cluster (FleetLake): every night, the teams'
 * cost_with_shared_waste adds up to the GPU cost of the clusters they used, and the night's run_quality says so.
 */
class SharedWasteOnLakeTest {
  @Test
  void eachNightsTeamsCarryTheWholeCostOfTheClustersTheyUsed() {
    FleetLake.Lake lake = FleetLake.get();
    SparkSession spark = TestSpark.session();
    for (LocalDate date : lake.dates()) {
      String day = "date = DATE'" + date + "'";
      Row teams =
          spark
              .sql(
                  "SELECT sum(cost_with_shared_waste), sum(shared_waste_cost), sum(cost) FROM "
                      + lake.database()
                      + ".team_daily WHERE "
                      + day)
              .first();
      // Σ over a cluster-day's teams of (cost + share) = its gpu_cost, for every cluster-day
      // someone held a GPU on.
      Row clusters =
          spark
              .sql(
                  "SELECT sum(gpu_cost), sum(unallocated_cost + unobserved_cost) FROM "
                      + lake.database()
                      + ".cluster_daily WHERE "
                      + day
                      + " AND allocated_cost > 0")
              .first();
      assertEquals(
          clusters.getDouble(0),
          teams.getDouble(0),
          1e-6,
          date + ": teams with shared waste vs their clusters' GPU cost");
      assertEquals(
          clusters.getDouble(1),
          teams.getDouble(1),
          1e-6,
          date + ": all of those clusters' waste is shared");
      assertTrue(
          teams.getDouble(1) > 0, date + ": the generated fleet has idle, unheld GPUs to share");
      Row check =
          spark
              .sql(
                  "SELECT passed, detail FROM "
                      + lake.database()
                      + ".run_quality WHERE "
                      + day
                      + " AND `check` = 'shared_waste_conservation' ORDER BY checked_at DESC LIMIT 1")
              .first();
      assertTrue(check.getBoolean(0), check.getString(1));
    }
  }
}
