package dev.idleledger.generate;

/**
 * Stateless pseudo-randomness: every value is a hash of (seed, what, when), so any sample can be produced
 * in any order or thread and a seed always gives the same archive, byte for byte.
 */
final class Noise {
  private Noise() {}

  static long mix(long z) {
    // SplitMix64 finaliser: cheap and well distributed.
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  static long hash(long seed, long a, long b, long c) {
    return mix(mix(mix(seed + 0x9e3779b97f4a7c15L * a) + b) + 31 * c);
  }

  /** Uniform in [0, 1). */
  static double uniform(long seed, long a, long b, long c) {
    return (hash(seed, a, b, c) >>> 11) * 0x1.0p-53;
  }

  static long stringKey(String s) {
    long h = 1125899906842597L;
    for (int i = 0; i < s.length(); i++) {
      h = 31 * h + s.charAt(i);
    }
    return mix(h);
  }

  static String hex(long seed, String what, int digits) {
    StringBuilder sb = new StringBuilder();
    long k = stringKey(what);
    int round = 0;
    while (sb.length() < digits) {
      sb.append(String.format("%016x", hash(seed, k, round++, 7)));
    }
    return sb.substring(0, digits);
  }

  static double round(double value, int decimals) {
    double scale = Math.pow(10, decimals);
    return Math.round(value * scale) / scale;
  }
}
