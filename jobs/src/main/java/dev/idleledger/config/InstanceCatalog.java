package dev.idleledger.config;

import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * What each instance type is made of (GPUs, GPU model and memory, vCPU, memory, MIG slices, on-demand
 * price) and which MIG profiles each GPU model offers. From {@code conf/instance-catalog.csv} and
 * {@code conf/mig-profiles.csv}.
 *
 * <p>Names are matched the way bills and nodes spell them: case-insensitively, with or without Azure's
 * {@code Standard_} prefix, and in the meter form ({@code NC24ads A100 v4}, optionally {@code Spot} /
 * {@code Low Priority}) — see {@link #key}.
 */
public final class InstanceCatalog implements Serializable {
  /**
   * One instance shape.
   *
   * @param gpus GPU devices the instance exposes (its {@code nvidia.com/gpu} capacity); a partial (vGPU) GPU is one device
   * @param gpuMemoryMib framebuffer of one device as DCGM reports it (the partition's, for a partial GPU)
   * @param onDemandHourly public on-demand price, the fallback where no bill covers the hour; null = none known
   * @param provider aws | azure | gcp (empty when the file does not say)
   * @param gpuFraction share of one physical GPU each device is: 1, or e.g. 1/6 for Azure's NV6ads A10 v5
   * @param priceRegion region of {@code onDemandHourly}; null with no price
   * @param priceDate date the price was read from the provider's public price list; null with no price
   */
  public record InstanceType(
      String instanceType,
      String gpuModel,
      int gpus,
      long gpuMemoryMib,
      int vcpu,
      double memoryGib,
      int migSlices,
      Double onDemandHourly,
      String provider,
      double gpuFraction,
      String priceRegion,
      String priceDate)
      implements Serializable {
    /** The shape as the original eight columns describe it (no provider, whole GPUs, no price date). */
    public InstanceType(
        String instanceType,
        String gpuModel,
        int gpus,
        long gpuMemoryMib,
        int vcpu,
        double memoryGib,
        int migSlices,
        Double onDemandHourly) {
      this(
          instanceType,
          gpuModel,
          gpus,
          gpuMemoryMib,
          vcpu,
          memoryGib,
          migSlices,
          onDemandHourly,
          "",
          1.0,
          null,
          null);
    }
  }

  private static final Pattern AZURE_PREFIX = Pattern.compile("^standard_");
  private static final Pattern SPACES = Pattern.compile("\\s+");

  /**
   * Names of the providers' GPU families (AWS p*, g*, gr*; Azure NC/ND/NV/NG; GCP a2/a3/a4/g2...): only to warn when
   * such a type is on the bill but not in the catalog, since then its GPUs cannot be counted.
   */
  private static final Pattern GPU_FAMILY =
      Pattern.compile(
          "^((p|g|gr)\\d+[a-z]*(-[a-z0-9]+)?\\.[a-z0-9-]+|n[cdvg]\\d+[a-z]*_.*|[ag]\\d+[a-z]?-[a-z]+-\\d+g?)$");

  private static final Pattern METER_SUFFIX = Pattern.compile("_(low_priority|spot)$");

  /** A MIG profile like {@code 3g.40gb}: {@code computeSlices} of the model's slices and its memory. */
  public record MigProfile(String gpuModel, String profile, int computeSlices, long memoryMib)
      implements Serializable {}

  private final Map<String, InstanceType> byType;
  private final List<MigProfile> migProfiles;

  public InstanceCatalog(Collection<InstanceType> types, List<MigProfile> migProfiles) {
    this.byType = new LinkedHashMap<>();
    for (InstanceType t : types) {
      InstanceType earlier = byType.put(key(t.instanceType()), t);
      if (earlier != null) {
        // Two rows for one name would join twice and double the money of every hour of that type.
        throw new ConfigException(
            "instance catalog: '"
                + t.instanceType()
                + "' and '"
                + earlier.instanceType()
                + "' are the same instance type");
      }
    }
    this.migProfiles = List.copyOf(migProfiles);
  }

  /**
   * The form an instance type name is matched in: lower case, without Azure's {@code Standard_} prefix, blanks
   * as underscores, without a meter's {@code Spot} / {@code Low Priority} suffix. AWS ({@code p5.48xlarge}) and
   * GCP ({@code a2-highgpu-1g}) names only change case; Azure's {@code Standard_NC24ads_A100_v4} (node label,
   * resource SKU) and {@code NC24ads A100 v4} (meter name) meet at {@code nc24ads_a100_v4}.
   * {@link dev.idleledger.attribute} applies the same rules to columns.
   */
  public static String key(String instanceType) {
    if (instanceType == null) {
      return null;
    }
    String k = SPACES.matcher(instanceType.trim().toLowerCase(Locale.ROOT)).replaceAll("_");
    k = AZURE_PREFIX.matcher(k).replaceFirst("");
    return METER_SUFFIX.matcher(k).replaceFirst("");
  }

  public static InstanceCatalog load(LedgerConfig config) {
    return load(
        config.confResource("cost.instance_catalog"), config.confResource("cost.mig_profiles"));
  }

  public static InstanceCatalog load(ConfResource instances, ConfResource profiles) {
    List<InstanceType> types = new ArrayList<>();
    for (CSVRecord r :
        readCsv(
            instances,
            "instance_type",
            "gpu_model",
            "gpus",
            "gpu_memory_mib",
            "vcpu",
            "memory_gib",
            "mig_slices",
            "on_demand_hourly")) {
      // provider, gpu_fraction, price_region and price_date came later: a catalog without them
      // still loads.
      Double price =
          optionalText(r, "on_demand_hourly") == null
              ? null
              : doubleOf(instances, r, "on_demand_hourly");
      String fraction = optionalText(r, "gpu_fraction");
      if (fraction != null
          && !(doubleOf(instances, r, "gpu_fraction") > 0
              && doubleOf(instances, r, "gpu_fraction") <= 1)) {
        throw new ConfigException(
            instances.describe()
                + " line "
                + r.getRecordNumber()
                + ": gpu_fraction must be in (0, 1]: '"
                + fraction
                + "'");
      }
      types.add(
          new InstanceType(
              r.get("instance_type"),
              r.get("gpu_model"),
              intOf(instances, r, "gpus"),
              longOf(instances, r, "gpu_memory_mib"),
              intOf(instances, r, "vcpu"),
              doubleOf(instances, r, "memory_gib"),
              intOf(instances, r, "mig_slices"),
              price,
              Optional.ofNullable(optionalText(r, "provider")).orElse(""),
              fraction == null ? 1.0 : doubleOf(instances, r, "gpu_fraction"),
              price == null ? null : optionalText(r, "price_region"),
              price == null ? null : optionalText(r, "price_date")));
    }
    List<MigProfile> migs = new ArrayList<>();
    for (CSVRecord r : readCsv(profiles, "gpu_model", "profile", "compute_slices", "memory_mib")) {
      migs.add(
          new MigProfile(
              r.get("gpu_model"),
              r.get("profile"),
              intOf(profiles, r, "compute_slices"),
              longOf(profiles, r, "memory_mib")));
    }
    return new InstanceCatalog(types, migs);
  }

  /** Whether the name is that of a provider's GPU family, known to this catalog or not. */
  public static boolean looksLikeGpuFamily(String instanceType) {
    String k = key(instanceType);
    return k != null && GPU_FAMILY.matcher(k).matches();
  }

  /** The shape of an instance type, however the bill or the node spells it (see {@link #key}). */
  public Optional<InstanceType> instanceType(String type) {
    return Optional.ofNullable(type == null ? null : byType.get(key(type)));
  }

  public Collection<InstanceType> instanceTypes() {
    return byType.values();
  }

  /** The model's MIG profiles, smallest first. */
  public List<MigProfile> migProfiles(String gpuModel) {
    return migProfiles.stream()
        .filter(p -> p.gpuModel().equals(gpuModel))
        .sorted(
            Comparator.comparingInt(MigProfile::computeSlices)
                .thenComparingLong(MigProfile::memoryMib))
        .toList();
  }

  public List<MigProfile> allMigProfiles() {
    return migProfiles;
  }

  /** Compute slices of a whole GPU of this model (7 for A100/H100, 4 for A30), 0 when it has no MIG. */
  public int migSlices(String gpuModel) {
    return byType.values().stream()
        .filter(t -> t.gpuModel().equals(gpuModel))
        .mapToInt(InstanceType::migSlices)
        .max()
        .orElse(0);
  }

  private static List<CSVRecord> readCsv(ConfResource file, String... required) {
    CSVFormat format =
        CSVFormat.DEFAULT
            .builder()
            .setHeader()
            .setSkipHeaderRecord(true)
            .setTrim(true)
            .setIgnoreEmptyLines(true)
            .get();
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

  /** The cell's text, or null where the column is absent or the cell empty. */
  private static String optionalText(CSVRecord r, String column) {
    if (!r.isMapped(column) || !r.isSet(column)) {
      return null;
    }
    String v = r.get(column);
    return v == null || v.isBlank() ? null : v;
  }

  private static int intOf(ConfResource f, CSVRecord r, String column) {
    try {
      return Integer.parseInt(r.get(column));
    } catch (NumberFormatException e) {
      throw new ConfigException(
          f.describe()
              + " line "
              + r.getRecordNumber()
              + ": "
              + column
              + " is not an integer: '"
              + r.get(column)
              + "'");
    }
  }

  private static long longOf(ConfResource f, CSVRecord r, String column) {
    try {
      return Long.parseLong(r.get(column));
    } catch (NumberFormatException e) {
      throw new ConfigException(
          f.describe()
              + " line "
              + r.getRecordNumber()
              + ": "
              + column
              + " is not an integer: '"
              + r.get(column)
              + "'");
    }
  }

  private static double doubleOf(ConfResource f, CSVRecord r, String column) {
    try {
      return Double.parseDouble(r.get(column));
    } catch (NumberFormatException e) {
      throw new ConfigException(
          f.describe()
              + " line "
              + r.getRecordNumber()
              + ": "
              + column
              + " is not a number: '"
              + r.get(column)
              + "'");
    }
  }
}
