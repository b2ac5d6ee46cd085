package dev.idleledger.tables;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The values recommendations.status and recommendations.kind hold are contracts (RECOMMENDATIONS.md; the notebooks
 * and dashboards filter on them): the enums' names are what is written, so renaming a constant must fail here.
 */
class RecommendationValuesTest {
  @Test
  void statusesAreStoredAsTheLifecycleNamesThem() {
    assertArrayEquals(
        new Object[] {"OPEN", "UPDATED", "RESOLVED", "REOPENED"},
        RecommendationStatus.storedValues());
  }

  @Test
  void aStoredStatusIsReadBackAndAnyOtherValueIsNone() {
    assertEquals(Optional.of(RecommendationStatus.REOPENED), RecommendationStatus.of("REOPENED"));
    assertEquals(Optional.empty(), RecommendationStatus.of(null));
    // Exact as written: the table never holds another spelling, and a reader must not invent one.
    assertEquals(Optional.empty(), RecommendationStatus.of("open"));
    assertEquals(Optional.empty(), RecommendationStatus.of("CLOSED"));
  }

  @Test
  void kindsAreStoredAsRecommendationsMdNamesThem() {
    assertEquals(
        List.of(
            "CULL_IDLE_NOTEBOOK",
            "RIGHTSIZE_INFERENCE_REPLICAS",
            "RELEASE_IDLE_TRAINING_GPUS",
            "RIGHTSIZE_GPU",
            "CONSOLIDATE_UNALLOCATED",
            "COMMITMENT_COVERAGE"),
        Arrays.stream(RecommendationKind.values()).map(Enum::name).toList());
  }
}
