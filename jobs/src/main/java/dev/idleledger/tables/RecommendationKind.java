package dev.idleledger.tables;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The six kinds of RECOMMENDATIONS.md and what their subject names; {@code recommendations.kind} stores the
 * constant's name.
 */
public enum RecommendationKind {
  CULL_IDLE_NOTEBOOK,
  RIGHTSIZE_INFERENCE_REPLICAS,
  RELEASE_IDLE_TRAINING_GPUS,
  RIGHTSIZE_GPU,
  CONSOLIDATE_UNALLOCATED,
  COMMITMENT_COVERAGE;

  /** Subject of a workload kind: cluster/namespace/workload_kind/workload_name. */
  public static String workloadSubject(
      String cluster, String namespace, String workloadKind, String workloadName) {
    return cluster + "/" + namespace + "/" + workloadKind + "/" + workloadName;
  }

  /** Subject of CONSOLIDATE_UNALLOCATED: cluster/node. */
  public static String nodeSubject(String cluster, String node) {
    return cluster + "/" + node;
  }

  /** Subject of COMMITMENT_COVERAGE: instance_type/region. */
  public static String commitmentSubject(String instanceType, String region) {
    return instanceType + "/" + region;
  }

  /** recommendation_id: the first 16 hex digits of sha256("KIND|subject"). */
  public static String recommendationId(String kind, String subject) {
    try {
      byte[] h =
          MessageDigest.getInstance("SHA-256")
              .digest((kind + "|" + subject).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
