package dev.idleledger.ingest.billing;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Says what a billing file that lacks the required columns is instead, when its header gives it away, so the
 * rejection tells the user what to change rather than listing columns: legacy CUR (the {@code lineItem/UsageStartDate}
 * names of the original Cost and Usage Report), a FOCUS file under the CUR root, or a CUR 2.0 file under the FOCUS root.
 */
final class ForeignExportFormat {
  private ForeignExportFormat() {}

  static Optional<String> recognise(List<String> fileColumns, String source) {
    List<String> lower = fileColumns.stream().map(c -> c.trim().toLowerCase(Locale.ROOT)).toList();
    List<String> legacy =
        fileColumns.stream()
            .map(String::trim)
            .filter(
                c ->
                    c.toLowerCase(Locale.ROOT).startsWith("lineitem/")
                        || c.toLowerCase(Locale.ROOT).startsWith("identity/"))
            .limit(2)
            .toList();
    if (!legacy.isEmpty()) {
      return Optional.of(
          "legacy CUR column names ("
              + String.join(", ", legacy)
              + ", ...): export as CUR 2.0 or FOCUS");
    }
    boolean focus = lower.contains(FocusCharges.START.toLowerCase(Locale.ROOT));
    boolean cur2 = lower.contains(CurLineItems.START);
    if (focus && CurLineItems.SOURCE.equals(source)) {
      return Optional.of(
          "FOCUS columns in the CUR 2.0 input: give this export as input.billing.focus");
    }
    if (focus && FocusCharges.SOURCE.equals(source)) {
      // FOCUS names its columns per version (0.5's ChargeType and AmortizedCost became 1.0's
      // ChargeCategory and EffectiveCost).
      return Optional.of(
          "FOCUS columns of a version this job does not read (it reads FOCUS 1.0 to 1.3): export the data as FOCUS 1.0 to 1.3");
    }
    if (cur2 && FocusCharges.SOURCE.equals(source)) {
      return Optional.of(
          "CUR 2.0 columns in the FOCUS input: give this export as input.billing.cur");
    }
    return Optional.empty();
  }
}
