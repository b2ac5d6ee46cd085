package dev.idleledger.spark;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.catalyst.plans.logical.LocalRelation;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.LogicalRDD;
import org.apache.spark.storage.StorageLevel;
import scala.collection.JavaConverters;

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
 *
 * <p>A frame Spark's optimizer already knows to be empty ({@link #knownEmpty}: it folds to an empty local relation,
 * as every query over an empty source does — a date without input) is neither checkpointed nor cached: either would
 * hide that from the queries that read it (a checkpoint or a cache is an opaque scan), so each of them would plan its
 * shuffles and run its jobs over nothing, where over an empty local relation Spark answers on the driver.
 */
public final class StageFrames {
  private StageFrames() {}

  public static <T> Dataset<T> keep(Dataset<T> frame) {
    if (knownEmpty(frame)) {
      // Cut as a checkpoint cuts: a leaf of the frame's columns (the same attributes) and no rows,
      // so the readers neither walk back through its lineage nor plan its sources again.
      return new Dataset<>(
          frame.sparkSession(), frame.queryExecution().optimizedPlan(), frame.encoder());
    }
    var context = frame.sparkSession().sparkContext();
    if (context.isLocal() || context.getCheckpointDir().isEmpty()) {
      return frame.localCheckpoint(false);
    }
    return frame.checkpoint();
  }

  /**
   * A frame over local data that Spark knows to be empty ({@link #knownEmptyOverLocalData}) as that empty local
   * relation, the leaf {@link #keep} cuts it to; any other frame as it is, neither computed nor kept. For a frame
   * several queries read once each, where keeping would hold what only streams through. Two frames derived from
   * the same leaf join as any self-join does; derived from the same lineage over empty local relations, checkpoints
   * and explodes, Spark 3.5 without adaptive execution cannot always tell their columns apart ({@code Failure when
   * resolving conflicting references in Join}).
   */
  public static <T> Dataset<T> emptyAsLeaf(Dataset<T> frame) {
    return knownEmptyOverLocalData(frame) ? keep(frame) : frame;
  }

  /**
   * {@code frame.persist()}, unless the frame reads only local data and is {@link #knownEmpty} (then the frame
   * itself, not cached).
   */
  public static <T> Dataset<T> hold(Dataset<T> frame) {
    return knownEmptyOverLocalData(frame) ? frame : frame.persist();
  }

  /** {@link #hold(Dataset)} at {@code level}. */
  public static <T> Dataset<T> hold(Dataset<T> frame, StorageLevel level) {
    return knownEmptyOverLocalData(frame) ? frame : frame.persist(level);
  }

  /**
   * True when the frame is certainly empty without running anything: its optimized plan is an empty local relation
   * (Spark folds filters, projections, grouped aggregates and joins over an empty local relation to one). False says
   * nothing: the frame may still be empty. Asks the optimizer only of a frame that reads an empty local relation (an
   * archive date without files, {@code createDataFrame} of no rows). Optimizing a frame that also reads a Delta table
   * lists the table's files: meant for a frame whose own query is about to run anyway ({@link #keep}), which reuses
   * that optimization.
   */
  public static boolean knownEmpty(Dataset<?> frame) {
    List<LogicalPlan> leaves = leaves(frame);
    return leaves.stream().anyMatch(StageFrames::emptyRelation)
        && emptyRelation(frame.queryExecution().optimizedPlan());
  }

  /**
   * {@link #knownEmpty} for a frame that reads nothing but local data (local relations, checkpointed frames): asking
   * costs no file listing whatever is done with the frame next (a cache or a write plans it again from scratch).
   */
  public static boolean knownEmptyOverLocalData(Dataset<?> frame) {
    List<LogicalPlan> leaves = leaves(frame);
    return leaves.stream().allMatch(p -> p instanceof LocalRelation || p instanceof LogicalRDD)
        && knownEmpty(frame);
  }

  private static List<LogicalPlan> leaves(Dataset<?> frame) {
    return JavaConverters.seqAsJavaList(frame.queryExecution().analyzed().collectLeaves());
  }

  private static boolean emptyRelation(LogicalPlan plan) {
    return plan instanceof LocalRelation local && local.data().isEmpty();
  }
}
