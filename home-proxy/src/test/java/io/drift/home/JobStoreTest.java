package io.drift.home;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.api.JobId;
import io.drift.migration.codec.Payload;
import io.drift.migration.executor.Executor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
    store.save(new JobStore.Record(spec("b"), 2_000, c, 2, 5)); // over the first one

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
    assertEquals(2, left.size(), "b's record and a's file kept as a spare, no temporary file: "
        + left);
    assertTrue(left.contains("b.job") && left.stream().anyMatch(n -> n.endsWith(".spare")),
        left.toString());
  }

  static List<String> names(Path d) throws Exception {
    try (var files = Files.list(d)) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void anEndedJobsFileIsWrittenAgainForTheNextJobAndNoOldBytesStay() throws Exception {
    JobStore store = new JobStore(dir);
    // a long record first, so that a shorter one written into its file must cut its tail
    HomeProxy.Spec big = new HomeProxy.Spec(JobId.of("big"), "big", "x.Unit", 64, true,
        new Payload("x.Unit", new byte[4000]), null, null);
    store.save(new JobStore.Record(big, 1_000, null, 0, 0));
    Object bigFile = Files.getAttribute(dir.resolve("big.job"), "unix:ino");
    store.delete(JobId.of("big"));
    assertEquals(1, names(dir).size());
    assertTrue(names(dir).get(0).endsWith(".spare"), names(dir).toString());

    store.save(new JobStore.Record(spec("a"), 2_000, null, 0, 0));
    assertEquals(List.of("a.job"), names(dir), "the spare became a's record");
    assertEquals(bigFile, Files.getAttribute(dir.resolve("a.job"), "unix:ino"),
        "the same file, not a new one");
    List<String> bad = new ArrayList<>();
    List<JobStore.Record> back = new JobStore(dir).load(bad);
    assertEquals(List.of(), bad);
    assertEquals(List.of(spec("a")), back.stream().map(JobStore.Record::spec).toList());
    assertTrue(Files.size(dir.resolve("a.job")) < 1000, "the old record's tail is cut");
  }

  @Test
  void sparesAreBoundedInNumberAndSizeAndThoseOfAnEarlierRunGo() throws Exception {
    JobStore store = new JobStore(dir);
    int n = JobStore.MAX_SPARES + 10;
    for (int i = 0; i < n; i++) {
      store.save(new JobStore.Record(spec("j" + i), i, null, 0, 0));
    }
    HomeProxy.Spec big = new HomeProxy.Spec(JobId.of("big"), "big", "x.Unit", 64, true,
        new Payload("x.Unit", new byte[(int) JobStore.MAX_SPARE_BYTES + 1]), null, null);
    store.save(new JobStore.Record(big, 0, null, 0, 0));
    store.delete(JobId.of("big"));
    assertEquals(List.of(), names(dir).stream().filter(f -> f.endsWith(".spare")).toList(),
        "a record too large to keep is deleted");
    for (int i = 0; i < n; i++) {
      store.delete(JobId.of("j" + i));
    }
    assertEquals(JobStore.MAX_SPARES, names(dir).size(), "at most MAX_SPARES spares");
    store.delete(JobId.of("never-saved")); // nothing to forget: no error

    // a restarted node: the old spares are not records, and they go
    List<String> bad = new ArrayList<>();
    assertEquals(List.of(), new JobStore(dir).load(bad));
    assertEquals(List.of(), bad);
    assertEquals(List.of(), names(dir));
  }

  @Test
  void aFileThatIsNotARecordIsNamedAndLeftAloneAndTheOthersLoad() throws Exception {
    JobStore store = new JobStore(dir);
    store.save(new JobStore.Record(spec("a"), 1_000, null, 0, 0));
    Files.write(dir.resolve("junk.job"), new byte[] {1, 2, 3, 4, 5});
    List<String> bad = new ArrayList<>();
    assertEquals(1, store.load(bad).size());
    assertEquals(1, bad.size());
    assertTrue(bad.get(0).contains("junk.job"), bad.toString());
    assertTrue(Files.exists(dir.resolve("junk.job")));
    assertEquals(List.of(), new JobStore(dir.resolve("none")).load(bad), "no directory: none");
  }
}
