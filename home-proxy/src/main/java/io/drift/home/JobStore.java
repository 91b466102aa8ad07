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
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * The jobs a home node is home to, on its disk, so that a home that restarts resumes them
 * (decision 0017): a job's record is what it is (its {@link HomeProxy.Spec}) and its latest
 * checkpoint, written when the job is submitted and whenever home keeps a newer checkpoint.
 *
 * <p>Records live in numbered slot files, each a header (live or free, a version, the body's
 * length and CRC) and the record (decision 0033). A record is only ever written into a free
 * slot, whole; the slot it replaces is then marked free, one byte in place. A
 * crash therefore leaves the old record or the new one: a torn write fails its CRC, and of two
 * live copies of a job the higher version wins. An ended job's slot is marked free and written
 * again for a later job, so the steady state creates, renames and deletes no files: on ext4
 * each of those takes the directory's lock, and renames and size checks were an eighth of the
 * CPU of the placement benchmark. Not thread-safe per job: its proxy is its only writer.
 */
public final class JobStore {

  private static final int MAGIC_1 = 0x44524a31; // "DRJ1": before the batch queue
  private static final int MAGIC = 0x44524a32; // "DRJ2": with the queue priority
  private static final int SLOT_MAGIC = 0x44525331; // "DRS1": a slot's header
  /** Slot header: magic (4), live (1), version (8), body length (4), body CRC-32 (4). */
  private static final int HEADER = 21;
  private static final int LIVE_AT = 4;
  private static final String SLOT = ".rec";
  /** A record file of before decision 0033 (one file per job, renamed into place). */
  private static final String OLD = ".job";
  /** Free slots kept for reuse at most, and the largest record a kept slot held. */
  static final int MAX_FREE = 1024;
  static final long MAX_FREE_BYTES = 16 * 1024;
  private static final int WRITE_PIECE = 64 * 1024;

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
  /**
   * Each live job's slot; a slot that holds a record larger than {@link #MAX_FREE_BYTES} is
   * stored as {@code -1 - slot}, so that its file is deleted, not kept, when the job ends.
   */
  private final Map<JobId, Integer> slots = new ConcurrentHashMap<>();
  /** Free slots whose files are kept, each holding a dead record of at most MAX_FREE_BYTES. */
  private final ArrayBlockingQueue<Integer> free = new ArrayBlockingQueue<>(MAX_FREE);
  /** Numbers whose files were deleted, given again before new ones: the numbers stay small. */
  private final Queue<Integer> unused = new ConcurrentLinkedQueue<>();
  /**
   * Slots (as stored in {@link #slots}) that a job left but whose freeing failed: tried again
   * at every save and delete, so that an ended job's record does not stay live on disk.
   */
  private final Queue<Integer> stuck = new ConcurrentLinkedQueue<>();
  private final AtomicInteger nextSlot = new AtomicInteger();
  private final AtomicLong version = new AtomicLong();

  public JobStore(Path dir) {
    this.dir = dir;
  }

  public Path dir() {
    return dir;
  }

  public void save(Record r) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(HEADER
        + r.spec().unit().size() + (r.checkpoint() == null ? 0 : r.checkpoint().state().size())
        + 512);
    DataOutputStream out = new DataOutputStream(bytes);
    out.write(new byte[HEADER]); // filled in below, once the body's length and CRC are known
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
    ByteBuffer record = ByteBuffer.wrap(bytes.toByteArray());
    int length = record.capacity() - HEADER;
    CRC32 crc = new CRC32();
    crc.update(record.array(), HEADER, length);
    record.putInt(0, SLOT_MAGIC).put(LIVE_AT, (byte) 1).putLong(5, version.incrementAndGet())
        .putInt(13, length).putInt(17, (int) crc.getValue());

