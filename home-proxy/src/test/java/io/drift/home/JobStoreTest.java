package io.drift.home;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.api.JobId;
import io.drift.migration.codec.Payload;
import io.drift.migration.executor.Executor;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobStoreTest {

  @TempDir Path dir;

  static HomeProxy.Spec spec(String id) {
    return new HomeProxy.Spec(JobId.of(id), "name " + id, "x.Unit", 64, true,
        new Payload("x.Unit", new byte[] {1, 2, 3}), id.equals("b") ? "team/in" : null,
        id.equals("b") ? "ab".repeat(32) : null);
  }

  @Test
  void recordsComeBackAsWrittenOldestFirstAndAnEndedJobsIsGone() throws Exception {
    JobStore store = new JobStore(dir.resolve("node"));
    store.save(new JobStore.Record(spec("b"), 2_000, null, 0, 0));
    store.save(new JobStore.Record(spec("a"), 1_000, null, 0, 0));
    Executor.Checkpoint c = new Executor.Checkpoint(JobId.of("b"), 3,
        new Payload("x.Unit", new byte[] {9, 9}), 11, 4, 7, 5_000, 42);
    store.save(new JobStore.Record(spec("b"), 2_000, c, 2, 5)); // replaces the first one

    List<String> bad = new ArrayList<>();
    List<JobStore.Record> back = store.load(bad);
    assertEquals(List.of(), bad);
    assertEquals(List.of("a", "b"), back.stream().map(r -> r.spec().id().value()).toList());
    assertEquals(spec("a"), back.get(0).spec());
    assertNull(back.get(0).checkpoint());
    JobStore.Record b = back.get(1);
    assertEquals(spec("b"), b.spec());
    assertEquals(2, b.restarts());
    assertEquals(5, b.migrations());
    assertEquals(c.state(), b.checkpoint().state());
    assertEquals(List.of(11L, 4L, 7L, 5_000L, 42L), List.of(b.checkpoint().nextSeq(),
        b.checkpoint().nextFileSeq(), b.checkpoint().nextInputLine(), b.checkpoint().cpuNanos(),
        b.checkpoint().steps()));

    store.delete(JobId.of("a"));
    assertEquals(1, store.load(bad).size());
    List<String> left = names(dir.resolve("node"));
    assertEquals(List.of("0.rec", "1.rec", "2.rec"), left,
        "a slot each for b, a and b's newer record, no temporary file");
  }

  static List<String> names(Path d) throws Exception {
    try (var files = Files.list(d)) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void anEndedJobsSlotIsWrittenAgainForTheNextJobAndItsOldBytesAreNotRead() throws Exception {
    JobStore store = new JobStore(dir);
    // a long record first, so that a shorter one written into its slot leaves a tail behind
    HomeProxy.Spec big = new HomeProxy.Spec(JobId.of("big"), "big", "x.Unit", 64, true,
        new Payload("x.Unit", new byte[4000]), null, null);
    store.save(new JobStore.Record(big, 1_000, null, 0, 0));
    Object slot = Files.getAttribute(dir.resolve("0.rec"), "unix:ino");
    store.delete(JobId.of("big"));
    assertEquals(List.of("0.rec"), names(dir), "a free slot is kept");
    assertEquals(List.of(), new JobStore(dir).load(new ArrayList<>()), "and holds no job");

    store = new JobStore(dir);
    store.load(new ArrayList<>());
    store.save(new JobStore.Record(spec("a"), 2_000, null, 0, 0));
    assertEquals(List.of("0.rec"), names(dir), "the free slot became a's record");
    assertEquals(slot, Files.getAttribute(dir.resolve("0.rec"), "unix:ino"),
        "the same file, not a new one");
    List<String> bad = new ArrayList<>();
    List<JobStore.Record> back = new JobStore(dir).load(bad);
    assertEquals(List.of(), bad);
    assertEquals(List.of(spec("a")), back.stream().map(JobStore.Record::spec).toList());
  }

  @Test
  void freeSlotsAreBoundedInNumberAndSizeAndARestartKeepsThemFree() throws Exception {
    JobStore store = new JobStore(dir);
    int n = JobStore.MAX_FREE + 10;
    for (int i = 0; i < n; i++) {
      store.save(new JobStore.Record(spec("j" + i), i, null, 0, 0));
    }
    HomeProxy.Spec big = new HomeProxy.Spec(JobId.of("big"), "big", "x.Unit", 64, true,
        new Payload("x.Unit", new byte[(int) JobStore.MAX_FREE_BYTES + 1]), null, null);
    store.save(new JobStore.Record(big, 0, null, 0, 0));
    assertEquals(n + 1, names(dir).size());
    store.delete(JobId.of("big"));
    assertEquals(n, names(dir).size(), "a slot that held a large record is deleted");
    for (int i = 0; i < n; i++) {
      store.delete(JobId.of("j" + i));
    }
    assertEquals(JobStore.MAX_FREE, names(dir).size(), "at most MAX_FREE free slots");
    store.delete(JobId.of("never-saved")); // nothing to forget: no error

    // a restarted node: free slots hold no job, and the next records go into them
    List<String> bad = new ArrayList<>();
    JobStore again = new JobStore(dir);
    assertEquals(List.of(), again.load(bad));
    assertEquals(List.of(), bad);
    List<String> before = names(dir);
    again.save(new JobStore.Record(spec("a"), 1, null, 0, 0));
    assertEquals(before, names(dir), "no new file while a free slot is kept");
    assertEquals(List.of(spec("a")),
        new JobStore(dir).load(bad).stream().map(JobStore.Record::spec).toList());
  }

  @Test
  void aCrashBetweenWritingTheNewerRecordAndFreeingTheOlderLeavesTheNewer() throws Exception {
    JobStore store = new JobStore(dir);
    store.save(new JobStore.Record(spec("x"), 500, null, 0, 0)); // slot 0
    store.save(new JobStore.Record(spec("a"), 1_000, null, 0, 0)); // slot 1
    store.delete(JobId.of("x")); // slot 0 free
    Executor.Checkpoint c = new Executor.Checkpoint(JobId.of("a"), 1,
        new Payload("x.Unit", new byte[] {7}), 2, 1, 1, 10, 3);
    // the newer record goes into the lower slot, which a load reads first: the version, not
    // the order of reading, must decide
    store.save(new JobStore.Record(spec("a"), 1_000, c, 1, 0)); // slot 0, then 1 is freed
    setLive(dir.resolve("1.rec"), 1); // as if the crash came before 1 was freed

    List<String> bad = new ArrayList<>();
    List<JobStore.Record> back = new JobStore(dir).load(bad);
    assertEquals(List.of(), bad);
    assertEquals(1, back.size(), "one record of the job, not two: " + back);
    assertEquals(c.state(), back.get(0).checkpoint().state(), "the newer one");
    assertEquals(0, Files.readAllBytes(dir.resolve("1.rec"))[4], "the older is freed");
  }

  @Test
  void aRecordTornByACrashIsFreedAndTheJobsOlderOneStands() throws Exception {
    JobStore store = new JobStore(dir);
    store.save(new JobStore.Record(spec("x"), 500, null, 0, 0)); // slot 0
    store.save(new JobStore.Record(spec("a"), 1_000, null, 0, 0)); // slot 1
    store.delete(JobId.of("x")); // slot 0 free, still holding x's dead record
    byte[] dead = Files.readAllBytes(dir.resolve("0.rec"));
    Executor.Checkpoint c = new Executor.Checkpoint(JobId.of("a"), 1,
        new Payload("x.Unit", new byte[] {7}), 2, 1, 1, 10, 3);
    store.save(new JobStore.Record(spec("a"), 1_000, c, 1, 0)); // into slot 0
    // the crash came while slot 0 was written: only the new header and a few bytes of the
    // new record reached it, over x's dead record, and slot 1 was not freed yet
    byte[] whole = Files.readAllBytes(dir.resolve("0.rec"));
    byte[] torn = dead.clone();
    System.arraycopy(whole, 0, torn, 0, 30);
    Files.write(dir.resolve("0.rec"), torn);
    setLive(dir.resolve("1.rec"), 1);
    Files.write(dir.resolve("7.rec"), new byte[0]); // a first write cut short: an empty file

    List<String> bad = new ArrayList<>();
    // a reader beside a running node: the same records, and nothing on disk changed
    List<JobStore.Record> peeked = JobStore.peek(dir, bad);
    assertEquals(List.of(), bad);
    assertEquals(List.of("a"), peeked.stream().map(r -> r.spec().id().value()).toList());
    assertNull(peeked.get(0).checkpoint());
    assertArrayEquals(torn, Files.readAllBytes(dir.resolve("0.rec")), "the torn slot as it was");
    assertEquals(1, Files.readAllBytes(dir.resolve("1.rec"))[4], "the older still live");
    assertTrue(Files.exists(dir.resolve("7.rec")));

    JobStore again = new JobStore(dir);
    List<JobStore.Record> back = again.load(bad);
    assertEquals(List.of(), bad, "torn slots are free, not unreadable");
    assertEquals(List.of("a"), back.stream().map(r -> r.spec().id().value()).toList(),
        "a's older record, and not x, whose dead record the torn one was written over");
    assertNull(back.get(0).checkpoint(), "the older record, whole");
    again.delete(JobId.of("a"));
    assertEquals(List.of(), new JobStore(dir).load(bad), "and it is forgotten as usual");
  }

  @Test
  void aSlotThatCouldNotBeFreedIsFreedAtTheNextWriteAndItsJobDoesNotComeBack()
      throws Exception {
    JobStore store = new JobStore(dir);
    store.save(new JobStore.Record(spec("a"), 1_000, null, 0, 0)); // slot 0
    Path slot = dir.resolve("0.rec");
    byte[] live = Files.readAllBytes(slot);
    Files.delete(slot);
    Files.createDirectory(slot); // a slot that cannot be written: freeing it fails
    assertThrows(IOException.class, () -> store.delete(JobId.of("a")));
    Files.delete(slot);
    Files.write(slot, live); // writable again, still live on disk

    store.save(new JobStore.Record(spec("b"), 2_000, null, 0, 0)); // tries 0 again first
    assertEquals(List.of("0.rec"), names(dir), "a's slot was freed, and b went into it");
    assertEquals(List.of("b"), new JobStore(dir).load(new ArrayList<>()).stream()
        .map(r -> r.spec().id().value()).toList());
  }

  @Test
  void aLargeSlotLeftByACrashIsDeletedAtLoadNotKept() throws Exception {
    JobStore store = new JobStore(dir);
    HomeProxy.Spec big = new HomeProxy.Spec(JobId.of("a"), "a", "x.Unit", 64, true,
        new Payload("x.Unit", new byte[(int) JobStore.MAX_FREE_BYTES * 2]), null, null);
    store.save(new JobStore.Record(big, 1_000, null, 0, 0)); // slot 0, large
    store.save(new JobStore.Record(spec("a"), 1_000, null, 1, 0)); // slot 1; 0 is deleted
    assertEquals(List.of("1.rec"), names(dir));
    store.save(new JobStore.Record(big, 1_000, null, 2, 0)); // slot 0 again, large
    byte[] large = Files.readAllBytes(dir.resolve("0.rec"));
    store.save(new JobStore.Record(spec("a"), 1_000, null, 3, 0)); // slot 2; 0 is deleted
    Files.write(dir.resolve("0.rec"), large); // as if the crash came before it was deleted

    List<JobStore.Record> back = new JobStore(dir).load(new ArrayList<>());
    assertEquals(List.of(3), back.stream().map(JobStore.Record::restarts).toList());
    assertTrue(!names(dir).contains("0.rec"), "the large older record is not kept: "
        + names(dir));
  }

  @Test
  void concurrentSavesAndDeletesOfDifferentJobsNeverShareASlot() throws Exception {
    JobStore store = new JobStore(dir);
    int threads = 4;
    int perThread = 300;
    ExecutorService pool =
        Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.add(pool.submit(() -> {
          for (int i = 0; i < perThread; i++) {
            String id = "t" + thread + "-" + i;
            store.save(new JobStore.Record(spec(id), i, null, 0, 0));
            store.save(new JobStore.Record(spec(id), i, null, 1, 0)); // a newer record
            if (i % 3 != 0) {
              store.delete(JobId.of(id)); // two in three end; the others stay
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    List<String> bad = new ArrayList<>();
    List<JobStore.Record> back = new JobStore(dir).load(bad);
    assertEquals(List.of(), bad);
    Set<String> expected = new TreeSet<>();
    for (int t = 0; t < threads; t++) {
      for (int i = 0; i < perThread; i += 3) {
        expected.add("t" + t + "-" + i);
      }
    }
    assertEquals(expected, new TreeSet<>(
        back.stream().map(r -> r.spec().id().value()).toList()), "exactly the jobs that stay");
    assertTrue(back.stream().allMatch(r -> r.restarts() == 1), "each at its newer record");
  }

  @Test
  void aRecordOfBeforeSlotsIsLoadedAndMovedIntoASlot() throws Exception {
    HomeProxy.Spec b = spec("b");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(0x44524a32); // "DRJ2": the layout of decision 0017's files, with the queue
      out.writeUTF("b");
      out.writeUTF(b.name());
      out.writeUTF(b.unitClass());
      out.writeLong(b.memoryMb());
      out.writeBoolean(b.migratable());
      out.writeUTF(b.unit().className());
      out.writeInt(b.unit().bytes().length);
      out.write(b.unit().bytes());
      out.writeBoolean(true);
      out.writeUTF(b.workspace());
      out.writeBoolean(true);
      out.writeUTF(b.code());
      out.writeLong(5_000);
      out.writeInt(1);
      out.writeInt(2);
      out.writeInt(3);
      out.writeBoolean(false);
    }
    Files.write(dir.resolve("b.job"), bytes.toByteArray());
    Files.write(dir.resolve("c.spare"), new byte[10]);

    List<String> bad = new ArrayList<>();
    JobStore store = new JobStore(dir);
    List<JobStore.Record> back = store.load(bad);
    assertEquals(List.of(), bad);
    assertEquals(List.of(new JobStore.Record(b, 5_000, null, 1, 2, 3)), back);
    assertEquals(List.of("0.rec"), names(dir), "moved into a slot; the spare is gone");
    assertEquals(back, new JobStore(dir).load(bad), "and read from there after a restart");
    store.delete(JobId.of("b"));
    assertEquals(List.of(), new JobStore(dir).load(bad));
  }

  private static void setLive(Path slot, int live) throws Exception {
    byte[] data = Files.readAllBytes(slot);
    data[4] = (byte) live;
    Files.write(slot, data);
  }

  @Test
  void aFileThatIsNotARecordIsNamedAndLeftAloneAndTheOthersLoad() throws Exception {
    JobStore store = new JobStore(dir);
    store.save(new JobStore.Record(spec("a"), 1_000, null, 0, 0));
    Files.write(dir.resolve("junk.job"), new byte[] {1, 2, 3, 4, 5});
    Files.write(dir.resolve("3.rec"), "not a slot, but named as one".getBytes());
    List<String> bad = new ArrayList<>();
    assertEquals(1, store.load(bad).size());
    assertEquals(2, bad.size());
    assertTrue(bad.get(0).contains("3.rec") && bad.get(1).contains("junk.job"), bad.toString());
    assertTrue(Files.exists(dir.resolve("junk.job")) && Files.exists(dir.resolve("3.rec")));
    assertEquals(List.of(), new JobStore(dir.resolve("none")).load(bad), "no directory: none");
  }
}
