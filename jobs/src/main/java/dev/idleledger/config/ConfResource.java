package dev.idleledger.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A file of the conf folder (a catalog CSV), read from disk when the folder is known, else from the jar. */
public record ConfResource(Path confDir, String name) {
  public Reader open() throws IOException {
    Path file =
        Path.of(name).isAbsolute() || confDir == null ? Path.of(name) : confDir.resolve(name);
    if (Files.isRegularFile(file)) {
      return Files.newBufferedReader(file, StandardCharsets.UTF_8);
    }
    InputStream in = ConfResource.class.getResourceAsStream("/conf/" + name);
    if (in == null) {
      throw new ConfigException(file + ": conf file not found");
    }
    return new InputStreamReader(in, StandardCharsets.UTF_8);
  }

  public String describe() {
    return confDir == null ? "conf/" + name : confDir.resolve(name).toString();
  }
}
