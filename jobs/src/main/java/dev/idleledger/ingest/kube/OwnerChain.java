package dev.idleledger.ingest.kube;

import java.util.HashMap;
import java.util.Map;

/**
 * Follows a pod's owner references up to the top controller (COST_MODEL.md §3): kube-state-metrics publishes
 * the owners of ReplicaSets ({@code kube_replicaset_owner}) and Jobs ({@code kube_job_owner}), so
 * Pod → ReplicaSet → Deployment and Pod → Job → CronJob resolve; any other kind (StatefulSet, PyTorchJob,
 * Notebook, RayJob, InferenceService, LeaderWorkerSet, ...) has no published owner and is the top.
 */
public final class OwnerChain {
  public record Owner(String kind, String name) {}

  /** Owner chains are never this deep; the limit only guards against a cycle in bad data. */
  private static final int MAX_DEPTH = 8;

  private final Map<String, Owner> owners = new HashMap<>();

  /** Records that {@code kind/name} in {@code namespace} is owned by {@code owner}. */
  public void add(String cluster, String namespace, String kind, String name, Owner owner) {
    if (isOwner(owner)) {
      owners.put(key(cluster, namespace, kind, name), owner);
    }
  }

  /** The top controller of a pod whose direct owner is {@code direct}; the pod itself when it has none. */
  public Owner top(String cluster, String namespace, String pod, Owner direct) {
    if (!isOwner(direct)) {
      return new Owner("Pod", pod);
    }
    Owner current = direct;
    for (int depth = 0; depth < MAX_DEPTH; depth++) {
      Owner next = owners.get(key(cluster, namespace, current.kind(), current.name()));
      if (next == null) {
        return current;
      }
      current = next;
    }
    return current;
  }

  /** kube-state-metrics writes {@code <none>} for an object without owner. */
  public static boolean isOwner(Owner o) {
    return o != null
        && o.kind() != null
        && !o.kind().isBlank()
        && !o.kind().equals("<none>")
        && o.name() != null
        && !o.name().isBlank()
        && !o.name().equals("<none>");
  }

  private static String key(String cluster, String namespace, String kind, String name) {
    return cluster + '\u0000' + namespace + '\u0000' + kind + '\u0000' + name;
  }
}
