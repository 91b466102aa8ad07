package io.drift.migration.executor;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.zip.CRC32C;

/**
 * A home file's bytes streamed to the host over one side-channel connection, for a unit that
 * reads sequentially (decision 0016, amended): home writes the range in frames of at most
 * {@link #FRAME} bytes, each followed by its CRC-32C, and the unit's slot thread reads them off
 * the socket as it asks, straight into its own arrays, checking each frame before it uses it.
 * TCP's flow control keeps what is in transit to the sockets' buffers. One request, one
 * connection, no piece allocated at either end.
 *
 * <p>The side channel's thread that accepted the connection waits in {@link #reader} until the
 * unit is done with the stream ({@link #done}: the whole range read) or leaves it ({@link
 * #abandon}: another place, another file, a write to it, a pause, or idleness); leaving closes
 * the connection, and home's sender stops.
 */
public final class FileStream {
  /** Data bytes per frame. */
  public static final int FRAME = 1 << 20;
  /** A frame's length before it, and its checksum after it. */
  static final int FRAMING = 4 + 8;

  /** The bytes on the wire for {@code n} bytes of data. */
  public static long framedSize(long n) {
    long frames = (n + FRAME - 1) / FRAME;
    return n + frames * FRAMING;
  }

  /**
   * Home's side: writes {@code n} bytes of {@code file} from {@code offset} in frames. A file
   * that is shorter by now (truncated since it was measured) breaks the stream; the host then
   * reads the rest another way.
   */
  public static void write(FileChannel file, long offset, long n, OutputStream out)
      throws IOException {
    DataOutputStream data = new DataOutputStream(out);
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(FRAME, Math.max(1, n)));
    CRC32C crc = new CRC32C();
    long at = offset;
    long left = n;
    while (left > 0) {
      buf.clear().limit((int) Math.min(buf.capacity(), left));
      while (buf.hasRemaining()) {
        if (file.read(buf, at + buf.position()) < 0) {
          throw new EOFException("the file ended " + (left - buf.position())
              + " bytes before the range asked for");
        }
      }
      int len = buf.position();
      crc.reset();
      crc.update(buf.array(), 0, len);
      data.writeInt(len);
      data.write(buf.array(), 0, len);
      data.writeLong(crc.getValue());
      at += len;
      left -= len;
    }
    data.flush();
  }

  /**
   * The host's side: a side-channel reader that hands the incoming stream to {@code ready}
   * and holds the connection until the unit is done with it or leaves it.
   *
   * @param start the file offset of the stream's first byte
   */
  public static SideChannel.Reader reader(CompletableFuture<FileStream> ready, long start) {
    return (className, format, size, in) -> {
      FileStream s = new FileStream(in, size, start);
      if (!ready.complete(s)) {
        throw new IOException("no one waits for this stream any more");
      }
      s.awaitEnd();
      return s;
    };
  }

  private final DataInputStream in;
  private long framedLeft;
  private long position;
  private final byte[] frame = new byte[FRAME];
  private int frameLength;
  private int frameAt;
  private final CRC32C crc = new CRC32C();
  private final CompletableFuture<Boolean> end = new CompletableFuture<>();

  FileStream(InputStream in, long framedSize, long start) {
    this.in = new DataInputStream(in);
    this.framedLeft = framedSize;
    this.position = start;
  }

  /** The file offset of the next byte this stream gives. */
  public long position() {
    return position;
  }

  /** No more bytes come on this stream. */
  public boolean exhausted() {
    return frameAt == frameLength && framedLeft == 0;
  }

  /**
   * Up to {@code len} bytes into {@code dst}, waiting for the next frame if none is left; 0 once
   * {@link #exhausted}.
   *
   * @throws IOException the connection broke or a frame failed its checksum: the stream is of
   *     no more use
   */
  public int read(byte[] dst, int off, int len) throws IOException {
    if (frameAt == frameLength) {
      if (framedLeft == 0) {
        return 0;
      }
      nextFrame();
    }
    int n = Math.min(len, frameLength - frameAt);
    System.arraycopy(frame, frameAt, dst, off, n);
    frameAt += n;
    position += n;
    return n;
  }

  private void nextFrame() throws IOException {
    int len = in.readInt();
    if (len <= 0 || len > FRAME || len + FRAMING > framedLeft) {
      throw new IOException("a file stream frame of " + len + " bytes where " + framedLeft
          + " are left");
    }
    in.readFully(frame, 0, len);
    long sum = in.readLong();
    crc.reset();
    crc.update(frame, 0, len);
    if (crc.getValue() != sum) {
      throw new IOException("a file stream frame failed its checksum");
    }
    framedLeft -= len + FRAMING;
    frameLength = len;
    frameAt = 0;
  }

  /** The unit read it all: the connection ends as any side-channel transfer does. */
  public void done() {
    end.complete(true);
  }

  /** The unit leaves the stream before its end: the connection is closed. */
  public void abandon() {
    end.complete(false);
  }

  private void awaitEnd() throws IOException {
    boolean whole;
    try {
      whole = end.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while a unit read a file stream", e);
    } catch (ExecutionException e) {
      throw new IOException(e.getCause());
    }
    if (!whole) {
      throw new IOException("the unit left the file stream at " + position);
    }
  }
}
