package dev.idleledger.nightly;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * What one date read: its raw files (with size, modification time and ETag) and the fingerprints of its billing
 * lines and of the money settings. Two manifests of a date that compare equal give the same published rows.
 */
record InputManifest(LocalDate date, String runId, List<Entry> entries) {
  /** One row of {@code run_inputs}; {@code compared} says whether a change of it recomputes the date. */
  record Entry(
      String input,
      String path,
      Long sizeBytes,
      Instant modifiedAt,
      String etag,
      String fingerprint,
      boolean compared) {
    static Entry file(
        String input, String path, long size, Instant modified, String etag, boolean compared) {
      return new Entry(input, path, size, modified, etag, null, compared);
    }

    static Entry fingerprint(String input, String fingerprint) {
      return new Entry(input, null, null, null, null, fingerprint, true);
    }

    String describe() {
      return input + (path == null ? "" : " " + path);
    }
  }

  /** Bytes of the raw files the date reads (telemetry with the next day's stragglers, kube state, billing). */
  long rawBytes() {
    return entries.stream().filter(e -> e.sizeBytes() != null).mapToLong(Entry::sizeBytes).sum();
  }

  /**
   * Why this (current) manifest differs from {@code recorded}, or empty when the date can be kept. The billing lines
   * are asked for ({@code billingLines}, which reads the bill) only when a billing file changed.
   */
  Optional<String> changedSince(InputManifest recorded, Supplier<String> billingLines) {
    if (!Objects.equals(
        fingerprintOf(RunInputs.SETTINGS), recorded.fingerprintOf(RunInputs.SETTINGS))) {
      return Optional.of("the money settings changed");
    }
    Set<Entry> now = compared(this);
    Set<Entry> then = compared(recorded);
    if (!now.equals(then)) {
      List<String> changes = new ArrayList<>();
      now.stream()
          .filter(e -> !then.contains(e))
          .limit(3)
          .forEach(e -> changes.add("new or changed " + e.describe()));
      then.stream()
          .filter(e -> !now.contains(e))
          .filter(e -> now.stream().noneMatch(n -> Objects.equals(n.path(), e.path())))
          .limit(3)
          .forEach(e -> changes.add("gone " + e.describe()));
      return Optional.of(String.join(", ", changes));
    }
    if (files(this, false).equals(files(recorded, false))) {
      return Optional.empty();
    }
    String lines = billingLines.get();
    return lines.equals(recorded.fingerprintOf(RunInputs.BILLING_LINES))
        ? Optional.empty()
        : Optional.of("its billing lines changed (" + lines + ")");
  }

  String fingerprintOf(String input) {
    return entries.stream()
        .filter(e -> e.input().equals(input))
        .map(Entry::fingerprint)
        .findFirst()
        .orElse(null);
  }

  /** The compared file entries (telemetry and kube files): a set, so order does not matter. */
  private static Set<Entry> compared(InputManifest m) {
    return files(m, true);
  }

  private static Set<Entry> files(InputManifest m, boolean compared) {
    Set<Entry> out =
        new TreeSet<>(
            Comparator.comparing(Entry::input)
                .thenComparing(Entry::path)
                .thenComparing(e -> e.sizeBytes() == null ? -1 : e.sizeBytes())
                .thenComparing(e -> e.modifiedAt() == null ? Instant.EPOCH : e.modifiedAt())
                .thenComparing(e -> e.etag() == null ? "" : e.etag()));
    m.entries().stream()
        .filter(e -> e.path() != null && e.compared() == compared)
        .forEach(out::add);
    return out;
  }
}
