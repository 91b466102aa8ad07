package io.drift.home;

import io.drift.api.JobId;
import io.drift.migration.codec.Payload;
import io.drift.migration.executor.Executor;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The jobs a home node is home to, on its disk, so that a home that restarts resumes them
 * (decision 0017): per job one file with what it is (its {@link HomeProxy.Spec}) and its latest
 * checkpoint, written whole to a temporary file and renamed over the old one, so a crash leaves
 * either the old record or the new. Written when the job is submitted and whenever home keeps a
 * newer checkpoint; when the job ends, renamed to a spare that a later save writes into
 * (decision 0032). Not thread-safe per job: its proxy is its only writer.
 */
public final class JobStore {

  private static final int MAGIC_1 = 0x44524a31; // "DRJ1": before the batch queue
  private static final int MAGIC = 0x44524a32; // "DRJ2": with the queue priority
  private static final String SUFFIX = ".job";
  private static final String SPARE = ".spare";
  /** Spare files kept for reuse at most, and the largest kept: bounded disk (decision 0032). */
  static final int MAX_SPARES = 256;
  static final long MAX_SPARE_BYTES = 16 * 1024;

  /**
   * A job as it was last written: its checkpoint is null until it had one; {@code queue} its
   * priority while it waits in the batch queue, -1 once admitted (or never queued).
   */
  public record Record(HomeProxy.Spec spec, long submittedAtMillis, Executor.Checkpoint checkpoint,
      int restarts, int migrations, int queue) {
    public Record(HomeProxy.Spec spec, long submittedAtMillis, Executor.Checkpoint checkpoint,
        int restarts, int migrations) {
      this(spec, submittedAtMillis, checkpoint, restarts, migrations, -1);
    }
  }

  private final Path dir;
  /** Ended jobs' files, renamed, for the next saves to write into (decision 0032). */
  private final ArrayBlockingQueue<Path> spares = new ArrayBlockingQueue<>(MAX_SPARES);
  private final AtomicLong nextSpare = new AtomicLong();

  public JobStore(Path dir) {
    this.dir = dir;
  }

  public Path dir() {
    return dir;
  }

