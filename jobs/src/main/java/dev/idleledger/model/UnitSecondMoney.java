package dev.idleledger.model;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.size;

import org.apache.spark.sql.Column;

/**
 * The money of a GPU unit's seconds (COST_MODEL.md §2): "each observed second of a GPU unit costs r" (and billed
 * seconds without telemetry too, as unobserved money), and on a shared GPU ("time-slicing, MPS: several pods on one
 * sample") "each holder gets r / |P| per second". Attribution prices {@code gpu_hourly} with it, and the
 * recommendations price their seconds with it at the rate attribution kept ({@code gpu_hourly.rate_per_second}), so a
 * recommendation's money is the money the ledger shows.
 */
public final class UnitSecondMoney {
  private UnitSecondMoney() {}

  /** {@code rate × seconds}; a unit-hour nothing priced has no rate and costs 0. */
  public static Column of(Column rate, Column seconds) {
    return coalesce(rate, lit(0.0)).multiply(seconds);
  }

  /**
   * What each holder of a sample pays for {@code seconds} of it: {@code rate × seconds / |holders|}. A sample nobody
   * holds is the unit's own (unallocated) money, the whole {@code rate × seconds}.
   *
   * @param rate the unit-hour's rate per second
   * @param seconds the part of the sample's hold within the rate's hour
   * @param holders the sample's holders (the pods named on it)
   */
  public static Column perHolder(Column rate, Column seconds, Column holders) {
    return of(rate, seconds).divide(greatest(size(holders), lit(1)));
  }
}
