package dev.idleledger.tickets;

import dev.idleledger.config.LedgerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
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

/** Whole small text files under a local folder or an {@code s3://bucket/prefix}: list, read, replace. */
interface OutboxStore {
  /** Relative names of all files under the prefix. */
  List<String> list();

  Optional<String> read(String name);

  /** Replaces the file in one step (a reader never sees half of it). */
  void write(String name, String content);

  /** The file's full address, for people. */
  String address(String name);

  static OutboxStore open(String prefix, LedgerConfig config) {
    if (prefix.startsWith("s3://") || prefix.startsWith("s3a://")) {
      URI uri = URI.create(prefix);
      String keyPrefix = uri.getPath().replaceAll("^/+", "").replaceAll("/*$", "/");
      return new S3(s3Client(config.s3), uri.getHost(), keyPrefix.equals("/") ? "" : keyPrefix);
    }
    String local = prefix.startsWith("file:") ? Path.of(URI.create(prefix)).toString() : prefix;
    return new Local(Path.of(local));
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

  record Local(Path root) implements OutboxStore {
    @Override
    public List<String> list() {
      if (!Files.isDirectory(root)) {
        return List.of();
      }
      try (Stream<Path> files = Files.walk(root)) {
        return files
            .filter(Files::isRegularFile)
            .map(p -> root.relativize(p).toString().replace('\\', '/'))
            .filter(n -> !n.contains(".tmp-"))
            .sorted()
            .toList();
      } catch (IOException e) {
        throw new UncheckedIOException("outbox " + root + ": cannot list", e);
      }
    }

    @Override
    public Optional<String> read(String name) {
      Path p = root.resolve(name);
      try {
        return Files.exists(p)
            ? Optional.of(Files.readString(p, StandardCharsets.UTF_8))
            : Optional.empty();
      } catch (IOException e) {
        throw new UncheckedIOException("outbox " + p + ": cannot read", e);
      }
    }

    @Override
    public void write(String name, String content) {
      Path target = root.resolve(name);
      try {
        Files.createDirectories(target.getParent());
        Path tmp =
            target.resolveSibling(target.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(
            tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw new UncheckedIOException("outbox " + target + ": cannot write", e);
      }
    }

    @Override
    public String address(String name) {
      return root.resolve(name).toString();
    }
  }

  record S3(S3Client client, String bucket, String keyPrefix) implements OutboxStore {
    @Override
    public List<String> list() {
      return client
          .listObjectsV2Paginator(b -> b.bucket(bucket).prefix(keyPrefix))
          .contents()
          .stream()
          .map(o -> o.key().substring(keyPrefix.length()))
          .sorted()
          .toList();
    }

    @Override
    public Optional<String> read(String name) {
      try {
        return Optional.of(
            client.getObjectAsBytes(b -> b.bucket(bucket).key(keyPrefix + name)).asUtf8String());
      } catch (NoSuchKeyException e) {
        return Optional.empty();
      }
    }

    @Override
    public void write(String name, String content) {
      // An S3 PUT replaces the object atomically.
      client.putObject(
          b -> b.bucket(bucket).key(keyPrefix + name).contentType("application/x-ndjson"),
          RequestBody.fromString(content, StandardCharsets.UTF_8));
    }

    @Override
    public String address(String name) {
      return "s3://" + bucket + "/" + keyPrefix + name;
    }
  }
}
