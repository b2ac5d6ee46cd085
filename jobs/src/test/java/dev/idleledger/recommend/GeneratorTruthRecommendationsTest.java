package dev.idleledger.recommend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.tables.RecommendationKind;
import dev.idleledger.testing.FleetLake;
import dev.idleledger.testing.TestSpark;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The recommend stage against the generator's own expected recommendations ({@code truth/recommendations.csv}, worked
 * out from what it planned, second by second): on the shared fleet lake's last night, whose window holds both days,
 * the triggered recommendations are exactly the expected ones — kinds and subjects, savings to 1e-6, R and R', the MIG
 * profile and the on-demand floor.
 */
class GeneratorTruthRecommendationsTest {
  private static final double TOLERANCE = 1e-6;
  private static final Map<String, CSVRecord> truth = new TreeMap<>();
  private static final Map<String, Row> produced = new TreeMap<>();

  @BeforeAll
  static void lastNight() throws IOException {
    FleetLake.Lake lake = FleetLake.get();
    LocalDate night = lake.dates().get(lake.dates().size() - 1);
    try (Reader in = Files.newBufferedReader(lake.fleet().resolve("truth/recommendations.csv"))) {
      for (CSVRecord r :
          CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(in)) {
        assertEquals(night.toString(), r.get("window_end"));
        truth.put(r.get("kind") + " " + r.get("subject"), r);
      }
    }
    String db = lake.database();
    List<Row> rows =
        TestSpark.session()
            .sql(
                "SELECT h.kind, h.subject, h.recommendation_id, h.monthly_savings, r.monthly_savings_at_list, r.cluster, r.namespace, r.workload_kind, "
                    + "r.workload_name, r.node, r.instance_type, "
                    + "get_json_object(r.evidence, '$.replicas_median') AS replicas, "
                    + "get_json_object(r.evidence, '$.recommended_replicas') AS recommended_replicas, "
                    + "get_json_object(r.evidence, '$.mig_profile') AS mig_profile, "
                    + "get_json_object(r.evidence, '$.on_demand_floor') AS on_demand_floor "
                    + "FROM "
                    + db
                    + ".recommendation_history h JOIN "
                    + db
                    + ".recommendations r USING (recommendation_id) "
                    + "WHERE h.date = DATE'"
                    + night
                    + "' AND h.triggered")
            .collectAsList();
    rows.forEach(r -> produced.put(r.<String>getAs("kind") + " " + r.getAs("subject"), r));
  }

  @Test
  void theFleetPlantsEveryKind() {
    Set<RecommendationKind> kinds = EnumSet.noneOf(RecommendationKind.class);
    truth.values().forEach(r -> kinds.add(RecommendationKind.valueOf(r.get("kind"))));
    assertEquals(EnumSet.allOf(RecommendationKind.class), kinds, "expected: " + truth.keySet());
  }

  @Test
  void producedKindsAndSubjectsAreExactlyTheExpectedOnes() {
    Set<String> missing = new TreeSet<>(truth.keySet());
    missing.removeAll(produced.keySet());
    Set<String> extra = new TreeSet<>(produced.keySet());
    extra.removeAll(truth.keySet());
    assertTrue(
        missing.isEmpty() && extra.isEmpty(),
        "missing " + missing + "\nextra " + extra + "\n" + describe());
  }

  @Test
  void savingsAndTheirEvidenceEqualTheTruth() {
    List<String> problems = new ArrayList<>();
    truth.forEach(
        (key, want) -> {
          Row got = produced.get(key);
          if (got == null) {
            return;
          }
          number(problems, key, "monthly_savings", want, got.getAs("monthly_savings"));
          number(
              problems, key, "monthly_savings_at_list", want, got.getAs("monthly_savings_at_list"));
          for (String c :
              List.of(
                  "recommendation_id",
                  "cluster",
                  "namespace",
                  "workload_kind",
                  "workload_name",
                  "node",
                  "instance_type",
                  "replicas",
                  "recommended_replicas",
                  "mig_profile",
                  "on_demand_floor")) {
            String expected = want.get(c).isEmpty() ? null : want.get(c);
            Object actual = got.getAs(c);
            if (!Objects.equals(expected, actual == null ? null : actual.toString())) {
              problems.add(key + " " + c + ": truth " + expected + ", pipeline " + actual);
            }
          }
        });
    assertTrue(problems.isEmpty(), String.join("\n", problems));
  }

  @Test
  void recommendationIdIsTheHashOfKindAndSubject() {
    truth
        .values()
        .forEach(
            r ->
                assertEquals(
                    RecommendationKind.recommendationId(r.get("kind"), r.get("subject")),
                    r.get("recommendation_id")));
  }

  private static void number(
      List<String> problems, String key, String column, CSVRecord want, Double got) {
    double expected = Double.parseDouble(want.get(column));
    if (got == null || Math.abs(expected - got) > TOLERANCE) {
      problems.add(key + " " + column + ": truth " + expected + ", pipeline " + got);
    }
  }

  private static String describe() {
    StringBuilder sb = new StringBuilder("truth:\n");
    truth.forEach(
        (k, r) ->
            sb.append("  ").append(k).append(" ").append(r.get("monthly_savings")).append('\n'));
    sb.append("pipeline:\n");
    produced.forEach(
        (k, r) ->
            sb.append("  ")
                .append(k)
                .append(" ")
                .append(r.<Double>getAs("monthly_savings"))
                .append('\n'));
    return sb.toString();
  }
}
