package dev.idleledger.ingest.billing;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;

import dev.idleledger.quality.QualityRecorder;
import dev.idleledger.spark.GlobalAggregate;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What a source billed on a date that is not GPU instance time, class by class, and the corrections it applied,
 * for {@code run_quality} (COST_MODEL §1: unused commitments, taxes, credits, storage and network are counted, never
 * attributed). A FinOps user reconciling our GPU cost to the invoice needs to see every class left out and why.
 *
 * <p>Checks written per source: {@code non_gpu_cost} (value = money of the date's rows that are not instance time;
 * detail = each class with its rows, money and why) and {@code billing_corrections} (value = money of the correction
 * rows applied to the date's instance-hours; detail = how many rows).
 */
final class NotAttributedCharges {
  private NotAttributedCharges() {}

  /** Usage that is not a compute instance running: storage, data transfer, IP addresses, NAT gateways, managed services. */
  static final String NON_COMPUTE_USAGE = "non-compute usage";

  /** A FOCUS Purchase of a commitment (reservation, savings plan). */
  static final String COMMITMENT_PURCHASE = "commitment purchase";

  static final String UNKNOWN = "unknown charge class";

  /** Why each class of row is left out of GPU cost, by the class's lower-case name (a FOCUS category or a CUR line item type). */
  static String why(String kind) {
    String k = kind.toLowerCase(Locale.ROOT);
    if (k.startsWith(NON_COMPUTE_USAGE)) {
      return "not compute-instance time (storage, data transfer, IP addresses, NAT gateways, load balancers, managed services)";
    }
    return switch (k) {
      case COMMITMENT_PURCHASE, "savingsplanupfrontfee" ->
          "buys a commitment; its cost reaches GPU hours through the covered hours' effective cost";
      case "purchase" -> "a one-off purchase, not tied to an instance-hour";
      case "tax" -> "tax is not GPU time";
      case "credit" -> "a credit is not tied to an instance-hour";
      case "refund" -> "a refund is not tied to an instance-hour";
      case "adjustment" ->
          "an adjustment (rounding, SLA credit, late fee) is not tied to an instance-hour";
      case "rifee" ->
          "reservation fee: the reserved hours used are in the covered hours' effective cost, the unused rest is not GPU time";
      case "savingsplanrecurringfee" ->
          "savings plan fee: the part used is in the covered hours' effective cost, the unused rest is not GPU time";
      case "savingsplannegation" ->
          "offsets the on-demand price of covered hours, which count at their effective cost";
      case "fee" ->
          "a fee (reservation upfront, support, registration) is not tied to an instance-hour";
      case "discount", "bundleddiscount", "edpdiscount", "privaterateddiscount" ->
          "a discount line; instance hours count at their effective cost";
      default -> "not GPU instance time";
    };
  }

  /** Which good rows of the charges are the date's money that is not instance time. */
  static Column ofDate(LocalDate date) {
    return col(BillingCharges.REJECT_REASON)
        .isNull()
        .and(not(col(BillingCharges.IS_INSTANCE_HOUR)))
        .and(to_date(col(BillingCharges.USAGE_START)).equalTo(lit(Date.valueOf(date))));
  }

  /** Records the date's not-attributed classes of {@code charges} and the corrections among {@code slices} (InstanceHours.spread). */
  static void record(
      Dataset<Row> charges,
      Dataset<Row> slices,
      LocalDate date,
      String source,
      QualityRecorder quality) {
    List<Row> kinds =
        charges
            .filter(ofDate(date))
            .groupBy(BillingCharges.CHARGE_KIND)
            .agg(
                sum(BillingCharges.CHARGE_COST).as("cost"),
                count(lit(1)).as("rows"),
                max(BillingCharges.CURRENCY).as("currency"))
            .orderBy(BillingCharges.CHARGE_KIND)
            .collectAsList();
    record(kinds, slices, source, quality);
  }

  /**
   * As {@link #record(Dataset, Dataset, LocalDate, String, QualityRecorder)}, with the classes already summed:
   * rows of (class, money, rows, currency) in the order of the class.
   */
  static void record(List<Row> kinds, Dataset<Row> slices, String source, QualityRecorder quality) {
    double total = kinds.stream().mapToDouble(r -> r.getDouble(1)).sum();
    String detail =
        kinds.isEmpty()
            ? "no lines that are not GPU time"
            : kinds.size()
                + " classes not attributed: "
                + kinds.stream()
                    .map(
                        r ->
                            String.format(
                                Locale.ROOT,
                                "%s: %d %s, %.6f%s (%s)",
                                r.getString(0),
                                r.getLong(2),
                                r.getLong(2) == 1 ? "row" : "rows",
                                r.getDouble(1),
                                r.isNullAt(3) ? "" : " " + r.getString(3),
                                why(r.getString(0))))
                    .collect(Collectors.joining("; "));
    quality.recordValue("non_gpu_cost", source, total, null, true, detail);

    // No slices (a date the bill does not reach): no correction, and no query to say so.
    Row corrections =
        GlobalAggregate.of(
            slices.filter(col(BillingCharges.IS_CORRECTION)),
            countDistinct(col(BillingCharges.INSTANCE_ID), col(InstanceHours.HOUR)),
            sum(InstanceHours.NODE_COST),
            countDistinct(col(BillingCharges.FILE), col(BillingCharges.LINE)));
    long correctionRows = corrections.getLong(2);
    double correctionMoney = corrections.isNullAt(1) ? 0.0 : corrections.getDouble(1);
    quality.recordValue(
        "billing_corrections",
        source,
        correctionMoney,
        null,
        true,
        correctionRows == 0
            ? "no corrections of instance-hours of the date"
            : String.format(
                Locale.ROOT,
                "%d correction %s (ChargeClass = Correction or negative usage) applied to the %d instance-%s of the "
                    + "date %s: %.6f netted with the billed cost",
                correctionRows,
                correctionRows == 1 ? "row" : "rows",
                corrections.getLong(0),
                corrections.getLong(0) == 1 ? "hour" : "hours",
                correctionRows == 1 ? "it corrects" : "they correct",
                correctionMoney));
  }
}
