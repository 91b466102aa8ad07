package io.drift.migration.executor;

import io.drift.api.HomeFiles;
import io.drift.api.HomePaths;
import io.drift.api.JobId;
import io.drift.migration.executor.Executor.FileOp;
import io.drift.migration.executor.Executor.FileOpKind;
import io.drift.migration.executor.Executor.FileReply;
import io.drift.migration.executor.Executor.FileRequestKind;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A unit's home files as its host sees them: writes numbered and sent home behind the unit's
 * back (write-behind, at most {@link #MAX_IN_FLIGHT_BYTES} unacknowledged); reads asked of home
 * in chunks with a read-ahead of {@link #READ_AHEAD_CHUNKS}, and, with a side channel, a read
 * that goes on from where the last one ended (or a large one) read off a {@link FileStream}.
 * Used by the slot thread that runs the unit, and by the executor's thread for
 * acknowledgements.
 */
final class HostFiles implements HomeFiles {

  /** Data per write message and per read answer: far below Artery's frame of 256 KiB. */
  static final int CHUNK = 64 * 1024;
  /** Writes sent in one message, at most. */
  static final int BATCH_BYTES = 2 * CHUNK;
  /** Chunks a sequential reader has on their way, at most. */
  static final int READ_AHEAD_CHUNKS = 8;
  /** Written bytes home has not acknowledged, at most, before a write waits. */
  static final long MAX_IN_FLIGHT_BYTES = 4L << 20;

  /** With a side channel to home: writes per batch, and unacknowledged bytes. */
  static final int SIDE_BATCH_BYTES = 8 << 20;
  static final long SIDE_MAX_IN_FLIGHT_BYTES = 24L << 20;

  private final JobId jobId;
  private final HomeLink home;
  private final Duration timeout;
  private final int batchBytes;
  private final long maxInFlightBytes;

  // slot thread
  private long nextSeq;
  private final List<FileOp> pending = new ArrayList<>();
  private final Map<String, Long> lastWrite = new HashMap<>(); // path -> its latest write's seq
  private int pendingBytes;
  private String aheadPath; // the read-ahead: [aheadStart, aheadStart + ahead.length) of aheadPath
  private long aheadStart;
  private byte[] ahead;
  // the chunks after it, asked for already, in order: aheadStart + ahead.length, then on
  // deques start empty: most units do no file I/O, and a node holds one of these per unit
  private final ArrayDeque<CompletionStage<FileReply>> coming = new ArrayDeque<>(0);
  private long comingStart;
  // with a side channel, a unit that reads on from where it stopped reads off a stream
  private FileStream stream;
  private String streamPath;
  private long streamUsedNanos;
  private String lastReadPath; // where the unit's last read ended
  private long lastReadEnd = -1;

  // guarded by window
  private final Object window = new Object();
  private final ArrayDeque<long[]> inFlight = new ArrayDeque<>(0); // {last seq of a batch, bytes}
  private long inFlightBytes;
  private long ackedUpTo;
  private String error;

  HostFiles(JobId jobId, HomeLink home, Duration timeout, long firstSeq) {
    this.jobId = jobId;
    this.home = home;
    this.timeout = timeout;
    this.nextSeq = firstSeq;
    this.ackedUpTo = firstSeq - 1;
    boolean side = home.sideChannel();
    this.batchBytes = side ? SIDE_BATCH_BYTES : BATCH_BYTES;
    this.maxInFlightBytes = side ? SIDE_MAX_IN_FLIGHT_BYTES : MAX_IN_FLIGHT_BYTES;
  }

  /** The sequence number the next write gets; read it only while the unit is paused. */
  long nextSeq() {
    return nextSeq;
  }

  /** Home applied writes up to {@code seq}; {@code why} says why one was refused, if one was. */
  void acknowledge(long seq, String why) {
    synchronized (window) {
      if (seq > ackedUpTo) {
        ackedUpTo = seq;
      }
      while (!inFlight.isEmpty() && inFlight.peekFirst()[0] <= ackedUpTo) {
        inFlightBytes -= inFlight.pollFirst()[1];
      }
      if (why != null && error == null) {
        error = why;
      }
      window.notifyAll();
    }
  }

  /** Sends the writes made so far, first waiting until fewer bytes are in flight than allowed. */
  void flush() throws IOException {
    if (pending.isEmpty()) {
      return;
    }
    long last = nextSeq - 1;
    synchronized (window) {
      awaitLocked(() -> inFlightBytes == 0 || inFlightBytes + pendingBytes <= maxInFlightBytes,
          "room for more writes");
      inFlight.addLast(new long[] {last, pendingBytes});
      inFlightBytes += pendingBytes;
    }
    List<FileOp> ops = List.copyOf(pending);
    // bulk data over the side channel; small batches, or a channel that fails, over Artery
    if (pendingBytes < Executor.SIDE_MIN_BYTES || !home.sideFileOps(ops)) {
      overArtery(ops);
    }
    pending.clear();
    pendingBytes = 0;
  }

  /** Sends what is pending, without waiting: on the way out of a failing unit. */
  void flushQuietly() {
    if (!pending.isEmpty()) {
      overArtery(List.copyOf(pending));
      pending.clear();
      pendingBytes = 0;
    }
  }

  /** Writes in messages that fit Artery's frame: at most {@link #BATCH_BYTES} of data each. */
  private void overArtery(List<FileOp> ops) {
    int from = 0;
    long bytes = 0;
    for (int i = 0; i < ops.size(); i++) {
      long size = ops.get(i).data().length + 3L * ops.get(i).path().length() + 32;
      if (i > from && (bytes + size > BATCH_BYTES || i - from >= 256)) {
        home.fileOps(List.copyOf(ops.subList(from, i)));
        from = i;
        bytes = 0;
      }
      bytes += size;
    }
    home.fileOps(List.copyOf(ops.subList(from, ops.size())));
  }

  /** Sends what is pending and waits until home has applied every write. */
  void drain() throws IOException {
    flush();
    long last = nextSeq - 1;
    synchronized (window) {
      awaitLocked(() -> ackedUpTo >= last, "its writes applied");
    }
  }

  /** Throws the refusal of an earlier write, once. */
  void checkError() throws IOException {
    String why;
    synchronized (window) {
      why = error;
      error = null;
    }
    if (why != null) {
      throw new IOException("an earlier write to the job's home files was refused: " + why);
    }
  }

  private interface Condition {
    boolean holds();
  }

  private void awaitLocked(Condition c, String what) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!c.holds()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new IOException("home of job " + jobId + " did not acknowledge " + what
            + " within " + timeout.toMillis() + " ms");
      }
      try {
        window.wait(Math.max(1, left / 1_000_000L));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for home");
      }
    }
  }

  // ---- HomeFiles, on the slot thread

  @Override
  public void append(String path, byte[] data) throws IOException {
    String p = prepareWrite(path);
    for (int off = 0; off < data.length || off == 0; off += CHUNK) {
      int n = Math.min(CHUNK, data.length - off);
      add(new FileOp(nextSeq++, FileOpKind.APPEND, p, 0, Arrays.copyOfRange(data, off, off + n),
          off == 0 ? data.length : -1));
      if (data.length == 0) {
        break;
      }
    }
  }

  @Override
  public void write(String path, long offset, byte[] data) throws IOException {
    if (offset < 0) {
      throw new IOException("offset must be >= 0, was " + offset);
    }
    String p = prepareWrite(path);
    for (int off = 0; off < data.length || off == 0; off += CHUNK) {
      int n = Math.min(CHUNK, data.length - off);
      add(new FileOp(nextSeq++, FileOpKind.WRITE, p, offset + off,
          Arrays.copyOfRange(data, off, off + n), off == 0 ? data.length : -1));
      if (data.length == 0) {
        break;
      }
    }
  }

  @Override
  public void delete(String path) throws IOException {
    add(new FileOp(nextSeq++, FileOpKind.DELETE, prepareWrite(path), 0, new byte[0], 0));
  }

  private String prepareWrite(String path) throws IOException {
    checkError();
    String p = HomePaths.check(path, false);
    if (p.equals(aheadPath)) {
      forgetAhead();
    }
    if (p.equals(streamPath)) {
      closeStream(); // it would not show the write
    }
    return p;
  }

  private void add(FileOp op) throws IOException {
    pending.add(op);
    pendingBytes += 3 * op.path().length() + 32; // a message's size, not only its data
    if (lastWrite.size() >= 1024) {
      long acked;
      synchronized (window) {
        acked = ackedUpTo;
      }
      lastWrite.values().removeIf(seq -> seq <= acked);
    }
    lastWrite.put(op.path(), op.seq());
    pendingBytes += op.data().length;
    if (pendingBytes >= batchBytes || pending.size() >= (batchBytes > BATCH_BYTES ? 4096 : 256)) {
      flush();
    }
  }

  @Override
  public byte[] read(String path, long offset, int length) throws IOException {
    if (offset < 0 || length < 0) {
      throw new IOException("offset and length must be >= 0");
    }
    String p = HomePaths.check(path, false);
    beforeRead(p);
    byte[] out = fromStream(p, offset, length);
    lastReadPath = p;
    while (out.length < length) {
      long at = offset + out.length;
      byte[] part = fromAhead(p, at, length - out.length);
      if (part == null) {
        fetch(p, at);
        part = fromAhead(p, at, length - out.length);
      }
      if (part.length == 0) {
        break; // the end of the file
      }
      if (out.length == 0 && part.length == length) {
        out = part; // all of it from one piece of the read-ahead: no copy to join
        break;
      }
      byte[] joined = Arrays.copyOf(out, out.length + part.length);
      System.arraycopy(part, 0, joined, out.length, part.length);
      out = joined;
    }
    lastReadEnd = offset + out.length;
    return out;
  }

  /** The longest range one stream asks for; a unit that reads on opens the next. */
  static final int STREAM_MAX = 1 << 30;
  /** A read this large opens a stream at once, sequential or not. */
  static final int STREAM_MIN_READ = 1 << 20;
  /** A stream the unit has not read from for this long is closed: home's sender waits on it. */
  static final long STREAM_IDLE_NANOS = 5_000_000_000L;

  /**
   * What a stream gives of the {@code length} bytes at {@code offset}: all of them, some (the
   * stream ended, or broke: the rest comes the other way), or none (no stream here). A read
   * where the last one ended, with a side channel, opens one; any other read closes it.
   */
  private byte[] fromStream(String p, long offset, int length) throws IOException {
    if (stream != null && (!p.equals(streamPath) || stream.position() != offset)) {
      closeStream();
    }
    boolean sequential = p.equals(lastReadPath) && offset == lastReadEnd
        && !holdsAhead(p, offset);
    if (stream == null && home.sideChannel() && length > 0
        && (sequential || length >= STREAM_MIN_READ)) {
      openStream(p, offset);
    }
    if (stream == null) {
      return new byte[0];
    }
    byte[] out = new byte[length];
    int got = 0;
    try {
      while (got < length) {
        int n = stream.read(out, got, length - got);
        if (n == 0) {
          break; // the stream ended: the rest, if any, comes the other way
        }
        got += n;
      }
    } catch (IOException broken) {
      stream.abandon();
      stream = null;
    }
    streamUsedNanos = System.nanoTime();
    if (stream != null && stream.exhausted()) {
      closeStream();
    }
    return got == length ? out : Arrays.copyOf(out, got);
  }

  private boolean holdsAhead(String p, long at) {
    return p.equals(aheadPath) && at >= aheadStart && at < aheadStart + ahead.length;
  }

  private void openStream(String p, long offset) throws IOException {
    CompletionStage<HomeLink.StreamStart> asked = home.fileStream(p, offset, STREAM_MAX);
    HomeLink.StreamStart start;
    try {
      start = asked.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      asked.toCompletableFuture().cancel(false);
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while opening a stream of " + p);
    } catch (TimeoutException | ExecutionException e) {
      asked.toCompletableFuture().cancel(false); // a stream that comes later is closed
      return; // read the other way
    }
    if (start.stream() != null) {
      stream = start.stream();
      streamPath = p;
      streamUsedNanos = System.nanoTime();
      forgetAhead();
      return;
    }
    FileReply r = start.reply();
    if (r.error() != null && "busy".equals(r.errorKind())) {
      return; // home streams enough already: read the other way
    }
    checked(r, p);
    // little data: the rest of the file, in the reply, read as the read-ahead
    forgetAhead();
    aheadPath = p;
    aheadStart = offset;
    ahead = r.data();
  }

  /** Leaves the stream, if one is open: at a pause, an end, or when the unit left it idle. */
  void closeStream() {
    if (stream != null) {
      if (stream.exhausted()) {
        stream.done();
      } else {
        stream.abandon();
      }
      stream = null;
      streamPath = null;
    }
  }

  /** Closes a stream the unit has not read for {@link #STREAM_IDLE_NANOS}; at slice ends. */
  void closeIdleStream(long now) {
    if (stream != null && now - streamUsedNanos > STREAM_IDLE_NANOS) {
      closeStream();
    }
  }

  /** Up to {@code max} bytes at {@code at} from the read-ahead, or null if it does not hold them. */
  private byte[] fromAhead(String p, long at, int max) {
    if (!p.equals(aheadPath) || at < aheadStart || at > aheadStart + ahead.length) {
      return null;
    }
    int from = (int) (at - aheadStart);
    if (from == ahead.length && ahead.length == CHUNK) {
      return null; // the end of a full chunk: more may follow
    }
    int n = Math.min(max, ahead.length - from);
    if (ahead.length == CHUNK && !home.sideChannel()) {
      // a full chunk: more may follow; keep the next ones on their way (with a side channel a
      // reader that goes on streams instead)
      long next = comingStart + (long) coming.size() * CHUNK;
      while (coming.size() < READ_AHEAD_CHUNKS) {
        coming.addLast(home.fileRequest(FileRequestKind.READ, p, next, CHUNK));
        next += CHUNK;
      }
    }
    return Arrays.copyOfRange(ahead, from, from + n);
  }

  private void fetch(String p, long at) throws IOException {
    FileReply r;
    if (p.equals(aheadPath) && !coming.isEmpty() && comingStart == at) {
      r = await(coming.pollFirst(), p);
      comingStart += CHUNK;
    } else {
      coming.clear(); // not where the read-ahead was going: start it again here
      r = await(home.fileRequest(FileRequestKind.READ, p, at, CHUNK), p);
      comingStart = at + CHUNK;
    }
    aheadPath = p;
    aheadStart = at;
    ahead = r.data();
    if (ahead.length < CHUNK) {
      coming.clear(); // the end of the file: what was asked for past it is empty
    }
  }

  private void forgetAhead() {
    aheadPath = null;
    ahead = null;
    coming.clear();
  }

  @Override
  public long size(String path) throws IOException {
    String p = HomePaths.check(path, false);
    beforeRead(p);
    return await(home.fileRequest(FileRequestKind.SIZE, p, 0, 0), p).size();
  }

  @Override
  public List<String> list(String dir) throws IOException {
    String p = HomePaths.check(dir, true);
    beforeRead(null);
    return await(home.fileRequest(FileRequestKind.LIST, p, 0, 0), p).names();
  }

  /**
   * A read sees the unit's own writes: those to {@code path} (to any path, if null) are applied
   * at home first.
   */
  private void beforeRead(String path) throws IOException {
    checkError();
    long last = path == null ? nextSeq - 1 : lastWrite.getOrDefault(path, 0L);
    boolean unapplied;
    synchronized (window) {
      unapplied = ackedUpTo < last;
    }
    if (unapplied) {
      drain();
      checkError();
    }
  }

  private FileReply await(CompletionStage<FileReply> answer, String path) throws IOException {
    FileReply r;
    try {
      r = answer.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while reading " + path + " from home");
    } catch (TimeoutException e) {
      throw new IOException("home of job " + jobId + " did not answer a read of " + path
          + " within " + timeout.toMillis() + " ms");
    } catch (ExecutionException e) {
      throw new IOException("reading " + path + " from home failed: " + e.getCause(), e.getCause());
    }
    return checked(r, path);
  }

  private static FileReply checked(FileReply r, String path) throws IOException {
    if (r.error() != null) {
      throw switch (r.errorKind()) {
        case "missing" -> new NoSuchFileException(path, null, r.error());
        case "denied" -> new AccessDeniedException(path, null, r.error());
        default -> new IOException(r.error());
      };
    }
    return r;
  }
}
