package dev.idleledger.tickets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a credential from its environment variable, else its file. The value is never logged or stored. */
final class SecretReader {
  private SecretReader() {}

  static String read(TicketSettings.Secret secret, String what) {
    String fromEnv = secret.envName().isBlank() ? null : System.getenv(secret.envName());
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv.trim();
    }
    if (!secret.file().isBlank()) {
      try {
        String v = Files.readString(Path.of(secret.file()), StandardCharsets.UTF_8).trim();
        if (!v.isEmpty()) {
          return v;
        }
      } catch (IOException e) {
        // The message names the file, not its content.
        throw new IllegalStateException(
            what
                + ": cannot read the secret file "
                + secret.file()
                + ": "
                + e.getClass().getSimpleName());
      }
    }
    throw new IllegalStateException(
        what
            + ": no credential; set the environment variable "
            + secret.envName()
            + " or a secret file in config");
  }
}
