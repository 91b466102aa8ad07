package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.api.JobId;
import io.drift.api.JobInfo;
import io.drift.api.JobState;
import io.drift.api.OutputLine;
import io.drift.home.HomeManager;
import io.drift.home.HomeProxy;
import io.drift.migration.Limits;
import io.drift.migration.codec.Payload;
import io.drift.migration.executor.Executor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The largest message each protocol can produce, within the limits the code enforces, still
 * fits Artery's 256 KiB frame with room for the envelope: an oversized message would be dropped
 * with an error on the sender only, and its receiver would wait forever.
 */
class WireSizeTest {

  /** Artery's maximum-frame-size is 256 KiB; leave room for headers and manifests. */
  static final int BUDGET = 250 * 1024;
  /** A character that takes 3 bytes in UTF-8: the worst case for text. */
  static final String WIDE = "\u20ac";

  static ActorTestKit kit;
  static TestProbe<Object> any;

  @BeforeAll
  static void start() {
    kit = ActorTestKit.create("wire", DriftConfig.forNode(null, Map.of(
        "pekko.actor.provider", "local", "pekko.extensions", List.of())));
    any = kit.createTestProbe();
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  static void fits(Object message) {
    try {
      int size = SerializationExtension.get(kit.system()).serialize(message).get().length;
      assertTrue(size < BUDGET, message.getClass().getSimpleName() + " is " + size + " bytes");
    } catch (Throwable e) {
      throw new AssertionError("cannot serialize " + message.getClass().getName(), e);
    }
  }

  static String wide(int chars) {
    return WIDE.repeat(chars);
  }

  static JobInfo worstInfo() {
    return new JobInfo(JobId.random(), wide(Limits.NAME_CHARS), "com.example." + "x".repeat(300),
        "host-with-a-long-name.example.org:65535", "host-with-a-long-name.example.org:65535",
        JobState.FAILED, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, 1.0, Long.MAX_VALUE,
        Long.MAX_VALUE, Limits.cut(wide(100_000), Limits.ERROR_CHARS),
        Limits.cut(wide(100_000), Limits.RESULT_PREVIEW_CHARS), Integer.MAX_VALUE, Long.MAX_VALUE,
        Long.MAX_VALUE);
  }

  @Test
  void aStartWithTheLargestAcceptedStateFits() {
    int maxState = NodeSettings.fromConfig(DriftConfig.forNode(null, Map.of())).maxStateBytes();
    Payload state = new Payload("com.example." + "x".repeat(300), new byte[maxState]);
    fits(new Executor.Start(JobId.random(), Long.MAX_VALUE, wide(Limits.NAME_CHARS),
        "host-with-a-long-name.example.org:65535", state, Long.MAX_VALUE, Long.MAX_VALUE,
        Long.MAX_VALUE, any.ref().unsafeUpcast(), any.ref().unsafeUpcast()));
    fits(new Gateway.Submit(wide(Limits.NAME_CHARS), state, Long.MAX_VALUE, true,
        any.ref().unsafeUpcast()));
  }

  @Test
  void theLargestResultAndFailureFit() {
    Payload result = new Payload("com.example.Result", new byte[160 * 1024]); // the setting's cap
    fits(new Executor.Finished(JobId.random(), 1, result, 1, 1));
    fits(new HomeProxy.Completed(worstInfo(), result));
    fits(new Executor.Failed(JobId.random(), 1, Limits.cut(wide(1_000_000), Limits.ERROR_CHARS),
        Limits.cut(wide(1_000_000), Limits.STACK_TRACE_CHARS), 1, 1));
  }

  @Test
  void theLargestFileMessagesFit() {
    // a host sends a batch once it counts 128 KiB (data, and 3 bytes a path character); the
    // write that crosses the mark may carry 64 KiB and the longest path
    String path = wide(io.drift.api.HomePaths.MAX_CHARS);
    List<Executor.FileOp> ops = new ArrayList<>();
    long counted = 0;
    long seq = 1;
    while (counted < 128 * 1024) {
      ops.add(new Executor.FileOp(seq++, Executor.FileOpKind.APPEND, path, 0, new byte[1], 1));
      counted += 1 + 3 * path.length() + 32;
    }
    ops.add(new Executor.FileOp(seq, Executor.FileOpKind.WRITE, path, Long.MAX_VALUE,
        new byte[64 * 1024], Long.MAX_VALUE));
    fits(new Executor.FileOps(JobId.random(), Long.MAX_VALUE, ops, any.ref().unsafeUpcast()));
    fits(new Executor.FileReply(new byte[64 * 1024], Long.MAX_VALUE, null,
        wide(Limits.ERROR_CHARS), "missing"));
    List<String> names = new ArrayList<>();
    for (long chars = 0; chars <= 64 * 1024; chars += 255 + 8) {
      names.add(wide(255)); // a listing stops at 64 K characters of names
    }
    fits(new Executor.FileReply(null, 0, names, null, null));
    fits(new Executor.FileRequest(JobId.random(), Long.MAX_VALUE,
        Executor.FileRequestKind.READ, path, Long.MAX_VALUE, Integer.MAX_VALUE,
        any.ref().unsafeUpcast()));
  }

  @Test
  void theLargestOutputBatchesFit() {
    // a host flushes once a batch reaches 64 KiB of worst-case UTF-8; the line that crosses
    // the mark may be as long as a line can be
    int maxLine = 32 * 1024; // drift.executor.max-line-chars may not exceed this
    List<OutputLine> lines = new ArrayList<>();
    long seq = 1;
    int chars = 0;
    while (chars * 3L < 64 * 1024) {
      String text = Limits.cut(wide(maxLine + 100), maxLine);
      lines.add(new OutputLine(seq++, OutputLine.Stream.OUT, text));
      chars += text.length();
    }
    fits(new Executor.OutputBatch(JobId.random(), 1, lines, any.ref().unsafeUpcast()));
    fits(new HomeProxy.Output(JobId.random(), lines));
    fits(new Executor.OutputBatch(JobId.random(), 1, Collections.nCopies(256,
        new OutputLine(Long.MAX_VALUE, OutputLine.Stream.ERR, wide(Limits.BATCH_CHARS / 256))),
        any.ref().unsafeUpcast()));
  }

  @Test
  void aPageOfJobRecordsFits() {
    fits(new HomeManager.JobList("host:1", Integer.MAX_VALUE, 0,
        Collections.nCopies(Limits.JOBS_PER_PAGE, worstInfo())));
  }
}
