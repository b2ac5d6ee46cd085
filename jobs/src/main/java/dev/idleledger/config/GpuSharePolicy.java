package dev.idleledger.config;

/**
 * How much of an instance's cost its GPUs carry (COST_MODEL.md §1, {@code cost.gpu_share}).
 * {@code whole-node}: all of it — a GPU node exists for its GPUs. {@code fixed:x}: a constant share.
 * {@code weights:g,v,m}: the GPUs' weighted share of GPUs + vCPUs + GiB from the catalog (AWS split cost
 * allocation uses 9,0.9,0.1; OpenCost's defaults are 0.95,0.031611,0.004237).
 */
public record GpuSharePolicy(
    String text,
    Kind kind,
    double fixedShare,
    double gpuWeight,
    double vcpuWeight,
    double gibWeight) {
  public enum Kind {
    WHOLE_NODE,
    FIXED,
    WEIGHTS
  }

  public static GpuSharePolicy parse(String text) {
    String t = text.trim();
    if (t.equals("whole-node")) {
      return new GpuSharePolicy(t, Kind.WHOLE_NODE, 1.0, 0, 0, 0);
    }
    try {
      if (t.startsWith("fixed:")) {
        double x = Double.parseDouble(t.substring("fixed:".length()));
        if (!(x > 0 && x <= 1)) {
          throw new ConfigException("cost.gpu_share: fixed share must be in (0, 1], got " + x);
        }
        return new GpuSharePolicy(t, Kind.FIXED, x, 0, 0, 0);
      }
      if (t.startsWith("weights:")) {
        String[] w = t.substring("weights:".length()).split(",");
        if (w.length != 3) {
          throw new ConfigException(
              "cost.gpu_share: weights need three numbers <gpu>,<vcpu>,<gib>, got '" + t + "'");
        }
        return new GpuSharePolicy(
            t,
            Kind.WEIGHTS,
            0,
            Double.parseDouble(w[0]),
            Double.parseDouble(w[1]),
            Double.parseDouble(w[2]));
      }
    } catch (NumberFormatException e) {
      throw new ConfigException("cost.gpu_share: not a number in '" + t + "'");
    }
    throw new ConfigException(
        "cost.gpu_share: expected whole-node, fixed:<x> or weights:<gpu>,<vcpu>,<gib>, got '"
            + t
            + "'");
  }

  /** The GPUs' share of the instance's cost, given the catalog's shape of the instance. */
  public double share(int gpus, double vcpus, double memoryGib) {
    return switch (kind) {
      case WHOLE_NODE -> 1.0;
      case FIXED -> fixedShare;
      case WEIGHTS -> {
        double g = gpuWeight * gpus;
        double total = g + vcpuWeight * vcpus + gibWeight * memoryGib;
        yield total <= 0 ? 1.0 : g / total;
      }
    };
  }
}
