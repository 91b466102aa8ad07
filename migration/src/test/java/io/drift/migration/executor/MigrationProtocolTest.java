package io.drift.migration.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.drift.api.JobId;
import io.drift.api.OutputLine;
import io.drift.api.Step;
import io.drift.api.WorkContext;
import io.drift.api.WorkUnit;
import io.drift.migration.codec.StateCodec;
import io.drift.migration.executor.Executor.Command;
import io.drift.migration.executor.Executor.HostEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32C;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The transfer protocol between two executors in one actor system, with the test playing home
 * (and, for the failure cases, the target): the state arrives whole or the unit goes on at its
 * source.
 */
class MigrationProtocolTest {

  static final String SOURCE = "127.0.0.1:1";
  static final String TARGET = "127.0.0.1:2";
  static final Duration WAIT = Duration.ofSeconds(10);

  static ActorTestKit kit;
  static final StateCodec codec = new StateCodec();
  static final MigrationSettings SETTINGS = new MigrationSettings(1024, 4,
      Duration.ofMillis(300), Duration.ofSeconds(5), 64L * 1024 * 1024);
  static int jobs;

  @BeforeAll
  static void start() {
    kit = ActorTestKit.create("MigrationProtocolTest",
        ConfigFactory.parseString("pekko.loglevel = WARNING"));
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  /** A deterministic walk with a few KiB of state, so it moves in several 1 KiB chunks. */
  static final class Walk implements WorkUnit<Long> {
    private long steps;
    private long done;
    private long sum;
    private long[] history = new long[512];

    private Walk() {}

    Walk(long steps) {
      this.steps = steps;
      for (int i = 0; i < history.length; i++) {
        history[i] = Long.MAX_VALUE - i; // 9 bytes each in CBOR: a state of several KiB
      }
    }

    @Override
    public Step<Long> step(WorkContext ctx) {
      long end = System.nanoTime() + 200_000; // 0.2 ms a step: long enough to move mid-run
      while (System.nanoTime() < end) {
        Thread.onSpinWait();
      }
      done++;
      sum = sum * 31 + done * done;
      history[(int) (done % history.length)] = sum;
      if (done % 250 == 0) {
        ctx.out("at " + done + ": " + sum);
      }
      return done >= steps ? Step.done(sum) : Step.more();
    }
  }

  /** The result of a Walk computed here, without any executor. */
  static long expected(long steps) throws Exception {
    Walk w = new Walk(steps);
    WorkContext quiet = new WorkContext() {
      public void out(String line) {}

      public void err(String line) {}

      public void progress(double f) {}

      public JobId jobId() {
        return JobId.of("local");
      }

      public String hostName() {
        return "here";
      }
    };
    Step<Long> s;
    do {
      s = w.step(quiet);
    } while (!(s instanceof Step.Done<Long>));
    return ((Step.Done<Long>) s).result();
  }

  /** The same, with the side channel on for states of 1 KiB and more. */
  static final MigrationSettings SIDE = new MigrationSettings(1024, 4, Duration.ofMillis(300),
      Duration.ofSeconds(5), 64L * 1024 * 1024, 1024, 0, 0);

  static ActorRef<Command> executor(String self) {
    return executor(self, SETTINGS);
  }

  static ActorRef<Command> executor(String self, MigrationSettings m) {
    ExecutorSettings s = new ExecutorSettings(2, Duration.ofMillis(10), Duration.ofMillis(50), 16,
        8 * 1024, 64, Duration.ofSeconds(5), 200, 128 * 1024, 100, true);
    return kit.spawn(Executor.create(new SlotRunner(s, codec), codec, self, m));
  }

  record Running(JobId id, ActorRef<Command> source, TestProbe<HostEvent> home) {}

  static Running startOn(ActorRef<Command> source, long steps) throws Exception {
    JobId id = JobId.of("walk-" + ++jobs);
    TestProbe<HostEvent> home = kit.createTestProbe();
    TestProbe<Executor.StartReply> reply = kit.createTestProbe();
    source.tell(new Executor.Start(id, 1, "walk", SOURCE, codec.encode(new Walk(steps)), 1, 0, 0,
        home.ref(), reply.ref()));
    assertInstanceOf(Executor.Accepted.class, reply.receiveMessage(WAIT));
    return new Running(id, source, home);
  }

  /**
   * Plays home until the job ends: acknowledges output, and answers a Relocate as a HomeProxy
   * would (record the target under epoch 2, then start it there). Returns the last event.
   */
  static HostEvent playHome(Running r, List<OutputLine> lines, AtomicReference<String> relocatedTo) {
    for (int i = 0; i < 10_000; i++) {
      HostEvent e = r.home().receiveMessage(WAIT);
      if (e instanceof Executor.OutputBatch b) {
        lines.addAll(b.lines());
        b.ackTo().tell(new Executor.OutputAck(b.jobId(), b.epoch(),
            b.lines().get(b.lines().size() - 1).seq()));
      } else if (e instanceof Executor.Relocate rel) {
        long recorded = lines.isEmpty() ? 0 : lines.get(lines.size() - 1).seq();
        assertEquals(recorded, rel.lastSeq(), "the source sent every line before asking");
        relocatedTo.set(rel.targetNode());
        rel.replyTo().tell(new Transfer.Relocated(rel.transferId(), 2));
        TestProbe<Executor.StartReply> started = kit.createTestProbe();
        rel.target().tell(new Executor.StartReceived(rel.transferId(), r.id(), 2, "walk", SOURCE,
            r.home().ref(), started.ref()));
        assertEquals(new Executor.Accepted(r.id(), 2, rel.targetNode()),
            started.receiveMessage(WAIT));
      } else if (!(e instanceof Executor.Report)) {
        return e;
      }
    }
    throw new AssertionError("the job never ended");
  }

  @Test
  void aUnitMovesBetweenTwoExecutorsAndFinishesThereWithTheSameResult() throws Exception {
    movesAndFinishes(SETTINGS, false);
  }

  @Test
  void aUnitMovesOverTheSideChannelAndFinishesWithTheSameResult() throws Exception {
    movesAndFinishes(SIDE, true);
  }

  void movesAndFinishes(MigrationSettings settings, boolean viaSideChannel) throws Exception {
    ActorRef<Command> a = executor(SOURCE, settings);
    ActorRef<Command> b = executor(TARGET, settings);
    Running r = startOn(a, 2_000);
    TestProbe<Executor.MigrateResult> asked = kit.createTestProbe();
    a.tell(new Executor.MigrateOut(r.id(), 1, TARGET, b, false, asked.ref()));

    List<OutputLine> lines = new ArrayList<>();
    AtomicReference<String> movedTo = new AtomicReference<>();
    Executor.Finished end = assertInstanceOf(Executor.Finished.class, playHome(r, lines, movedTo));
    assertEquals(TARGET, movedTo.get());
    assertEquals(2, end.epoch(), "it finished at the target, under the new epoch");
    assertEquals(expected(2_000), codec.decode(end.result(), getClass().getClassLoader()));
    assertEquals(2_000, end.steps(), "steps carry over");
    Executor.Migrated m = assertInstanceOf(Executor.Migrated.class, asked.receiveMessage(WAIT));
    assertEquals(2, m.newEpoch());
    assertEquals(viaSideChannel, m.viaSideChannel());
    assertTrue(m.bytes() > 4 * 1024, "several chunks: " + m.bytes());
    assertEquals(8, lines.size());
    for (int i = 0; i < lines.size(); i++) {
      assertEquals(i + 1, lines.get(i).seq(), "one numbering across the move");
    }
    kit.stop(a);
    kit.stop(b);
  }

  /**
   * Once home has relocated the unit, the target's copy is the only one: a target that stopped
   * taking guests between the transfer and the start (its cluster isolated, as CI once hit)
   * must start it all the same, and then send it home, never refuse it and lose it.
   */
  @Test
  void aTargetThatClosesToGuestsAfterTheTransferStartsTheUnitAndThenSendsItHome()
      throws Exception {
    ActorRef<Command> a = executor(SOURCE);
    ActorRef<Command> b = executor(TARGET);
    Running r = startOn(a, 2_000);
    TestProbe<Executor.MigrateResult> asked = kit.createTestProbe();
    a.tell(new Executor.MigrateOut(r.id(), 1, TARGET, b, false, asked.ref()));
    Executor.MoveWanted wanted = null;
    boolean started = false;
    for (int i = 0; i < 10_000 && wanted == null; i++) {
      HostEvent e = r.home().receiveMessage(WAIT);
      if (e instanceof Executor.OutputBatch o) {
        o.ackTo().tell(new Executor.OutputAck(o.jobId(), o.epoch(),
            o.lines().get(o.lines().size() - 1).seq()));
      } else if (e instanceof Executor.Relocate rel) {
        rel.replyTo().tell(new Transfer.Relocated(rel.transferId(), 2));
        b.tell(new Executor.SetGuestGate((home, units, full) -> "cluster B is isolated"));
        TestProbe<Executor.StartReply> reply = kit.createTestProbe();
        rel.target().tell(new Executor.StartReceived(rel.transferId(), r.id(), 2, "walk", SOURCE,
            r.home().ref(), reply.ref()));
        assertEquals(new Executor.Accepted(r.id(), 2, TARGET), reply.receiveMessage(WAIT),
            "the only copy starts although the target takes no new guests");
        started = true;
        b.tell(new Executor.RecheckGuests());
      } else if (e instanceof Executor.MoveWanted m) {
        wanted = m;
      } else {
        assertInstanceOf(Executor.Report.class, e, "the job ended before it went home: " + e);
      }
    }
    assertTrue(started, "the unit was never relocated");
    assertEquals(new Executor.MoveWanted(r.id(), 2, "home", wanted.outcome()), wanted,
        "the guest the target no longer takes goes home");
    assertInstanceOf(Executor.Migrated.class, asked.receiveMessage(WAIT));
    kit.stop(a);
    kit.stop(b);
  }

  record Attempt(FakeTarget target, TestProbe<Executor.MigrateResult> asked,
      Executor.Reserve reserve) {}

  /** Asks the source to move the job to a fake target, and takes the reservation there. */
  static Attempt moveToAFakeTarget(ActorRef<Command> source, Running r) {
    FakeTarget t = FakeTarget.create();
    TestProbe<Executor.MigrateResult> asked = kit.createTestProbe();
    source.tell(new Executor.MigrateOut(r.id(), 1, TARGET, t.executor().ref(), false, asked.ref()));
    return new Attempt(t, asked, t.reserve());
  }

  /** A fake target: answers the reservation with a probe as its inbound side. */
  record FakeTarget(TestProbe<Command> executor, TestProbe<Transfer.InboundCommand> inbound) {
    static FakeTarget create() {
      return new FakeTarget(kit.createTestProbe(), kit.createTestProbe());
    }

    Executor.Reserve reserve() {
      return executor.expectMessageClass(Executor.Reserve.class, WAIT);
    }
  }

  /** The job goes on at the source and finishes there under epoch 1 with the right result. */
  static void finishesAtTheSource(Running r, long steps) throws Exception {
    HostEvent end = playHome(r, new ArrayList<>(), new AtomicReference<>());
    Executor.Finished f = assertInstanceOf(Executor.Finished.class, end);
    assertEquals(1, f.epoch());
    assertEquals(expected(steps), codec.decode(f.result(), MigrationProtocolTest.class.getClassLoader()));
  }

  @Test
  void aCorruptChunkLeavesTheUnitRunningAtItsSource() throws Exception {
    ActorRef<Command> a = executor(SOURCE);
    Running r = startOn(a, 2_000);
    Attempt move = moveToAFakeTarget(a, r);
    FakeTarget t = move.target();
    TestProbe<Executor.MigrateResult> asked = move.asked();
    Executor.Reserve res = move.reserve();
    res.replyTo().tell(new Transfer.Reserved(res.transferId(), t.inbound().ref(), null));
    Transfer.Chunk c = t.inbound().expectMessageClass(Transfer.Chunk.class, WAIT);
    c.replyTo().tell(new Transfer.Corrupt(c.transferId(), "chunk 0 failed its checksum"));

    Executor.NotMigrated no = assertInstanceOf(Executor.NotMigrated.class, asked.receiveMessage(WAIT));
    assertTrue(no.reason().contains("chunk 0 failed its checksum"), no.reason());
    finishesAtTheSource(r, 2_000);
    kit.stop(a);
  }

  @Test
  void aSideChannelThatCannotBeReachedLeavesTheUnitRunningAtItsSource() throws Exception {
    ActorRef<Command> a = executor(SOURCE, SIDE);
    Running r = startOn(a, 2_000);
    Attempt move = moveToAFakeTarget(a, r);
    FakeTarget t = move.target();
    TestProbe<Executor.MigrateResult> asked = move.asked();
    Executor.Reserve res = move.reserve();
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    res.replyTo().tell(new Transfer.Reserved(res.transferId(), t.inbound().ref(),
        new Transfer.SideOffer("127.0.0.1", closedPort, "00".repeat(16))));

    String why = assertInstanceOf(Executor.NotMigrated.class, asked.receiveMessage(WAIT)).reason();
    assertTrue(why.contains("the side channel to " + TARGET + " failed"), why);
    assertInstanceOf(Transfer.Abort.class, t.inbound().receiveMessage(WAIT));
    finishesAtTheSource(r, 2_000);
    kit.stop(a);
  }

  @Test
  void aTargetThatRefusesOrDoesNotAnswerLeavesTheUnitWhereItIs() throws Exception {
    ActorRef<Command> a = executor(SOURCE);
    Running r = startOn(a, 2_500);
    Attempt move = moveToAFakeTarget(a, r);
    FakeTarget t = move.target();
    TestProbe<Executor.MigrateResult> asked = move.asked();
    Executor.Reserve res = move.reserve();
    res.replyTo().tell(new Transfer.ReserveRefused(res.transferId(), "node is full"));
    assertEquals("node is full",
        assertInstanceOf(Executor.NotMigrated.class, asked.receiveMessage(WAIT)).reason());

    a.tell(new Executor.MigrateOut(r.id(), 1, TARGET, t.executor().ref(), false, asked.ref()));
    t.reserve(); // and no answer
    String why = assertInstanceOf(Executor.NotMigrated.class, asked.receiveMessage(WAIT)).reason();
    assertTrue(why.contains("did not answer the reservation"), why);
    finishesAtTheSource(r, 2_500);
    kit.stop(a);
  }

  @Test
  void whenHomeRefusesTheRelocationTheSourceResumesAndTheTargetDropsTheState() throws Exception {
    ActorRef<Command> a = executor(SOURCE);
    Running r = startOn(a, 2_000);
    Attempt move = moveToAFakeTarget(a, r);
    FakeTarget t = move.target();
    TestProbe<Executor.MigrateResult> asked = move.asked();
    Executor.Reserve res = move.reserve();
    res.replyTo().tell(new Transfer.Reserved(res.transferId(), t.inbound().ref(), null));
    for (int i = 0; i < 10_000; i++) { // acknowledge every chunk, then confirm the whole
      Transfer.InboundCommand m = t.inbound().receiveMessage(WAIT);
      if (m instanceof Transfer.Chunk c) {
        c.replyTo().tell(new Transfer.ChunkAck(c.transferId(), c.index()));
      } else {
        Transfer.Complete done = assertInstanceOf(Transfer.Complete.class, m);
        done.replyTo().tell(new Transfer.Received(done.transferId()));
        break;
      }
    }
    Executor.Relocate rel = null;
    while (rel == null) {
      HostEvent e = r.home().receiveMessage(WAIT);
      if (e instanceof Executor.OutputBatch b) {
        b.ackTo().tell(new Executor.OutputAck(b.jobId(), 1, b.lines().get(b.lines().size() - 1).seq()));
      } else if (e instanceof Executor.Relocate x) {
        rel = x;
      }
    }
    rel.replyTo().tell(new Transfer.RelocateRefused(rel.transferId(), "the job is being cancelled"));
    assertEquals(new Executor.Discard(rel.transferId()),
        t.executor().expectMessageClass(Executor.Discard.class, WAIT));
    String why = assertInstanceOf(Executor.NotMigrated.class, asked.receiveMessage(WAIT)).reason();
    assertTrue(why.contains("the job is being cancelled"), why);
    finishesAtTheSource(r, 2_000);
    kit.stop(a);
  }

  @Test
  void aStateOverTheMaximumIsRefusedWithoutStoppingTheUnit() throws Exception {
    MigrationSettings small = new MigrationSettings(1024, 4, Duration.ofMillis(300),
        Duration.ofSeconds(5), 2048); // the Walk's state is several KiB
    ActorRef<Command> a = executor(SOURCE, small);
    Running r = startOn(a, 2_000);
    Attempt move = moveToAFakeTarget(a, r);
    FakeTarget t = move.target();
    TestProbe<Executor.MigrateResult> asked = move.asked();
    Executor.Reserve res = move.reserve();
    res.replyTo().tell(new Transfer.Reserved(res.transferId(), t.inbound().ref(), null));

    String why = assertInstanceOf(Executor.NotMigrated.class, asked.receiveMessage(WAIT)).reason();
    assertTrue(why.contains("over drift.migration.max-state-bytes (2048); the unit did not stop"),
        why);
    assertInstanceOf(Transfer.Abort.class, t.inbound().receiveMessage(WAIT));
    t.inbound().expectNoMessage(Duration.ofMillis(100)); // no chunk ever left
    finishesAtTheSource(r, 2_000);
    kit.stop(a);
  }

  // ---- the inbound side alone ---------------------------------------------------------------

  static long crc(byte[] b) {
    CRC32C c = new CRC32C();
    c.update(b);
    return c.getValue();
  }

  @Test
  void inboundChecksEveryChunkAndTheWhole() {
    TestProbe<Transfer.OutboundEvent> source = kit.createTestProbe();
    AtomicReference<byte[]> got = new AtomicReference<>();
    byte[] a = {1, 2, 3};
    byte[] b = {4, 5};
    byte[] whole = {1, 2, 3, 4, 5};
    Transfer.CheckpointHeader h = new Transfer.CheckpointHeader(Transfer.VERSION, JobId.of("j"),
        1, "x.Y", 10, 20, 30, whole.length, crc(whole));

    ActorRef<Transfer.InboundCommand> ok = kit.spawn(Inbound.create("t1", SETTINGS,
        (header, state) -> got.set((byte[]) state), () -> {}));
    ok.tell(new Transfer.Chunk("t1", 0, a, crc(a), source.ref()));
    ok.tell(new Transfer.Chunk("t1", 1, b, crc(b), source.ref()));
    ok.tell(new Transfer.Complete("t1", h, false, source.ref()));
    assertEquals(new Transfer.ChunkAck("t1", 0), source.receiveMessage(WAIT));
    assertEquals(new Transfer.ChunkAck("t1", 1), source.receiveMessage(WAIT));
    assertEquals(new Transfer.Received("t1"), source.receiveMessage(WAIT));
    assertEquals(List.of(1, 2, 3, 4, 5), toList(got.get()));

    assertCorrupt(new Transfer.Chunk("t2", 0, a, crc(a) ^ 1, source.ref()), null, source,
        "chunk 0 failed its checksum");
    assertCorrupt(new Transfer.Chunk("t3", 1, b, crc(b), source.ref()), null, source,
        "chunk 1 came, 0 was due");
    Transfer.CheckpointHeader wrongCrc = new Transfer.CheckpointHeader(Transfer.VERSION,
        JobId.of("j"), 1, "x.Y", 10, 20, 30, a.length, crc(a) ^ 1);
    assertCorrupt(new Transfer.Chunk("t4", 0, a, crc(a), source.ref()),
        new Transfer.Complete("t4", wrongCrc, false, source.ref()), source, "failed its checksum");
    Transfer.CheckpointHeader wrongSize = new Transfer.CheckpointHeader(Transfer.VERSION,
        JobId.of("j"), 1, "x.Y", 10, 20, 30, 99, crc(a));
    assertCorrupt(new Transfer.Chunk("t5", 0, a, crc(a), source.ref()),
        new Transfer.Complete("t5", wrongSize, false, source.ref()), source, "the header says 99");
  }

  @Test
  void inboundChecksWhatTheSideChannelBrought() {
    TestProbe<Transfer.OutboundEvent> source = kit.createTestProbe();
    byte[] whole = {1, 2, 3, 4, 5};
    Transfer.CheckpointHeader h = new Transfer.CheckpointHeader(Transfer.VERSION, JobId.of("j"),
        1, "x.Y", 10, 20, 30, whole.length, crc(whole));
    for (boolean completeFirst : new boolean[] {true, false}) {
      AtomicReference<byte[]> got = new AtomicReference<>();
      ActorRef<Transfer.InboundCommand> in = kit.spawn(Inbound.create("s", SETTINGS,
          (header, state) -> got.set((byte[]) state), () -> {}));
      Transfer.SideArrival arrival = new Transfer.SideArrival(
          new SideChannel.Arrived(whole.clone(), whole.length, crc(whole)));
      Transfer.Complete complete = new Transfer.Complete("s", h, true, source.ref());
      in.tell(completeFirst ? complete : arrival);
      in.tell(completeFirst ? arrival : complete);
      assertEquals(new Transfer.Received("s"), source.receiveMessage(WAIT), "either order");
      assertEquals(List.of(1, 2, 3, 4, 5), toList(got.get()));
    }
    assertSideCorrupt(new SideChannel.Arrived(whole.clone(), whole.length, crc(whole) ^ 1), h, source,
        "failed its checksum");
    assertSideCorrupt(new SideChannel.Arrived(new byte[] {1, 2, 3}, 3, crc(new byte[] {1, 2, 3})), h,
        source, "the state is 3 bytes, the header says 5");
    assertSideCorrupt(new SideChannel.Broken("the side channel broke after part of the state"), h,
        source, "broke after part");
  }

  static void assertSideCorrupt(SideChannel.Arrival arrival, Transfer.CheckpointHeader h,
      TestProbe<Transfer.OutboundEvent> source, String why) {
    AtomicReference<byte[]> got = new AtomicReference<>();
    java.util.concurrent.atomic.AtomicBoolean stopped = new java.util.concurrent.atomic.AtomicBoolean();
    ActorRef<Transfer.InboundCommand> in = kit.spawn(Inbound.create("c", SETTINGS,
        (header, state) -> got.set((byte[]) state), () -> stopped.set(true)));
    in.tell(new Transfer.SideArrival(arrival));
    in.tell(new Transfer.Complete("c", h, true, source.ref()));
    Transfer.Corrupt c = assertInstanceOf(Transfer.Corrupt.class, source.receiveMessage(WAIT));
    assertTrue(c.reason().contains(why), c.reason());
    assertEquals(null, got.get(), "nothing partial is handed on");
    source.expectTerminated(in, WAIT);
    assertTrue(stopped.get(), "the offer is withdrawn when the transfer ends");
  }

  static void assertCorrupt(Transfer.Chunk first, Transfer.Complete then,
      TestProbe<Transfer.OutboundEvent> source, String why) {
    AtomicReference<byte[]> got = new AtomicReference<>();
    ActorRef<Transfer.InboundCommand> in = kit.spawn(Inbound.create(first.transferId(), SETTINGS,
        (header, state) -> got.set((byte[]) state), () -> {}));
    in.tell(first);
    Transfer.OutboundEvent e = source.receiveMessage(WAIT);
    if (then != null) {
      assertInstanceOf(Transfer.ChunkAck.class, e);
      in.tell(then);
      e = source.receiveMessage(WAIT);
    }
    Transfer.Corrupt c = assertInstanceOf(Transfer.Corrupt.class, e);
    assertTrue(c.reason().contains(why), c.reason());
    assertEquals(null, got.get(), "nothing partial is handed on");
    source.expectTerminated(in, WAIT);
  }

  static List<Integer> toList(byte[] b) {
    List<Integer> l = new ArrayList<>();
    for (byte x : b) {
      l.add((int) x);
    }
    return l;
  }
}
