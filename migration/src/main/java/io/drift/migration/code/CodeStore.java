package io.drift.migration.code;

import io.drift.api.JobId;
import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.jar.JarFile;
import java.util.zip.ZipException;

/**
 * A node's jars of job code, by content (SHA-256 in hex), one file each under a directory:
 * jars submitted here, whose jobs are homed here, and jars fetched from homes for the jobs
 * this node hosts. A jar enters only whole and checked (its hash matches, it is a jar), by an
 * atomic rename, so a crash leaves no half jar under a hash. Each job gets its own class loader
 * over its jar (DESIGN: home proxy), so two jobs with different versions of one class coexist
 * and statics are not shared between jobs. Thread-safe.
 */
public final class CodeStore {

  /** Bytes per message of a fetch or an upload: well under Artery's frame. */
  public static final int CHUNK = 128 * 1024;

  /** One piece of a jar: {@code data} from the offset asked, and the jar's whole size. */
  public interface ChunkSource {
    CompletionStage<Chunk> fetch(long offset);
  }

  /** {@code error} non-null: the source cannot serve the jar, and why. */
  public record Chunk(byte[] data, long total, String error) {}

  private final Path dir;
  private final long maxJarBytes;
  private final ClassLoader parent;
  private final Map<String, CompletableFuture<Path>> fetching = new ConcurrentHashMap<>();
  private final Map<JobId, JobLoader> loaders = new ConcurrentHashMap<>();

  private static final class JobLoader {
    final String hash;
    final URLClassLoader loader;
    volatile long usedAtNanos = System.nanoTime();

    JobLoader(String hash, URLClassLoader loader) {
      this.hash = hash;
      this.loader = loader;
    }
  }

  /**
   * @param parent the loader of Drift's own classes (the API a unit implements); job loaders
   *     delegate to it first, so a job's jar cannot replace them
   */
  public CodeStore(Path dir, long maxJarBytes, ClassLoader parent) {
    this.dir = dir;
    this.maxJarBytes = maxJarBytes;
    this.parent = parent;
  }

  public Path dir() {
    return dir;
  }

  public long maxJarBytes() {
    return maxJarBytes;
  }

  /** True for the 64 lower-case hex digits of a SHA-256. */
  public static boolean isHash(String s) {
    if (s == null || s.length() != 64) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }

