package dev.idleledger.model;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.idleledger.config.WorkloadClassifier;
import dev.idleledger.ingest.SilverTables;
import dev.idleledger.testing.TestSpark;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Workload identity and team of the rows that name a pod (COST_MODEL.md §3). */
class WorkloadIdentityTest {
  private static final Date DAY = Date.valueOf("2026-11-01");
  private static final StructType ROWS =
      new StructType()
          .add("cluster", DataTypes.StringType)
          .add("namespace", DataTypes.StringType)
          .add("pod", DataTypes.StringType);
  private static final WorkloadClassifier CLASSIFIER =
      new WorkloadClassifier(
          List.of(), "other", "team", Map.of("research", "ml-research"), "unassigned");

  @Test
  void aKnownPodTakesItsControllerAnUnknownOneIsItsOwnWorkloadAndNobodyHasNone() {
    SparkSession spark = TestSpark.session();
    List<Row> pods =
        List.of(
            pod(
                "serving",
                "api-7d9-x",
                "api-7d9-uid",
                "Deployment",
                "api",
                "inference",
                "search",
                Map.of("cost-center", "cc-1"),
                "2026-11-01T10:00:00Z"),
            // The same pod name recreated later that day with another uid: the one seen last gives
            // the carried labels.
            pod(
                "serving",
                "api-7d9-x",
                "api-7d9-uid2",
                "Deployment",
                "api",
                "inference",
                "search",
                Map.of("cost-center", "cc-2"),
                "2026-11-01T12:00:00Z"));
    List<Row> rows =
        Arrays.asList(
            RowFactory.create("c1", "serving", "api-7d9-x"),
            RowFactory.create("c1", "research", "scratch"),
            RowFactory.create("c1", "batch", "lost"),
            RowFactory.create("c1", null, null));
    List<Row> out =
        WorkloadIdentity.of(
                spark.createDataFrame(rows, ROWS),
                spark.createDataFrame(pods, SilverTables.POD_INFO.schema()),
                CLASSIFIER,
                List.of(
                    new WorkloadIdentity.Carried(
                        "cost_center", col("labels").getItem("cost-center"), lit("none known"))))
            .orderBy(col("pod").asc_nulls_last())
            .collectAsList();
    Row known = out.get(0);
    assertEquals(List.of("Deployment", "api", "inference", "search", "cc-2"), identity(known));
    // research maps to ml-research in conf; batch maps to nothing, so the default team.
    Row lost = out.get(1);
    assertEquals(List.of("Pod", "lost", "other", "unassigned", "none known"), identity(lost));
    Row scratch = out.get(2);
    assertEquals(
        List.of("Pod", "scratch", "other", "ml-research", "none known"), identity(scratch));
    Row nobody = out.get(3);
    for (String c :
        new String[] {"workload_kind", "workload_name", "workload_type", "team", "cost_center"}) {
      assertNull(nobody.getAs(c), c + " of a row nobody held");
    }
  }

  private static List<Object> identity(Row r) {
    List<Object> out = new ArrayList<>();
    for (String c :
        new String[] {"workload_kind", "workload_name", "workload_type", "team", "cost_center"}) {
      out.add(r.getAs(c));
    }
    return out;
  }

  private static Row pod(
      String namespace,
      String pod,
      String uid,
      String kind,
      String name,
      String type,
      String team,
      Map<String, String> labels,
      String lastSeen) {
    return RowFactory.create(
        DAY,
        "c1",
        namespace,
        pod,
        uid,
        "n1",
        Timestamp.from(Instant.parse(lastSeen).minusSeconds(3600)),
        Timestamp.from(Instant.parse(lastSeen)),
        kind,
        name,
        kind,
        name,
        type,
        team,
        labels,
        "nvidia_com_gpu",
        1.0);
  }
}
