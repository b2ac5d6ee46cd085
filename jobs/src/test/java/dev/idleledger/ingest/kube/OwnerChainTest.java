package dev.idleledger.ingest.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.idleledger.ingest.kube.OwnerChain.Owner;
import org.junit.jupiter.api.Test;

class OwnerChainTest {
  private static OwnerChain chain() {
    OwnerChain c = new OwnerChain();
    c.add("c", "web", "ReplicaSet", "api-5d9f", new Owner("Deployment", "api"));
    c.add("c", "ml", "Job", "nightly-1", new Owner("CronJob", "nightly"));
    c.add("c", "ml", "Job", "standalone", new Owner("<none>", "<none>"));
    return c;
  }

  @Test
  void replicaSetsAndJobsResolveToTheirControllers() {
    assertEquals(
        new Owner("Deployment", "api"),
        chain().top("c", "web", "api-5d9f-x", new Owner("ReplicaSet", "api-5d9f")));
    assertEquals(
        new Owner("CronJob", "nightly"),
        chain().top("c", "ml", "nightly-1-x", new Owner("Job", "nightly-1")));
  }

  @Test
  void aJobWithoutOwnerIsTheTop() {
    assertEquals(
        new Owner("Job", "standalone"),
        chain().top("c", "ml", "standalone-x", new Owner("Job", "standalone")));
  }

  @Test
  void customKindsStopTheChain() {
    assertEquals(
        new Owner("PyTorchJob", "ft"),
        chain().top("c", "ml", "ft-worker-0", new Owner("PyTorchJob", "ft")));
  }

  @Test
  void ownersAreNamespaced() {
    assertEquals(
        new Owner("ReplicaSet", "api-5d9f"),
        chain().top("c", "other", "api-5d9f-x", new Owner("ReplicaSet", "api-5d9f")));
  }

  @Test
  void aPodWithoutOwnerIsItsOwnWorkload() {
    assertEquals(new Owner("Pod", "debug"), chain().top("c", "web", "debug", null));
    assertEquals(
        new Owner("Pod", "debug"), chain().top("c", "web", "debug", new Owner("<none>", "<none>")));
  }
}
