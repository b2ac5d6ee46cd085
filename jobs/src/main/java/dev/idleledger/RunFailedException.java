package dev.idleledger;

/** A run that cannot go on (an unusable source, a failed reconciliation): exit code 1, one line on stderr. */
public final class RunFailedException extends RuntimeException {
  public RunFailedException(String message) {
    super(message);
  }

  public RunFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
