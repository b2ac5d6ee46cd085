package dev.idleledger.model;

import static org.apache.spark.sql.functions.bit_count;
import static org.apache.spark.sql.functions.bit_or;
import static org.apache.spark.sql.functions.call_function;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.shiftright;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;

/**
 * A small set kept as bits, so an aggregation that would otherwise collect it stays a hash aggregate. Each member has a
 * slot (a dense number from 0, worked out beforehand on a small frame), and the set is {@code words} 64-bit words
 * {@code prefix0, prefix1, ...}: word k has bit (slot mod 64) of every member whose slot is in word k. Spark's hash
 * aggregate holds only fixed-width buffers; {@code collect_set} turns the whole aggregation into the object aggregate,
 * which sorts its rows once more than 128 keys are open in a task.
 */
public final class SlotMasks {
  private SlotMasks() {}

  /** Words enough for {@code bits} slots (at least one). */
  public static int words(int bits) {
    return Math.max(1, (bits + Long.SIZE - 1) / Long.SIZE);
  }

  /** One {@code bit_or} per word over the rows' {@code slot} (a null slot sets no bit). */
  public static List<Column> masks(Column slot, int words, String prefix) {
    Column word = shiftright(slot, 6);
    Column bit = call_function("shiftleft", lit(1L), slot.bitwiseAND(lit(Long.SIZE - 1)));
    String[] names = names(words, prefix);
    List<Column> masks = new ArrayList<>();
    for (int k = 0; k < words; k++) {
      masks.add(bit_or(when(word.equalTo(k), bit)).as(names[k]));
    }
    return masks;
  }

  /** The same words merged once more: the union of sets already kept as masks, per group. */
  public static List<Column> unions(int words, String prefix) {
    List<Column> unions = new ArrayList<>();
    for (String word : names(words, prefix)) {
      unions.add(bit_or(col(word)).as(word));
    }
    return unions;
  }

  /** How many members the words hold (0 when all are null). */
  public static Column bitsSet(int words, String prefix) {
    Column n = lit(0L);
    for (String word : names(words, prefix)) {
      n = n.plus(coalesce(bit_count(col(word)), lit(0)));
    }
    return n;
  }

  /** The words' column names. */
  public static String[] names(int words, String prefix) {
    String[] names = new String[words];
    for (int k = 0; k < words; k++) {
      names[k] = prefix + k;
    }
    return names;
  }
}
