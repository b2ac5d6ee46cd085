package dev.idleledger.config;

import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * What each instance type is made of (GPUs, GPU model and memory, vCPU, memory, MIG slices, on-demand
 * price) and which MIG profiles each GPU model offers. From {@code conf/instance-catalog.csv} and
 * {@code conf/mig-profiles.csv}.
 */
public final class InstanceCatalog implements Serializable {
  public record InstanceType(String instanceType, String gpuModel, int gpus, long gpuMemoryMib, int vcpu,
      double memoryGib, int migSlices, double onDemandHourly) implements Serializable {}

  /** A MIG profile like {@code 3g.40gb}: {@code computeSlices} of the model's slices and its memory. */
  public record MigProfile(String gpuModel, String profile, int computeSlices, long memoryMib) implements Serializable {}

  private final Map<String, InstanceType> byType;
  private final List<MigProfile> migProfiles;

  public InstanceCatalog(Collection<InstanceType> types, List<MigProfile> migProfiles) {
    this.byType = new LinkedHashMap<>();
    types.forEach(t -> byType.put(t.instanceType(), t));
    this.migProfiles = List.copyOf(migProfiles);
  }

  public static InstanceCatalog load(LedgerConfig config) {
    return load(config.confResource("cost.instance_catalog"), config.confResource("cost.mig_profiles"));
  }

  public static InstanceCatalog load(ConfResource instances, ConfResource profiles) {
    List<InstanceType> types = new ArrayList<>();
    for (CSVRecord r : readCsv(instances, "instance_type", "gpu_model", "gpus", "gpu_memory_mib", "vcpu", "memory_gib", "mig_slices", "on_demand_hourly")) {
      types.add(new InstanceType(r.get("instance_type"), r.get("gpu_model"), intOf(instances, r, "gpus"),
          longOf(instances, r, "gpu_memory_mib"), intOf(instances, r, "vcpu"), doubleOf(instances, r, "memory_gib"),
          intOf(instances, r, "mig_slices"), doubleOf(instances, r, "on_demand_hourly")));
    }
    List<MigProfile> migs = new ArrayList<>();
    for (CSVRecord r : readCsv(profiles, "gpu_model", "profile", "compute_slices", "memory_mib")) {
      migs.add(new MigProfile(r.get("gpu_model"), r.get("profile"), intOf(profiles, r, "compute_slices"), longOf(profiles, r, "memory_mib")));
    }
    return new InstanceCatalog(types, migs);
  }

  public Optional<InstanceType> instanceType(String type) {
    return Optional.ofNullable(type == null ? null : byType.get(type));
  }

  public Collection<InstanceType> instanceTypes() {
    return byType.values();
  }

  /** The model's MIG profiles, smallest first. */
  public List<MigProfile> migProfiles(String gpuModel) {
    return migProfiles.stream().filter(p -> p.gpuModel().equals(gpuModel))
        .sorted(Comparator.comparingInt(MigProfile::computeSlices).thenComparingLong(MigProfile::memoryMib)).toList();
  }

  public List<MigProfile> allMigProfiles() {
    return migProfiles;
  }

  /** Compute slices of a whole GPU of this model (7 for A100/H100, 4 for A30), 0 when it has no MIG. */
  public int migSlices(String gpuModel) {
    return byType.values().stream().filter(t -> t.gpuModel().equals(gpuModel)).mapToInt(InstanceType::migSlices).max().orElse(0);
  }

  private static List<CSVRecord> readCsv(ConfResource file, String... required) {
    CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setTrim(true).setIgnoreEmptyLines(true).get();
    try (Reader reader = file.open()) {
      var parser = format.parse(reader);
      for (String column : required) {
        if (!parser.getHeaderMap().containsKey(column)) {
          throw new ConfigException(file.describe() + ": missing column '" + column + "'");
        }
      }
      return parser.getRecords();
    } catch (IOException | IllegalArgumentException | IllegalStateException e) {
      throw new ConfigException(file.describe() + ": " + e.getMessage(), e);
    }
  }

  private static int intOf(ConfResource f, CSVRecord r, String column) {
    try {
      return Integer.parseInt(r.get(column));
    } catch (NumberFormatException e) {
      throw new ConfigException(f.describe() + " line " + r.getRecordNumber() + ": " + column + " is not an integer: '" + r.get(column) + "'");
    }
  }

  private static long longOf(ConfResource f, CSVRecord r, String column) {
    try {
      return Long.parseLong(r.get(column));
    } catch (NumberFormatException e) {
      throw new ConfigException(f.describe() + " line " + r.getRecordNumber() + ": " + column + " is not an integer: '" + r.get(column) + "'");
    }
  }

  private static double doubleOf(ConfResource f, CSVRecord r, String column) {
    try {
      return Double.parseDouble(r.get(column));
    } catch (NumberFormatException e) {
      throw new ConfigException(f.describe() + " line " + r.getRecordNumber() + ": " + column + " is not a number: '" + r.get(column) + "'");
    }
  }
}