  public void save(Record r) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(
        r.spec().unit().size() + (r.checkpoint() == null ? 0 : r.checkpoint().state().size())
            + 512);
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(MAGIC);
    HomeProxy.Spec s = r.spec();
    out.writeUTF(s.id().value());
    out.writeUTF(s.name());
    out.writeUTF(s.unitClass());
    out.writeLong(s.memoryMb());
    out.writeBoolean(s.migratable());
    writePayload(out, s.unit());
    writeNullable(out, s.workspace());
    writeNullable(out, s.code());
    out.writeLong(r.submittedAtMillis());
    out.writeInt(r.restarts());
    out.writeInt(r.migrations());
    out.writeInt(r.queue());
    Executor.Checkpoint c = r.checkpoint();
    out.writeBoolean(c != null);
    if (c != null) {
      writePayload(out, c.state());
      out.writeLong(c.nextSeq());
      out.writeLong(c.nextFileSeq());
      out.writeLong(c.nextInputLine());
      out.writeLong(c.cpuNanos());
      out.writeLong(c.steps());
    }
    out.flush();
    Path file = file(s.id());
    // written whole into a spare (an ended job's file) or else a new temporary file, one name
    // per job as the job's proxy is its only writer (a leftover of a crash is overwritten),
    // then renamed over the record; the directory is made on the first save that finds none,
    // and the temporary file is deleted only when the rename did not happen: a delete of a
    // file that is not there costs an exception, and saves are the submission's most frequent
    // cost
    byte[] record = bytes.toByteArray();
    Path spare = spares.poll();
    if (spare != null && overwrite(spare, record)) {
      replace(spare, file);
      return;
    }
    Path tmp = dir.resolve(s.id().value() + ".tmp");
    try {
      Files.write(tmp, record);
    } catch (NoSuchFileException e) {
      Files.createDirectories(dir);
      Files.write(tmp, record);
    }
    replace(tmp, file);
  }

  /** Writes a spare file's bytes in place; false if it is gone (taken out of the directory). */
  private static boolean overwrite(Path spare, byte[] record) throws IOException {
    try (FileChannel ch = FileChannel.open(spare, StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.wrap(record);
      while (buf.hasRemaining()) {
        ch.write(buf, buf.position());
      }
      ch.truncate(record.length); // an older, longer record's tail must not stay
      return true;
    } catch (NoSuchFileException e) {
      return false;
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(spare);
      throw e;
    }
  }

  /** Renames the written {@code from} over the job's record: a crash leaves the old or the new. */
  private static void replace(Path from, Path file) throws IOException {
    try {
      try {
        Files.move(from, file, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(from, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(from);
      throw e;
    }
  }

  /**
   * Forgets an ended job's record. The file is renamed to a spare, not deleted, while there are
   * fewer than {@link #MAX_SPARES} and it is small: the next save writes into it. On ext4 a file
   * created soon after many were deleted costs a scan for a free inode under the directory's
   * lock, and at a thousand jobs a second that scan, and the other writers spinning on the
   * lock, took two fifths of the CPU of the placement benchmark (decision 0032).
   */
  public void delete(JobId id) throws IOException {
    Path file = file(id);
    long size;
    try {
      size = Files.size(file);
    } catch (NoSuchFileException e) {
      return; // never written, or forgotten already
    }
    if (size > MAX_SPARE_BYTES || spares.remainingCapacity() == 0) {
      Files.deleteIfExists(file);
      return;
    }
    Path spare = dir.resolve(nextSpare.getAndIncrement() + SPARE);
    try {
      Files.move(file, spare, StandardCopyOption.REPLACE_EXISTING);
    } catch (NoSuchFileException e) {
      return;
    }
    if (!spares.offer(spare)) {
      Files.deleteIfExists(spare); // other proxies took the last places meanwhile
    }
  }

  /**
   * Every job record in the directory, oldest submission first. A file that does not read as
   * one is left where it is and named in {@code unreadable}. Spares left by an earlier run are
   * deleted: called at the start, before any save.
   */
  public List<Record> load(List<String> unreadable) throws IOException {
    List<Record> records = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return records;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        if (f.getFileName().toString().endsWith(SPARE)) {
          if (!spares.contains(f)) {
            Files.deleteIfExists(f); // of before a restart: its name may be given again
          }
          continue;
        }
        if (!f.getFileName().toString().endsWith(SUFFIX)) {
          continue;
        }
        try (InputStream in = Files.newInputStream(f)) {
          records.add(read(new DataInputStream(in)));
        } catch (IOException | RuntimeException e) {
          unreadable.add(f + ": " + e);
        }
      }
    }
    records.sort(java.util.Comparator.comparingLong(Record::submittedAtMillis));
    return records;
  }

  private static Record read(DataInputStream in) throws IOException {
    int magic = in.readInt();
    if (magic != MAGIC && magic != MAGIC_1) {
      throw new IOException("not a Drift job record");
    }
    JobId id = JobId.of(in.readUTF());
    String name = in.readUTF();
    String unitClass = in.readUTF();
    long memoryMb = in.readLong();
    boolean migratable = in.readBoolean();
    Payload unit = readPayload(in);
    String workspace = readNullable(in);
    String code = readNullable(in);
    long submitted = in.readLong();
    int restarts = in.readInt();
    int migrations = in.readInt();
    int queue = magic == MAGIC ? in.readInt() : -1;
    Executor.Checkpoint c = null;
    if (in.readBoolean()) {
      Payload state = readPayload(in);
      c = new Executor.Checkpoint(id, 0, state, in.readLong(), in.readLong(), in.readLong(),
          in.readLong(), in.readLong());
    }
    return new Record(new HomeProxy.Spec(id, name, unitClass, memoryMb, migratable, unit,
        workspace, code), submitted, c, restarts, migrations, queue);
  }

  private Path file(JobId id) {
    return dir.resolve(id.value() + SUFFIX); // a JobId is a safe file name (its form: JobId)
  }

  private static void writePayload(DataOutputStream out, Payload p) throws IOException {
    out.writeUTF(p.className());
    out.writeInt(p.bytes().length);
    out.write(p.bytes());
  }

  private static Payload readPayload(DataInputStream in) throws IOException {
    String className = in.readUTF();
    int n = in.readInt();
    if (n < 0 || n > 1 << 30) {
      throw new IOException("a state of " + n + " bytes");
    }
    byte[] bytes = new byte[n];
    in.readFully(bytes);
    return new Payload(className, bytes);
  }

  private static void writeNullable(DataOutputStream out, String s) throws IOException {
    out.writeBoolean(s != null);
    if (s != null) {
      out.writeUTF(s);
    }
  }

  private static String readNullable(DataInputStream in) throws IOException {
    return in.readBoolean() ? in.readUTF() : null;
  }
}