  /** The SHA-256 of a file, in hex. */
  public static String hash(Path file) throws IOException {
    MessageDigest sha = sha256();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[64 * 1024];
      for (int n; (n = in.read(buf)) > 0; ) {
        sha.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }

  /** The file of a jar, whether or not it is here. */
  public Path path(String hash) {
    if (!isHash(hash)) {
      throw new IllegalArgumentException("not a SHA-256 in hex: " + hash);
    }
    return dir.resolve(hash + ".jar");
  }

  public boolean has(String hash) {
    return isHash(hash) && Files.isRegularFile(path(hash));
  }

  /** The jar's size here. */
  public long size(String hash) throws IOException {
    return Files.size(path(hash));
  }

  /** Up to {@code max} bytes of a jar that is here, from {@code offset}. */
  public byte[] read(String hash, long offset, int max) throws IOException {
    try (FileChannel ch = FileChannel.open(path(hash), StandardOpenOption.READ)) {
      long size = ch.size();
      if (offset < 0 || offset > size) {
        throw new IOException("offset " + offset + " is outside the jar (" + size + " bytes)");
      }
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((int) Math.min(max, size - offset));
      while (buf.hasRemaining() && ch.read(buf, offset + buf.position()) > 0) {
        // read until full: a file channel may return less
      }
      return buf.array();
    }
  }

  /**
   * A jar arriving piece by piece (an upload, or a fetch), in a temporary file beside the
   * store; {@link #commit} checks it and puts it under its hash.
   */
  public final class Incoming implements AutoCloseable {
    private final String hash;
    private final long total;
    private final Path part;
    private final FileChannel out;
    private final MessageDigest sha = sha256();
    private long received;

    private Incoming(String hash, long total) throws IOException {
      if (!isHash(hash)) {
        throw new CodeException("not a SHA-256 in hex: " + hash);
      }
      if (total <= 0 || total > maxJarBytes) {
        throw new CodeException("a jar of " + total + " bytes: this node takes 1 to "
            + maxJarBytes + " (drift.home.max-code-bytes)");
      }
      this.hash = hash;
      this.total = total;
      Files.createDirectories(dir);
      this.part = Files.createTempFile(dir, hash.substring(0, 16) + "-", ".part");
      this.out = FileChannel.open(part, StandardOpenOption.WRITE);
    }

    public long received() {
      return received;
    }

    public long total() {
      return total;
    }

    /** The next piece, which must start where the last ended. */
    public void append(long offset, byte[] data) throws IOException {
      if (offset != received) {
        throw new CodeException("a piece at " + offset + " where " + received + " was due");
      }
      if (received + data.length > total) {
        throw new CodeException("more than the " + total + " bytes announced");
      }
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(data);
      while (buf.hasRemaining()) {
        out.write(buf);
      }
      sha.update(data);
      received += data.length;
    }

    public boolean complete() {
      return received == total;
    }

    /** Checks the whole jar and stores it under its hash. */
    public Path commit() throws IOException {
      if (!complete()) {
        throw new CodeException("only " + received + " of " + total + " bytes came");
      }
      out.close();
      String actual = HexFormat.of().formatHex(sha.digest());
      if (!actual.equals(hash)) {
        throw new CodeException("the bytes have SHA-256 " + actual + ", not " + hash);
      }
      checkJar(part);
      Path target = path(hash);
      try {
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
      }
      return target;
    }

    @Override
    public void close() {
      try {
        out.close();
        Files.deleteIfExists(part);
      } catch (IOException ignored) {
        // a temporary file: at worst it stays
      }
    }
  }

  /** Starts receiving a jar of {@code total} bytes. */
  public Incoming incoming(String hash, long total) throws IOException {
    return new Incoming(hash, total);
  }

  /** Why a file is not a jar Drift can load classes from. */
  static void checkJar(Path file) throws CodeException {
    try (JarFile jar = new JarFile(file.toFile())) {
      boolean classes = jar.stream().anyMatch(e -> e.getName().endsWith(".class"));
      if (!classes) {
        throw new CodeException("the jar holds no classes");
      }
    } catch (ZipException e) {
      throw new CodeException("not a jar (a zip file): " + e.getMessage());
    } catch (IOException e) {
      throw new CodeException("cannot read it as a jar: " + e.getMessage());
    }
  }

  /**
   * Makes sure the jar is here, fetching it from {@code source} if not; one fetch per jar at a
   * time, however many jobs wait for it. File work runs on {@code blocking}.
   */
  public CompletionStage<Path> ensure(String hash, ChunkSource source, Executor blocking) {
    if (has(hash)) {
      return CompletableFuture.completedFuture(path(hash));
    }
    CompletableFuture<Path> mine = new CompletableFuture<>();
    CompletableFuture<Path> running = fetching.putIfAbsent(hash, mine);
    if (running != null) {
      return running;
    }
    mine.whenComplete((p, e) -> fetching.remove(hash, mine));
    source.fetch(0).whenCompleteAsync((first, error) -> {
      if (error != null) {
        mine.completeExceptionally(error);
        return;
      }
      if (first.error() != null) {
        mine.completeExceptionally(new CodeException(first.error()));
        return;
      }
      Incoming in;
      try {
        in = incoming(hash, first.total());
      } catch (IOException e) {
        mine.completeExceptionally(e);
        return;
      }
      take(in, first, source, blocking, mine);
    }, blocking);
    return mine;
  }

  private void take(Incoming in, Chunk chunk, ChunkSource source, Executor blocking,
      CompletableFuture<Path> done) {
    try {
      if (chunk.error() != null) {
        throw new CodeException(chunk.error());
      }
      if (chunk.data().length == 0 && !in.complete()) {
        throw new CodeException("the source sent an empty piece at " + in.received());
      }
      in.append(in.received(), chunk.data());
      if (in.complete()) {
        done.complete(in.commit());
        in.close();
        return;
      }
    } catch (IOException | RuntimeException e) {
      in.close();
      done.completeExceptionally(e);
      return;
    }
    source.fetch(in.received()).whenCompleteAsync((next, error) -> {
      if (error != null) {
        in.close();
        done.completeExceptionally(error);
      } else {
        take(in, next, source, blocking, done);
      }
    }, blocking);
  }

  /**
   * The class loader of a job: Drift's own for a job without a jar ({@code hash} null), else
   * one of the job's own over its jar, which must be here ({@link #ensure}).
   */
  public ClassLoader loader(JobId job, String hash) throws CodeException {
    if (hash == null) {
      return parent;
    }
    if (!has(hash)) {
      throw new CodeException("no jar " + hash + " on this node");
    }
    JobLoader l = loaders.compute(job, (id, old) -> {
      if (old != null && old.hash.equals(hash)) {
        return old;
      }
      if (old != null) {
        close(old);
      }
      try {
        return new JobLoader(hash, open(hash, "drift-job-" + id.value()));
      } catch (CodeException e) {
        throw new IllegalStateException(e.getMessage(), e);
      }
    });
    l.usedAtNanos = System.nanoTime();
    return l.loader;
  }

  /** A loader over a jar here, of the caller's own (to close when done). */
  public URLClassLoader open(String hash, String name) throws CodeException {
    if (!has(hash)) {
      throw new CodeException("no jar " + hash + " on this node");
    }
    try {
      return new URLClassLoader(name, new URL[] {path(hash).toUri().toURL()}, parent);
    } catch (MalformedURLException e) {
      throw new CodeException("cannot load from " + path(hash) + ": " + e.getMessage());
    }
  }

  /**
   * Closes the loaders of jobs not in {@code live} that no one asked for in {@code idleNanos}
   * (a job between two nodes is briefly in no one's set).
   */
  public void retain(Set<JobId> live, long idleNanos) {
    long now = System.nanoTime();
    loaders.entrySet().removeIf(e -> {
      boolean drop = !live.contains(e.getKey()) && now - e.getValue().usedAtNanos > idleNanos;
      if (drop) {
        close(e.getValue());
      }
      return drop;
    });
  }

  /** How many jobs have a loader of their own now. */
  public int loaders() {
    return loaders.size();
  }

  private static void close(JobLoader l) {
    try {
      l.loader.close();
    } catch (IOException ignored) {
      // the jar file stays open until collected: nothing to do about it
    }
  }

  /** A jar that cannot be stored or loaded, and why. */
  public static final class CodeException extends IOException {
    public CodeException(String message) {
      super(message);
    }
  }
}
