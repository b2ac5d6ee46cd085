package dev.idleledger.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idleledger.RunFailedException;
import dev.idleledger.config.LedgerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * One writer per lake: a run (nightly, backfill) holds {@code <lake.root>/_run.lock} while it writes. Delta's
 * S3 log store is safe for one writer only, and two nights replacing the same dates would race anyway, so a
 * second run refuses with one line instead. The lock is taken by an atomic create-if-absent: a new file on a
 * local disk, a conditional PutObject ({@code If-None-Match: *}) on S3. A lock older than
 * {@code nightly.lock_timeout_minutes}, or one whose holder process on this same host has ended, is a crashed run's:
 * it is taken over. Each lock body carries a token of its own, so a create whose success answer was lost (the
 * SDK then retries it and is refused by its own first write) is still recognised as this run's.
 */
public final class RunLock implements AutoCloseable {
  public static final String NAME = "_run.lock";
  private final Store store;

  private RunLock(Store store) {
    this.store = store;
  }

  /** Takes the lake's lock for {@code what} (e.g. "nightly 2026-11-01") or fails the run naming the holder. */
  public static RunLock acquire(LedgerConfig config, String what) {
    Duration timeout = config.runLockTimeout;
    Store store = Store.of(config);
    String body =
        "{\"run\":\""
            + what
            + "\",\"host\":\""
            + host()
            + "\",\"pid\":"
            + ProcessHandle.current().pid()
            + ",\"acquired_at\":\""
            + Instant.now()
            + "\",\"token\":\""
            + UUID.randomUUID()
            + "\"}\n";
    if (created(store, body)) {
      return new RunLock(store);
    }
    Instant since = store.lastModified();
    boolean expired = since != null && since.plus(timeout).isBefore(Instant.now());
    if (expired || heldByAnEndedProcessOnThisHost(store.holder())) {
      // A run that crashed never released it. On this host a dead holder is known at once (an
      // Airflow retry after an OOM kill must not wait half a day); from another host only the
      // timeout can tell.
      store.delete();
      if (created(store, body)) {
        return new RunLock(store);
      }
    }
    throw new RunFailedException(
        "another run holds the lake's run lock "
            + store.describe()
            + " ("
            + store.holder().trim()
            + "); it is released when that run ends, or taken over "
            + timeout.toMinutes()
            + " min after it was taken");
  }

  /**
   * Whether {@code body} is now the lock. A conditional PutObject that S3 carried out but whose answer never
   * arrived (a dropped connection, a 5xx) is retried by the SDK and refused with 412 by the very object it
   * wrote: the lock then holds this attempt's own body, token and all, and it is this run's.
   */
  private static boolean created(Store store, String body) {
    return store.createIfAbsent(body) || store.holder().equals(body);
  }

  @Override
  public void close() {
    store.delete();
  }

  /** The holder's pid is on this host and no longer running (pid reuse within one night is not a real concern). */
  static boolean heldByAnEndedProcessOnThisHost(String holder) {
    try {
      JsonNode h = new ObjectMapper().readTree(holder);
      if (!h.path("host").asText().equals(host()) || !h.path("pid").canConvertToLong()) {
        return false;
      }
      long pid = h.path("pid").asLong();
      return pid != ProcessHandle.current().pid()
          && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
    } catch (IOException unreadable) {
      return false;
    }
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return ManagementFactory.getRuntimeMXBean().getName();
    }
  }

  private interface Store {
    boolean createIfAbsent(String body);

    Instant lastModified();

    String holder();

    void delete();

    String describe();

    static Store of(LedgerConfig config) {
      String lake = config.lakeRoot.replaceAll("/+$", "");
      if (LedgerSpark.isLocal(lake)) {
        Path dir = lake.startsWith("file:") ? Path.of(URI.create(lake)) : Path.of(lake);
        return new LocalFile(dir.toAbsolutePath().normalize().resolve(NAME));
      }
      URI uri = URI.create(lake + "/" + NAME);
      if (uri.getScheme().startsWith("s3")) {
        return new S3Object(
            s3Client(config.s3), uri.getHost(), uri.getPath().replaceFirst("^/", ""));
      }
      throw new RunFailedException(
          "lake.root " + lake + ": the run lock works on local folders and s3a:// only");
    }
  }

  private record LocalFile(Path file) implements Store {
    @Override
    public boolean createIfAbsent(String body) {
      try {
        Files.createDirectories(file.getParent());
        Files.writeString(Files.createFile(file), body, StandardCharsets.UTF_8);
        return true;
      } catch (FileAlreadyExistsException held) {
        return false;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the run lock " + file, e);
      }
    }

    @Override
    public Instant lastModified() {
      try {
        return Files.getLastModifiedTime(file).toInstant();
      } catch (NoSuchFileException gone) {
        return null;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public String holder() {
      try {
        return Files.readString(file);
      } catch (IOException e) {
        return "holder unknown";
      }
    }

    @Override
    public void delete() {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot remove the run lock " + file, e);
      }
    }

    @Override
    public String describe() {
      return file.toString();
    }
  }

  private record S3Object(S3Client client, String bucket, String key) implements Store {
    @Override
    public boolean createIfAbsent(String body) {
      try {
        client.putObject(
            b -> b.bucket(bucket).key(key).ifNoneMatch("*"), RequestBody.fromString(body));
        return true;
      } catch (S3Exception e) {
        // 412 Precondition Failed: the key exists; 409: a concurrent conditional write of it is in
        // flight.
        if (e.statusCode() == 412 || e.statusCode() == 409) {
          return false;
        }
        throw e;
      }
    }

    @Override
    public Instant lastModified() {
      try {
        return client.headObject(b -> b.bucket(bucket).key(key)).lastModified();
      } catch (NoSuchKeyException gone) {
        return null;
      } catch (S3Exception e) {
        if (e.statusCode() == 404) {
          return null;
        }
        throw e;
      }
    }

    @Override
    public String holder() {
      try {
        return client.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asUtf8String();
      } catch (S3Exception e) {
        return "holder unknown";
      }
    }

    @Override
    public void delete() {
      client.deleteObject(b -> b.bucket(bucket).key(key));
    }

    @Override
    public String describe() {
      return "s3a://" + bucket + "/" + key;
    }
  }

  private static S3Client s3Client(LedgerConfig.S3Settings s3) {
    S3ClientBuilder b =
        S3Client.builder()
            .region(Region.of(s3.region()))
            .serviceConfiguration(
                S3Configuration.builder().pathStyleAccessEnabled(s3.pathStyleAccess()).build())
            .httpClient(UrlConnectionHttpClient.builder().build());
    if (!s3.endpoint().isBlank()) {
      b.endpointOverride(URI.create(s3.endpoint()));
    }
    b.credentialsProvider(
        s3.accessKey().isEmpty()
            ? DefaultCredentialsProvider.builder().build()
            : StaticCredentialsProvider.create(
                AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())));
    return b.build();
  }
}