    retryStuck();
    int slot = takeSlot();
    try {
      write(slot, record);
    } catch (IOException | RuntimeException e) {
      try {
        release(slot, true); // what it holds now is unknown: not kept
      } catch (IOException x) {
        e.addSuppressed(x);
      }
      throw e;
    }
    Integer old = slots.put(s.id(), stored(slot, length > MAX_FREE_BYTES));
    if (old != null) {
      // only now: until the new record is whole, the old one is the job's. If this fails, the
      // new record is still the job's (a load takes the higher version), so the save stands
      try {
        forget(old);
      } catch (IOException e) {
        stuck.add(old);
      }
    }
  }

  private int takeSlot() throws IOException {
    Integer slot = free.poll();
    if (slot == null) {
      slot = unused.poll();
    }
    if (slot == null) {
      slot = nextSlot.getAndIncrement();
      if (slot < 0 || slot == Integer.MAX_VALUE) {
        nextSlot.set(Integer.MAX_VALUE);
        throw new IOException("no job record slot left in " + dir);
      }
    }
    return slot;
  }

  /** Frees what failed to be freed before, until the first that fails again. */
  private void retryStuck() {
    Integer old;
    while ((old = stuck.poll()) != null) {
      try {
        forget(old);
      } catch (IOException e) {
        stuck.add(old);
        return;
      }
    }
  }

  /** Writes a record into a free slot's file, made (and its directory) if there is none. */
  private void write(int slot, ByteBuffer record) throws IOException {
    try (FileChannel ch = open(slotFile(slot))) {
      // no truncation: a longer dead record's tail stays behind the body, which the header
      // bounds; a slot keeps only records of up to MAX_FREE_BYTES for reuse (release). In
      // pieces: the JDK copies a heap buffer into a direct one that each thread keeps as large
      // as the largest it wrote. A crash between pieces leaves a prefix, which fails the CRC
      byte[] a = record.array();
      int at = 0;
      while (at < a.length) {
        at += ch.write(ByteBuffer.wrap(a, at, Math.min(WRITE_PIECE, a.length - at)), at);
      }
    }
  }

  private FileChannel open(Path file) throws IOException {
    try {
      return FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.CREATE);
    } catch (NoSuchFileException e) {
      Files.createDirectories(dir); // the first record of a new node
      return FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.CREATE);
    }
  }

  /**
   * Forgets an ended job's record: its slot is marked free, to be written again for a later
   * job. A slot that held a large record, or one more than {@link #MAX_FREE} kept, is deleted.
   */
  public void delete(JobId id) throws IOException {
    retryStuck();
    Integer slot = slots.remove(id);
    if (slot != null) {
      try {
        forget(slot);
      } catch (IOException e) {
        stuck.add(slot); // tried again at the next save or delete
        throw e;
      }
    }
  }

  /** Marks a slot free (one byte, in place) and keeps it for reuse or deletes its file. */
  private void forget(int stored) throws IOException {
    boolean large = stored < 0;
    int slot = large ? -1 - stored : stored;
    if (large) {
      release(slot, true); // deleted whole: nothing to mark
      return;
    }
    try {
      markFree(slot);
    } catch (NoSuchFileException e) {
      return; // taken out of the directory by hand: nothing to keep
    }
    release(slot, false);
  }

  /** Keeps a free slot for reuse, or deletes its file when it is large or enough are kept. */
  private void release(int slot, boolean large) throws IOException {
    if (large || !free.offer(slot)) {
      Files.deleteIfExists(slotFile(slot));
      unused.add(slot);
    }
  }

  /**
   * Every job record in the directory, oldest submission first, and this store's view of its
   * slots made anew from them: called at the start, before any save. A file that does not read
   * as a record is left where it is and named in {@code unreadable}. A slot torn by a crash,
   * or one that a newer version of its job replaced, is freed. Records of before decision 0033
   * (a file per job) are moved into slots.
   */
  public List<Record> load(List<String> unreadable) throws IOException {
    return scan(unreadable, true);
  }

  /**
   * The records {@link #load} would give, read without changing anything on disk: for a
   * reader beside a running node (a test, a tool). A load there would free the slots it finds
   * torn, and a record being written at that moment looks torn.
   */
  public static List<Record> peek(Path dir, List<String> unreadable) throws IOException {
    return new JobStore(dir).scan(unreadable, false);
  }

  /** {@link #load}'s reading; {@code repair}: also free, delete and move what it finds. */
  private List<Record> scan(List<String> unreadable, boolean repair) throws IOException {
    slots.clear();
    free.clear();
    unused.clear();
    stuck.clear();
    nextSlot.set(0);
    List<Record> records = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return records;
    }
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.sorted().toList();
    }
    Map<JobId, Found> newest = new HashMap<>();
    List<Found> freed = new ArrayList<>(); // record null: a free or torn slot
    List<Path> old = new ArrayList<>();
    long maxVersion = 0;
    for (Path f : files) {
      String name = f.getFileName().toString();
      if (name.endsWith(".tmp") || name.endsWith(".spare")) {
        if (repair) {
          Files.deleteIfExists(f); // a temporary or spare file of before decision 0033
        }
        continue;
      }
      if (name.endsWith(OLD)) {
        old.add(f);
        continue;
      }
      int slot = slotNumber(name);
      if (slot < 0) {
        continue; // not ours
      }
      nextSlot.set(Math.max(nextSlot.get(), slot + 1)); // never given again, read or not
      byte[] data;
      try {
        data = Files.readAllBytes(f);
      } catch (NoSuchFileException e) {
        continue; // deleted since the listing (a reader beside a running node): no record
      } catch (IOException e) {
        unreadable.add(f + ": " + e);
        continue;
      }
      ByteBuffer b = ByteBuffer.wrap(data);
      boolean large = data.length > HEADER + MAX_FREE_BYTES; // deleted when freed, not kept
      if (data.length < HEADER || b.getInt(0) == 0) {
        freed.add(new Found(null, slot, 0, large, false)); // a first write cut short, or zeros
        continue;
      }
      if (b.getInt(0) != SLOT_MAGIC) {
        unreadable.add(f + ": not a Drift job record (no slot header); left as it is");
        continue;
      }
      int length = b.getInt(13);
      boolean live = b.get(LIVE_AT) == 1;
      if (!live || length < 0 || length > data.length - HEADER
          || !crcMatches(data, length, b.getInt(17))) {
        // free, or torn by a crash while written: the job's older record stands
        freed.add(new Found(null, slot, 0, large, live));
        continue;
      }
      Record r;
      try {
        r = read(new DataInputStream(new java.io.ByteArrayInputStream(data, HEADER, length)));
      } catch (IOException | RuntimeException e) {
        unreadable.add(f + ": a job record this version cannot read (" + e + "); left as it is");
        continue;
      }
      long v = b.getLong(5);
      maxVersion = Math.max(maxVersion, v);
      Found now = new Found(r, slot, v, large, true);
      Found was = newest.get(r.spec().id());
      if (was == null || was.version < v) {
        newest.put(r.spec().id(), now);
        if (was != null) {
          freed.add(was); // a crash came between writing the newer and freeing this
        }
      } else {
        freed.add(now);
      }
    }
    version.set(maxVersion);
    for (Found f : newest.values()) {
      slots.put(f.record.spec().id(), stored(f.slot, f.large));
      records.add(f.record);
    }
    if (repair) {
      for (Found f : freed) {
        try {
          if (f.live) {
            markFree(f.slot);
          }
          release(f.slot, f.large);
        } catch (IOException e) {
          stuck.add(stored(f.slot, f.large)); // tried again at the first save or delete
        }
      }
    }
    for (Path f : old) {
      Record r;
      try (InputStream in = Files.newInputStream(f)) {
        r = read(new DataInputStream(in));
      } catch (IOException | RuntimeException e) {
        unreadable.add(f + ": not a Drift job record (" + e + "); left as it is");
        continue;
      }
      boolean inSlot = slots.containsKey(r.spec().id());
      if (!inSlot) {
        records.add(r);
      }
      if (!repair) {
        continue;
      }
      if (!inSlot) {
        save(r); // a failure here fails the load: the job must not be dropped unsaid
      }
      try {
        Files.delete(f); // its record is in a slot now
      } catch (IOException e) {
        unreadable.add(f + ": a job record of the old layout, now kept in a slot, that could"
            + " not be removed (" + e + "): remove it by hand, or the job may run again after"
            + " a later restart");
      }
    }
    records.sort(java.util.Comparator.comparingLong(Record::submittedAtMillis));
    return records;
  }

  /** A slot read at load: its record (null if none), and whether its live byte was set. */
  private record Found(Record record, int slot, long version, boolean large, boolean live) {}

  /** How {@link #slots} and {@link #stuck} hold a slot: a large one as {@code -1 - slot}. */
  private static int stored(int slot, boolean large) {
    return large ? -1 - slot : slot;
  }

  /** Sets a slot's live byte to 0, in place. */
  private void markFree(int slot) throws IOException {
    try (FileChannel ch = FileChannel.open(slotFile(slot), StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {0}), LIVE_AT);
    }
  }

  private static boolean crcMatches(byte[] data, int length, int expected) {
    CRC32 crc = new CRC32();
    crc.update(data, HEADER, length);
    return (int) crc.getValue() == expected;
  }

  /** A slot file's number, or -1 if the name is not one. */
  private static int slotNumber(String name) {
    int digits = name.length() - SLOT.length();
    if (!name.endsWith(SLOT) || digits < 1 || digits > 10) {
      return -1;
    }
    long n = 0;
    for (int i = 0; i < digits; i++) {
      char ch = name.charAt(i);
      if (ch < '0' || ch > '9') {
        return -1;
      }
      n = n * 10 + (ch - '0');
    }
    return n < Integer.MAX_VALUE ? (int) n : -1;
  }

  private Path slotFile(int slot) {
    return dir.resolve(slot + SLOT);
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
