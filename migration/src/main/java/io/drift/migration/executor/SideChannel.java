package io.drift.migration.executor;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bulk path of a state transfer (decision 0008): one plain TCP connection per transfer,
 * straight from the source's byte array into the target's, at close to raw loopback speed.
 * Artery stays the control plane: the target offers this channel in its reservation with a
 * one-time random token, the source sends the state here, and the size and CRC-32C it must have
 * come over Artery in the checkpoint header. A connection without a token the target is
 * expecting, or longer than it allows, is dropped; nothing it sent is kept.
 *
 * <p>Wire format, source to target: magic {@code DRIFTSC1} (8 bytes), token (16 bytes), length
 * (8 bytes, big-endian), then the bytes. The target answers one byte, 1, once it holds them all
 * and has handed them over.
 */
public final class SideChannel implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SideChannel.class);
  static final long MAGIC = 0x4452494654534331L; // "DRIFTSC1"
  private static final int TOKEN_BYTES = 16;
  private static final int SLICE = 1 << 20; // bytes per read or write call
  private static final SecureRandom RANDOM = new SecureRandom();
  /** Connections being read at once, at most; more wait to be accepted. */
  private static final int MAX_READERS = 4;
  /** A connection must say who it is (magic, token, length) within this time. */
  private static final int HANDSHAKE_MILLIS = 5_000;

  /** What the target's transfer hears from this channel: the whole state, or why not. */
  public sealed interface Arrival {}

  public record Arrived(byte[] state, long crc32c) implements Arrival {}

  public record Broken(String reason) implements Arrival {}

  private record Expected(long maxBytes, Consumer<Arrival> deliver) {}

  private final ServerSocket server;
  private final Duration ioTimeout;
  private final Map<String, Expected> expected = new ConcurrentHashMap<>();
  private final ExecutorService threads;
  private final Semaphore readers = new Semaphore(MAX_READERS);
  private final java.util.Set<Socket> open = ConcurrentHashMap.newKeySet(); // closed by close()
  private volatile boolean closed;

  private SideChannel(ServerSocket server, Duration ioTimeout) {
    this.server = server;
    this.ioTimeout = ioTimeout;
    this.threads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "drift-side-channel-" + server.getLocalPort());
      t.setDaemon(true);
      return t;
    });
    threads.execute(this::acceptLoop);
  }

  /**
   * Listens on {@code host:port} (port 0: any free one).
   *
   * @param ioTimeout a connection silent this long is dropped
   * @throws IOException the address cannot be bound
   */
  public static SideChannel bind(String host, int port, Duration ioTimeout) throws IOException {
    ServerSocket s = new ServerSocket();
    try {
      s.bind(new InetSocketAddress(InetAddress.getByName(host), port), 16);
    } catch (IOException e) {
      s.close();
      throw e;
    }
    return new SideChannel(s, ioTimeout);
  }

  public String host() {
    return server.getInetAddress().getHostAddress();
  }

  public int port() {
    return server.getLocalPort();
  }

  /**
   * Expects one state of at most {@code maxBytes}; {@code deliver} hears it (on a channel
   * thread) before the source hears that it arrived.
   *
   * @return the token the source must present
   */
  public String expect(long maxBytes, Consumer<Arrival> deliver) {
    byte[] t = new byte[TOKEN_BYTES];
    RANDOM.nextBytes(t);
    String token = HexFormat.of().formatHex(t);
    expected.put(token, new Expected(maxBytes, deliver));
    return token;
  }

  /** The transfer ended another way: a connection with this token is no longer welcome. */
  public void forget(String token) {
    expected.remove(token);
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        readers.acquire();
        Socket s;
        try {
          s = server.accept();
        } catch (IOException e) {
          readers.release();
          if (!closed) {
            log.warn("side channel on port {}: {}", port(), e.toString());
            Thread.sleep(100); // a lasting error (no file descriptors left) must not spin
          }
          continue;
        }
        open.add(s);
        try {
          threads.execute(() -> {
            try (s) {
              receive(s);
            } catch (IOException | RuntimeException e) {
              log.debug("side channel connection from {} dropped: {}", s.getRemoteSocketAddress(),
                  e.toString());
            } finally {
              open.remove(s);
              readers.release();
            }
          });
        } catch (RuntimeException e) { // rejected: the channel is closing
          open.remove(s);
          closeQuietly(s);
          readers.release();
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  private void receive(Socket s) throws IOException {
    s.setSoTimeout(HANDSHAKE_MILLIS); // a silent or slow stranger holds a reader briefly only
    s.setTcpNoDelay(true);
    DataInputStream in = new DataInputStream(s.getInputStream());
    if (in.readLong() != MAGIC) {
      log.info("side channel: a connection from {} did not speak its protocol; dropped",
          s.getRemoteSocketAddress());
      return;
    }
    byte[] t = new byte[TOKEN_BYTES];
    in.readFully(t);
    Expected e = expected.remove(HexFormat.of().formatHex(t)); // a token serves once
    if (e == null) {
      log.info("side channel: a connection from {} had no valid token; dropped",
          s.getRemoteSocketAddress());
      return;
    }
    long length = in.readLong();
    if (length < 0 || length > e.maxBytes()) {
      e.deliver().accept(new Broken("the source announced " + length + " bytes, over the "
          + e.maxBytes() + " allowed"));
      return;
    }
    s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, ioTimeout.toMillis()));
    byte[] state;
    try {
      state = new byte[(int) length];
    } catch (OutOfMemoryError oom) {
      e.deliver().accept(new Broken("no memory here for a state of " + length + " bytes"));
      return;
    }
    CRC32C crc = new CRC32C();
    try {
      readFully(in, state, crc);
    } catch (IOException io) {
      e.deliver().accept(new Broken("the side channel broke after part of the state: " + io));
      throw io;
    }
    e.deliver().accept(new Arrived(state, crc.getValue()));
    OutputStream out = s.getOutputStream();
    out.write(1);
    out.flush();
  }

  private static void readFully(InputStream in, byte[] into, CRC32C crc) throws IOException {
    int at = 0;
    while (at < into.length) {
      int n = in.read(into, at, Math.min(SLICE, into.length - at));
      if (n < 0) {
        throw new EOFException("the source closed after " + at + " of " + into.length + " bytes");
      }
      crc.update(into, at, n);
      at += n;
    }
  }

  /** One state on its way to a target; {@link #cancel} breaks the connection. */
  public static final class Sending {
    private final Socket socket = new Socket();
    private final CompletableFuture<Long> done = new CompletableFuture<>();
    private volatile boolean cancelled;

    /** Completes with the CRC-32C of what was sent once the target holds it all. */
    public CompletableFuture<Long> done() {
      return done;
    }

    /** Sleeps until {@code nanoTime} is reached, in short naps, so a cancel ends it soon. */
    void waitUntil(long nanoTime) throws InterruptedException, IOException {
      long wait;
      while ((wait = nanoTime - System.nanoTime()) > 0) {
        if (cancelled) {
          throw new IOException("cancelled");
        }
        long nap = Math.min(wait, 50_000_000L);
        Thread.sleep(nap / 1_000_000, (int) (nap % 1_000_000));
      }
    }

    public void cancel() {
      cancelled = true;
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  /** The same, at full speed. */
  public static Sending send(String host, int port, String token, byte[] state, Duration ioTimeout,
      java.util.concurrent.Executor runOn) {
    return send(host, port, token, state, ioTimeout, 0, runOn);
  }

  /**
   * Sends {@code state} to the channel at {@code host:port} under {@code token}, on a thread of
   * {@code runOn}, at most {@code maxBytesPerSecond} (0: no limit); the CRC-32C is computed as
   * the bytes go out.
   */
  public static Sending send(String host, int port, String token, byte[] state, Duration ioTimeout,
      long maxBytesPerSecond, java.util.concurrent.Executor runOn) {
    Sending sending = new Sending();
    runOn.execute(() -> {
      try (Socket s = sending.socket) {
        int timeout = (int) Math.min(Integer.MAX_VALUE, ioTimeout.toMillis());
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress(host, port), timeout);
        s.setSoTimeout(timeout);
        OutputStream out = s.getOutputStream();
        out.write(ByteBuffer.allocate(8 + TOKEN_BYTES + 8).putLong(MAGIC)
            .put(HexFormat.of().parseHex(token)).putLong(state.length).array());
        CRC32C crc = new CRC32C();
        long started = System.nanoTime();
        // capped: slices of a tenth of a second's worth, each sent no earlier than its due time
        int slice = maxBytesPerSecond > 0
            ? (int) Math.max(1024, Math.min(SLICE, maxBytesPerSecond / 10)) : SLICE;
        for (int at = 0; at < state.length; at += slice) {
          int n = Math.min(slice, state.length - at);
          if (maxBytesPerSecond > 0) {
            sending.waitUntil(started + (long) (at * 1e9 / maxBytesPerSecond));
          }
          crc.update(state, at, n);
          out.write(state, at, n);
        }
        if (maxBytesPerSecond > 0) { // the last slice's worth of time too
          sending.waitUntil(started + (long) (state.length * 1e9 / maxBytesPerSecond));
        }
        out.flush();
        int ack = s.getInputStream().read();
        if (ack != 1) {
          throw new IOException("the target closed the side channel without taking the state");
        }
        sending.done.complete(crc.getValue());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        sending.done.completeExceptionally(new IOException("interrupted", e));
      } catch (IOException | RuntimeException e) {
        sending.done.completeExceptionally(sending.cancelled ? new IOException("cancelled", e) : e);
      }
    });
    return sending;
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    open.forEach(SideChannel::closeQuietly); // blocked reads end now, not after the timeout
    threads.shutdownNow();
    expected.values().forEach(e -> e.deliver().accept(new Broken("the node is stopping")));
    expected.clear();
  }
}
