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
 */
public final class StageFrames {
  private StageFrames() {}

  public static <T> Dataset<T> keep(Dataset<T> frame) {
    var context = frame.sparkSession().sparkContext();
    if (context.isLocal() || context.getCheckpointDir().isEmpty()) {
      return frame.localCheckpoint();
    }
    return frame.checkpoint();
  }
}
