package dev.idleledger.recommend;

/** The six kinds of RECOMMENDATIONS.md and what their subject names. */
public enum RecommendationKind {
  CULL_IDLE_NOTEBOOK, RIGHTSIZE_INFERENCE_REPLICAS, RELEASE_IDLE_TRAINING_GPUS, RIGHTSIZE_GPU, CONSOLIDATE_UNALLOCATED, COMMITMENT_COVERAGE;

  /** Subject of a workload kind: cluster/namespace/workload_kind/workload_name. */
  public static String workloadSubject(String cluster, String namespace, String workloadKind, String workloadName) {
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
      byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest((kind + "|" + subject).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(h).substring(0, 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
