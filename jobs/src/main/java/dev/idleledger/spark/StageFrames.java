package dev.idleledger.spark;

import org.apache.spark.sql.Dataset;

/**
 * Materializes a frame a stage reads more than once, and cuts its lineage so later plans stay small.
 *
 * <p>In local mode the executor is this JVM, so a local checkpoint (blocks in this process's memory and disk)
 * is as safe as anything and the fastest. On a cluster a local checkpoint's blocks die with their executor and
 * the lineage to rebuild them is gone, so a lost worker would fail the night: there the frame is written as a
 * reliable checkpoint under the checkpoint directory {@link LedgerSpark} sets ({@code <lake.root>/_checkpoints/<app id>},
 * removed when the application ends).
 *
 * <p>The local checkpoint is lazy: the first action that reads the frame computes it and keeps its blocks, and the
 * lineage is cut when that action ends (Spark completes any partition the action did not need). An eager one is a
 * job of its own per frame, and a night keeps about a hundred frames of a few rows each. The reliable checkpoint
 * stays eager: a lazy one computes the frame a second time to write it.
 */
public final class StageFrames {
  private StageFrames() {}

  public static <T> Dataset<T> keep(Dataset<T> frame) {
    var context = frame.sparkSession().sparkContext();
    if (context.isLocal() || context.getCheckpointDir().isEmpty()) {
      return frame.localCheckpoint(false);
    }
    return frame.checkpoint();
  }
}
