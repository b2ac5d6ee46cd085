package dev.idleledger.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.RunFailedException;
import dev.idleledger.config.ConfigLoader;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.testing.AnswerDroppingRelay;
import dev.idleledger.testing.S3ApiServer;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One writer per lake on a local disk and on an S3 bucket (the same protocol with a conditional PutObject). */
class RunLockTest {
  private static LedgerConfig lake(Path dir) {
    return ConfigLoader.load(null, List.of("lake.root=" + dir, "nightly.lock_timeout_minutes=60"));
  }

  @Test
  void aSecondRunIsRefusedWithOneLineNamingTheHolderUntilTheFirstEnds(@TempDir Path dir) {
    LedgerConfig config = lake(dir);
    try (RunLock first = RunLock.acquire(config, "nightly 2026-11-01")) {
      RunFailedException refused =
          assertThrows(
              RunFailedException.class,
              () -> RunLock.acquire(config, "backfill 2026-11-01..2026-11-02"));
      assertTrue(
          refused
              .getMessage()
              .startsWith("another run holds the lake's run lock " + dir.resolve(RunLock.NAME)),
          refused.getMessage());
      assertTrue(
          refused.getMessage().contains("\"run\":\"nightly 2026-11-01\""), refused.getMessage());
      assertEquals(1, refused.getMessage().lines().count());
    }
    assertTrue(Files.notExists(dir.resolve(RunLock.NAME)), "released at the end of the run");
    try (RunLock again = RunLock.acquire(config, "nightly 2026-11-02")) {
      assertTrue(Files.exists(dir.resolve(RunLock.NAME)));
    }
  }

  @Test
  void aCrashedRunsLockIsTakenOverAfterTheTimeoutOnly(@TempDir Path dir) throws Exception {
    LedgerConfig config = lake(dir);
    Path lock = dir.resolve(RunLock.NAME);
    Files.writeString(lock, "{\"run\":\"nightly 2026-10-31\"}");
    // 59 minutes old with a 60-minute timeout: still held.
    Files.setLastModifiedTime(lock, FileTime.from(Instant.now().minus(Duration.ofMinutes(59))));
    assertThrows(RunFailedException.class, () -> RunLock.acquire(config, "nightly 2026-11-01"));
    // 61 minutes old: the crashed run's lock is stale and the new run takes the lake.
    Files.setLastModifiedTime(lock, FileTime.from(Instant.now().minus(Duration.ofMinutes(61))));
    try (RunLock taken = RunLock.acquire(config, "nightly 2026-11-01")) {
      assertTrue(
          Files.readString(lock).contains("\"run\":\"nightly 2026-11-01\""),
          Files.readString(lock));
    }
  }

  @Test
  void aLockWhoseHolderOnThisHostHasEndedIsTakenOverAtOnceAndALivingHoldersIsNot(@TempDir Path dir)
      throws Exception {
    LedgerConfig config = lake(dir);
    Path lock = dir.resolve(RunLock.NAME);
    String host = InetAddress.getLocalHost().getHostName();
    Process living = new ProcessBuilder("sleep", "60").start();
    try {
      Files.writeString(
          lock,
          "{\"run\":\"nightly 2026-10-31\",\"host\":\""
              + host
              + "\",\"pid\":"
              + living.pid()
              + "}");
      assertThrows(
          RunFailedException.class,
          () -> RunLock.acquire(config, "nightly 2026-11-01"),
          "its holder still runs");
    } finally {
      living.destroyForcibly().waitFor();
    }
    // The same lock, now of a process that was killed (as kill -9 or an OOM kill leaves it),
    // seconds old.
    try (RunLock taken = RunLock.acquire(config, "nightly 2026-11-01")) {
      assertTrue(
          Files.readString(lock).contains("\"run\":\"nightly 2026-11-01\""),
          Files.readString(lock));
    }
    // A dead pid on another host says nothing about that host's process: only the timeout frees it.
    Files.writeString(
        lock,
        "{\"run\":\"nightly 2026-10-31\",\"host\":\"another-host\",\"pid\":" + living.pid() + "}");
    assertThrows(RunFailedException.class, () -> RunLock.acquire(config, "nightly 2026-11-01"));
  }

  @Test
  void aConditionalPutWhoseAnswerWasLostIsStillTheRunsOwnLockWhenTheSdkRetriesIt()
      throws Exception {
    try (S3ApiServer s3 = S3ApiServer.start();
        AnswerDroppingRelay relay =
            AnswerDroppingRelay.start(URI.create(s3.endpoint()).getPort())) {
      s3.createBucket("ledger");
      LedgerConfig config =
          ConfigLoader.load(
              null,
              List.of(
                  "lake.root=s3a://ledger/lake",
                  "s3.endpoint=" + relay.endpoint(),
                  "s3.path_style_access=true",
                  "s3.access_key=" + S3ApiServer.ACCESS_KEY,
                  "s3.secret_key=" + S3ApiServer.SECRET_KEY));
      // The first PutObject lands in the bucket but its 200 never reaches the SDK, which retries
      // and gets 412 from the object its first attempt wrote.
      try (RunLock held = RunLock.acquire(config, "nightly 2026-11-01")) {
        assertEquals(1, relay.answersDropped(), "the first create's answer was lost");
        String lock =
            s3.client()
                .getObjectAsBytes(b -> b.bucket("ledger").key("lake/" + RunLock.NAME))
                .asUtf8String();
        assertTrue(lock.contains("\"run\":\"nightly 2026-11-01\""), lock);
        // Another run still finds it held: recognising its own write is per attempt, not per lake.
        assertThrows(RunFailedException.class, () -> RunLock.acquire(config, "maintain"));
      }
      assertEquals(List.of(), s3.keys("ledger", "lake/"), "released at the end of the run");
    }
  }
}
