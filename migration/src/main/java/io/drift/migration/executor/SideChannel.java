package io.drift.migration.executor;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
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
import io.drift.migration.codec.StateCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bulk path of a state transfer (decision 0008): one plain TCP connection per transfer,
 * the unit encoded straight into it at the source and decoded straight out of it at the
 * target, so encoding, the wire and decoding overlap. Artery stays the control plane: the
 * target offers this channel in its reservation with a one-time random token, and the size and
 * CRC-32C the state must have come over Artery in the checkpoint header too. A connection
 * without a token the target is expecting, or longer than it allows, is dropped; nothing it
 * sent is kept.
 *
 * <p>Wire format, source to target: magic {@code DRIFTSC3} (8 bytes), token (16 bytes), length
 * (8 bytes, big-endian), the unit's class name (modified UTF-8, as {@code writeUTF}), the
 * format of the state (1 byte: {@link #PLAIN} or {@link #SPLIT}), the {@code length} bytes of
 * the state, then their CRC-32C (8 bytes). The target answers one byte, 1, once it has read,
 * checked and handed over the state.
 *
 * <p>When Artery runs TLS, so does this channel ({@link SideChannelTls}, decision 0020): the same
 * bytes inside TLS, and a connection whose certificate the node's trust store does not trust
 * is dropped in the handshake, before it can present a token.
 */
public final class SideChannel implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SideChannel.class);
  static final long MAGIC = 0x4452494654534333L; // "DRIFTSC3"
  /** The state is one CBOR document. */
  public static final int PLAIN = 0;
  /**
   * The state is a CBOR document with its large byte arrays out of band: the document's length
   * (4 bytes) and the document, then each array as its length (8 bytes) and its bytes, to the
   * end ({@link io.drift.migration.codec.StateCodec#split}).
   */
  public static final int SPLIT = 1;
  private static final int TOKEN_BYTES = 16;
  private static final int SLICE = 1 << 20; // bytes per read or write call
  private static final SecureRandom RANDOM = new SecureRandom();
  /** Connections being read at once, at most; more wait to be accepted. */
  private static final int MAX_READERS = 4;
  /** Socket buffers: a few milliseconds of the wire, so neither side waits on the other. */
  private static final int SOCKET_BUFFER = 4 << 20;
  /** A connection must say who it is (magic, token, length) within this time. */
  private static final int HANDSHAKE_MILLIS = 5_000;

  /** What the target's transfer hears from this channel: the whole state, or why not. */
  public sealed interface Arrival {}

  /**
   * The state arrived whole: {@code value} is what the {@link Reader} made of its bytes (the
   * unit decoded, or the bytes themselves), {@code size} and {@code crc32c} those of the bytes.
   */
  public record Arrived(Object value, long size, long crc32c) implements Arrival {}

  public record Broken(String reason) implements Arrival {}

  /** Makes something of a state as its bytes arrive: decodes it, or keeps the bytes. */
  @FunctionalInterface
  public interface Reader {
    /** Reads from {@code in}, which ends after the state's {@code size} bytes. */
    Object read(String className, int format, long size, InputStream in) throws Exception;
  }

  /** Keeps the bytes as they are (for a state that goes to disk, not to a unit). */
  public static final Reader BYTES = (className, format, size, in) -> {
    if (size > Integer.MAX_VALUE - 8) {
      throw new IOException("a state of " + size + " bytes does not fit one array");
    }
    // straight into one array of the size announced (readNBytes would gather small pieces
    // and copy them again)
    byte[] all = new byte[(int) size];
    for (int n = 0, r; n < all.length; n += r) {
      r = in.read(all, n, all.length - n);
      if (r < 0) {
        throw new EOFException("the state ended after " + n + " of " + size + " bytes");
      }
    }
    return all;
  };

  /** The length of a split state on the wire. */
  public static long splitSize(StateCodec.Split split) {
    long n = 4 + split.document().length;
    for (byte[] a : split.arrays()) {
      n += 8 + a.length;
    }
    return n;
  }

  /** Writes a split state: the document, then each array as it is (no copy). */
  public static void writeSplit(StateCodec.Split split, OutputStream out) throws IOException {
    DataOutputStream data = new DataOutputStream(out);
    data.writeInt(split.document().length);
    data.write(split.document());
    for (byte[] a : split.arrays()) {
      data.writeLong(a.length);
      data.write(a);
    }
    data.flush();
  }

  /** Reads a split state of {@code size} bytes: each array straight into one of its size. */
  public static StateCodec.Split readSplit(InputStream in, long size) throws IOException {
    DataInputStream data = new DataInputStream(in);
    int docLength = data.readInt();
    long left = size - 4;
    if (docLength < 0 || docLength > left) {
      throw new IOException("a split state with a document of " + docLength + " bytes");
    }
    byte[] doc = data.readNBytes(docLength);
    if (doc.length != docLength) {
      throw new EOFException("the split state ended inside its document");
    }
    left -= docLength;
    java.util.List<byte[]> arrays = new java.util.ArrayList<>();
    while (left > 0) {
      long length = data.readLong();
      left -= 8;
      if (length < 0 || length > left) {
        throw new IOException("a split state with an array of " + length + " bytes where "
            + left + " are left");
      }
      byte[] a = new byte[(int) length];
      data.readFully(a);
      arrays.add(a);
      left -= length;
    }
    return new StateCodec.Split(doc, arrays);
  }

  /** Writes a state's bytes, all of them, to {@code out} (and does not close it). */
  @FunctionalInterface
  public interface Writer {
    void write(OutputStream out) throws IOException;
  }

  private record Expected(long maxBytes, Reader reader, Consumer<Arrival> deliver,
      boolean streaming) {}

  private final ServerSocket server;
  private final SideChannelTls tls; // null: plain TCP
  private final Duration ioTimeout;
  private final Map<String, Expected> expected = new ConcurrentHashMap<>();
  private final ExecutorService threads;
  private final Semaphore readers = new Semaphore(MAX_READERS);
  private final java.util.Set<Socket> open = ConcurrentHashMap.newKeySet(); // closed by close()
  private volatile boolean closed;

  private SideChannel(ServerSocket server, SideChannelTls tls, Duration ioTimeout) {
    this.server = server;
    this.tls = tls;
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
    return bind(host, port, ioTimeout, null);
  }

  /**
   * Listens on {@code host:port} (port 0: any free one), over TLS with client certificates
   * required if {@code tls} is not null.
   */
  public static SideChannel bind(String host, int port, Duration ioTimeout, SideChannelTls tls)
      throws IOException {
    ServerSocket s = tls == null ? new ServerSocket() : tls.newServerSocket();
    try {
      s.setReceiveBufferSize(SOCKET_BUFFER); // before bind: accepted sockets inherit it
      s.bind(new InetSocketAddress(InetAddress.getByName(host), port), 16);
    } catch (IOException e) {
      s.close();
      throw e;
    }
    return new SideChannel(s, tls, ioTimeout);
  }

  /** How this channel's connections are protected, and so how its node sends: null, plain. */
  public SideChannelTls tls() {
    return tls;
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
    return expect(maxBytes, BYTES, deliver);
  }

  /**
   * Expects one state of at most {@code maxBytes}, made into a value by {@code reader} as it
   * arrives (on a channel thread); {@code deliver} hears the outcome before the source hears
   * that the state arrived.
   *
   * @return the token the source must present
   */
  public String expect(long maxBytes, Reader reader, Consumer<Arrival> deliver) {
    return expect(maxBytes, reader, deliver, false);
  }

  /**
   * As {@link #expect(long, Reader, Consumer)}, for a transfer that its reader consumes as it
   * comes, for as long as the consumer takes ({@link FileStream}): once its token is checked it
   * no longer counts against the channel's few concurrent readers, which are for strangers and
   * states.
   */
  public String expectStream(long maxBytes, Reader reader, Consumer<Arrival> deliver) {
    return expect(maxBytes, reader, deliver, true);
  }

  private String expect(long maxBytes, Reader reader, Consumer<Arrival> deliver,
      boolean streaming) {
    byte[] t = new byte[TOKEN_BYTES];
    RANDOM.nextBytes(t);
    String token = HexFormat.of().formatHex(t);
    expected.put(token, new Expected(maxBytes, reader, deliver, streaming));
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
            java.util.concurrent.atomic.AtomicBoolean held =
                new java.util.concurrent.atomic.AtomicBoolean(true);
            Runnable release = () -> {
              if (held.compareAndSet(true, false)) {
                readers.release();
              }
            };
            try (s) {
              receive(s, release);
            } catch (javax.net.ssl.SSLException e) { // no certificate, a foreign one, or no TLS
              log.info("side channel: a connection from {} failed TLS; dropped: {}",
                  s.getRemoteSocketAddress(), e.toString());
            } catch (IOException | RuntimeException e) {
              log.debug("side channel connection from {} dropped: {}", s.getRemoteSocketAddress(),
                  e.toString());
            } finally {
              open.remove(s);
              release.run();
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

  private void receive(Socket s, Runnable releaseReader) throws IOException {
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
    if (e.streaming()) {
      releaseReader.run();
    }
    long length = in.readLong();
    if (length < 0 || length > e.maxBytes()) {
      e.deliver().accept(new Broken("the source announced " + length + " bytes, over the "
          + e.maxBytes() + " allowed"));
      return;
    }
    String className = in.readUTF();
    int format = in.readUnsignedByte();
    s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, ioTimeout.toMillis()));
    DataInputStream body = new DataInputStream(new BufferedInputStream(s.getInputStream(), 1 << 20));
    Bounded state = new Bounded(body, length);
    Object value;
    try {
      value = e.reader().read(className, format, length, state);
    } catch (IOException io) {
      e.deliver().accept(new Broken("the side channel broke after "
          + (length - state.remaining()) + " of " + length + " bytes: " + io));
      throw io;
    } catch (Exception | OutOfMemoryError x) { // a state that does not decode, or too big here
      e.deliver().accept(new Broken("cannot read the state of " + className + " here: " + x));
      return;
    }
    if (state.remaining() > 0) {
      e.deliver().accept(new Broken("the state is " + length + " bytes, but a " + className
          + " was made of " + (length - state.remaining())));
      return;
    }
    long sent;
    try {
      sent = body.readLong();
    } catch (IOException io) {
      e.deliver().accept(new Broken("the side channel broke before the state's checksum: " + io));
      throw io;
    }
    if (sent != state.crc.getValue()) {
      e.deliver().accept(new Broken("the state failed its checksum"));
      return;
    }
    e.deliver().accept(new Arrived(value, length, state.crc.getValue()));
    OutputStream out = s.getOutputStream();
    out.write(1);
    out.flush();
  }

  /** The state's bytes and no more, checksummed as they are read. */
  private static final class Bounded extends InputStream {
    private final InputStream in;
    private long left;
    final CRC32C crc = new CRC32C();

    Bounded(InputStream in, long length) {
      this.in = in;
      this.left = length;
    }

    long remaining() {
      return left;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (left == 0) {
        return -1;
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n < 0) {
        throw new EOFException("the source closed the side channel");
      }
      crc.update(b, off, n);
      left -= n;
      return n;
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

  /** Sends a state already encoded: its bytes as they are. */
  public static Sending send(String host, int port, String token, byte[] state, Duration ioTimeout,
      java.util.concurrent.Executor runOn) {
    return send(host, port, token, "", PLAIN, state.length, out -> out.write(state), ioTimeout, 0,
        runOn);
  }

  /**
   * Sends a state of {@code size} bytes to the channel at {@code host:port} under {@code token},
   * written by {@code writer} on a thread of {@code runOn}, at most {@code maxBytesPerSecond}
   * (0: no limit). The CRC-32C is computed as the bytes go out; a writer that writes another
   * number of bytes than {@code size} fails the transfer.
   */
  public static Sending send(String host, int port, String token, String className, int format,
      long size, Writer writer, Duration ioTimeout, long maxBytesPerSecond,
      java.util.concurrent.Executor runOn) {
    return send(host, port, token, className, format, size, writer, ioTimeout, maxBytesPerSecond,
        runOn, null);
  }

  /** The same, over TLS if {@code tls} is not null (as the target's channel must be too). */
  public static Sending send(String host, int port, String token, String className, int format,
      long size, Writer writer, Duration ioTimeout, long maxBytesPerSecond,
      java.util.concurrent.Executor runOn, SideChannelTls tls) {
    Sending sending = new Sending();
    runOn.execute(() -> {
      try (Socket plain = sending.socket) {
        int timeout = (int) Math.min(Integer.MAX_VALUE, ioTimeout.toMillis());
        plain.setTcpNoDelay(true);
        plain.setSendBufferSize(SOCKET_BUFFER);
        plain.connect(new InetSocketAddress(host, port), timeout);
        plain.setSoTimeout(timeout); // bounds the TLS handshake too
        @SuppressWarnings("resource") // closing it closes plain, which the try closes anyway
        Socket s = tls == null ? plain : tls.over(plain, host, port);
        DataOutputStream out = new DataOutputStream(
            new BufferedOutputStream(s.getOutputStream(), 1 << 20));
        out.write(ByteBuffer.allocate(8 + TOKEN_BYTES + 8).putLong(MAGIC)
            .put(HexFormat.of().parseHex(token)).putLong(size).array());
        out.writeUTF(className);
        out.writeByte(format);
        out.flush(); // the target knows the transfer from here, and hears if it breaks
        Counted counted = new Counted(out, sending, maxBytesPerSecond);
        writer.write(counted);
        if (counted.count != size) {
          throw new IOException("the state was measured at " + size + " bytes but "
              + counted.count + " were written");
        }
        counted.finish();
        out.writeLong(counted.crc.getValue());
        out.flush();
        int ack = s.getInputStream().read();
        if (ack != 1) {
          throw new IOException("the target closed the side channel without taking the state");
        }
        if (s != plain) {
          s.close(); // TLS says goodbye (close_notify) before the socket goes
        }
        sending.done.complete(counted.crc.getValue());
      } catch (IOException | RuntimeException e) {
        sending.done.completeExceptionally(sending.cancelled ? new IOException("cancelled", e) : e);
      }
    });
    return sending;
  }

  /** Counts and checksums what the writer writes, and holds it to the rate cap. */
  private static final class Counted extends OutputStream {
    private final OutputStream out;
    private final Sending sending;
    private final long rate;
    private final long started = System.nanoTime();
    private final int slice;
    final CRC32C crc = new CRC32C();
    long count;

    Counted(OutputStream out, Sending sending, long maxBytesPerSecond) {
      this.out = out;
      this.sending = sending;
      this.rate = maxBytesPerSecond;
      // capped: a tenth of a second's worth at a time, each no earlier than its due time;
      // else slices, so the checksum of one overlaps the sending of the one before
      this.slice = rate > 0 ? (int) Math.max(1024, Math.min(SLICE, rate / 10)) : SLICE;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (sending.cancelled) {
        throw new IOException("cancelled");
      }
      while (len > 0) {
        int n = Math.min(len, slice);
        if (rate > 0) {
          pace(count);
        }
        crc.update(b, off, n);
        out.write(b, off, n);
        count += n;
        off += n;
        len -= n;
      }
    }

    /** The last bytes' worth of time too, so the whole takes at least size / rate. */
    void finish() throws IOException {
      if (rate > 0) {
        pace(count);
      }
    }

    private void pace(long bytesSoFar) throws IOException {
      try {
        sending.waitUntil(started + (long) (bytesSoFar * 1e9 / rate));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
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
