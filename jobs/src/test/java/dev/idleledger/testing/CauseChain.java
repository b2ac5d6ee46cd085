package dev.idleledger.testing;

/** A failure and each of its causes, one per line ({@code Throwable.toString()}: class and message). */
public final class CauseChain {
  private CauseChain() {}

  public static String of(Throwable failure) {
    StringBuilder out = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      out.append(t).append('\n');
    }
    return out.toString();
  }
}
