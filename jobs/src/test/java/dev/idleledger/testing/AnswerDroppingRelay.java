package dev.idleledger.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP relay in front of an HTTP server that loses the answer on its first connection: the request
 * reaches the server, which carries it out, and the client sees the connection close where the final response
 * should be, as a dropped connection or a load balancer's reset leaves it. Interim {@code 100 Continue}
 * answers pass (the AWS SDK sends PutObject's body only after one). Every later connection is relayed both
 * ways untouched.
 */
public final class AnswerDroppingRelay implements AutoCloseable {
  private final ServerSocket listener;
  private final int serverPort;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger answersDropped = new AtomicInteger();

  private AnswerDroppingRelay(ServerSocket listener, int serverPort) {
    this.listener = listener;
    this.serverPort = serverPort;
  }

  /** Starts relaying from a free loopback port to {@code serverPort} on loopback. */
  public static AnswerDroppingRelay start(int serverPort) {
    try {
      AnswerDroppingRelay relay =
          new AnswerDroppingRelay(
              new ServerSocket(0, 16, InetAddress.getLoopbackAddress()), serverPort);
      daemon(relay::acceptLoop);
      return relay;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String endpoint() {
    return "http://127.0.0.1:" + listener.getLocalPort();
  }

  /** How many final answers the relay has swallowed (1 once the first connection's request was answered). */
  public int answersDropped() {
    return answersDropped.get();
  }

  @Override
  public void close() throws IOException {
    listener.close();
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket(InetAddress.getLoopbackAddress(), serverPort);
        boolean first = connections.incrementAndGet() == 1;
        daemon(() -> pump(client, server));
        daemon(() -> answer(server, client, first));
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void answer(Socket server, Socket client, boolean dropFinalAnswer) {
    if (!dropFinalAnswer) {
      pump(server, client);
      return;
    }
    try (client;
        server) {
      InputStream in = server.getInputStream();
      OutputStream out = client.getOutputStream();
      byte[] pending = new byte[0];
      byte[] buf = new byte[8192];
      for (int n; (n = in.read(buf)) >= 0; ) {
        pending = concat(pending, buf, n);
        // Pass interim 1xx answers whole; the first final status line is where the answer is lost.
        while (pending.length >= 10) {
          String head = new String(pending, 0, 10, StandardCharsets.ISO_8859_1);
          int end = indexOf(pending, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
          if (!head.startsWith("HTTP/1.1 1")) {
            answersDropped.incrementAndGet();
            return;
          }
          if (end < 0) {
            break;
          }
          out.write(pending, 0, end + 4);
          out.flush();
          pending = Arrays.copyOfRange(pending, end + 4, pending.length);
        }
      }
    } catch (IOException ended) {
      // The client or server hung up: nothing left to relay.
    }
  }

  private static void pump(Socket from, Socket to) {
    try (from;
        to) {
      from.getInputStream().transferTo(to.getOutputStream());
    } catch (IOException ended) {
      // One side closed: closing both ends the other direction's pump too.
    }
  }

  private static byte[] concat(byte[] a, byte[] b, int n) {
    byte[] out = Arrays.copyOf(a, a.length + n);
    System.arraycopy(b, 0, out, a.length, n);
    return out;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static void daemon(Runnable r) {
    Thread t = new Thread(r, "answer-dropping-relay");
    t.setDaemon(true);
    t.start();
  }
}
