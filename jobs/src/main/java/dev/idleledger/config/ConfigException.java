package dev.idleledger.config;

/** A configuration problem a person can fix: the message names the key or the file. Exit code 2. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
