package io.drift.migration.executor;

import io.drift.api.JobId;
import io.drift.api.OutputLine;
import io.drift.api.WorkUnit;
import io.drift.migration.ExecutorWire;
import io.drift.migration.codec.Payload;
import io.drift.migration.codec.StateCodec;
import io.drift.migration.codec.StateCodecException;
import io.drift.migration.code.CodeStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * The node's executor: accepts units placed here by their homes, runs them on the
 * {@link SlotRunner}'s threads, and speaks for them to their homes (output, progress, end).
 * Start, cancel and output acknowledgements come from homes on any node.
 */
public final class Executor extends AbstractBehavior<Executor.Command> {

  /** The logger getLog gives this class, asked only whether it would write debug lines. */
  private static final org.slf4j.Logger DEBUG = org.slf4j.LoggerFactory.getLogger(Executor.class);

  public sealed interface Command {}

  /**
   * Run this unit here under {@code epoch}. Numbering of its output continues at {@code firstSeq}
   * and its CPU time at {@code cpuNanosSoFar}, so a unit restarted elsewhere keeps its counts.
   * A new placement carries the run queue its home believed this node has ({@code
   * believedRunQueue}); the node refuses it when it is busier, and says how busy, so the home
   * places again with the truth. {@link #NO_BELIEF} (restarts, thaws, retries past the last)
   * skips that check.
   */
  public record Start(
      JobId jobId,
      long epoch,
      String jobName,
      String homeNode,
      Payload unit,
      long firstSeq,
      long cpuNanosSoFar,
      long stepsSoFar,
      int believedRunQueue,
      long firstFileSeq,
      String code,
      ActorRef<HostEvent> home,
      ActorRef<StartReply> replyTo)
      implements Command, ExecutorWire {

    public Start(JobId jobId, long epoch, String jobName, String homeNode, Payload unit,
        long firstSeq, long cpuNanosSoFar, long stepsSoFar, int believedRunQueue,
        ActorRef<HostEvent> home, ActorRef<StartReply> replyTo) {
      this(jobId, epoch, jobName, homeNode, unit, firstSeq, cpuNanosSoFar, stepsSoFar,
          believedRunQueue, 1, null, home, replyTo);
    }

    public Start(JobId jobId, long epoch, String jobName, String homeNode, Payload unit,
        long firstSeq, long cpuNanosSoFar, long stepsSoFar, ActorRef<HostEvent> home,
        ActorRef<StartReply> replyTo) {
      this(jobId, epoch, jobName, homeNode, unit, firstSeq, cpuNanosSoFar, stepsSoFar, NO_BELIEF,
          1, null, home, replyTo);
    }
  }

  /*
   * Job code: a message that carries a unit's state also carries its job's code, the SHA-256
   * of the jar its classes come from (null: Drift's own class path). A node that lacks the jar
   * fetches it from the job's home ({@link FetchCode}) before it takes the state.
   */

  /** A piece of a job's jar, from {@code offset}; its home answers with a {@link CodeChunk}. */
  public record FetchCode(JobId jobId, long epoch, String hash, long offset,
      ActorRef<CodeChunk> replyTo) implements HostEvent {}

  /** {@code error} non-null: home does not serve that jar, and why. */
  public record CodeChunk(byte[] data, long total, String error) implements ExecutorWire {}

  /** How long home holds a request for input lines it does not have yet. */
  public static final java.time.Duration LINE_WAIT = java.time.Duration.ofSeconds(5);

  /** No belief about the target's run queue: the start is not checked against one. */
  public static final int NO_BELIEF = -1;

  public sealed interface StartReply extends ExecutorWire {
    JobId jobId();

    long epoch();
  }

  public record Accepted(JobId jobId, long epoch, String host) implements StartReply {}

  /**
   * {@code runQueue}: the node's runnable units when it refused because it was busier than the
   * home believed; {@link #NO_BELIEF} when it refused for another reason.
   */
  public record Refused(JobId jobId, long epoch, String host, String reason, int runQueue,
      boolean stateRejected) implements StartReply {

    public Refused(JobId jobId, long epoch, String host, String reason) {
      this(jobId, epoch, host, reason, NO_BELIEF, false);
    }

    public Refused(JobId jobId, long epoch, String host, String reason, int runQueue) {
      this(jobId, epoch, host, reason, runQueue, false);
    }

    /**
     * The unit's state itself cannot run (it does not decode, or is not a unit): no other
     * node would do better, so home fails the job with the reason instead of placing it again.
     */
    public static Refused stateRejected(JobId jobId, long epoch, String host, String reason) {
      return new Refused(jobId, epoch, host, reason, NO_BELIEF, true);
    }

    /** Refused only for being busier than believed: another try may pick it again. */
    public boolean busierThanBelieved() {
      return runQueue >= 0;
    }
  }

  /** Stop the unit at its next step boundary; its home hears {@link Cancelled}. */
  public record Cancel(JobId jobId, long epoch) implements Command, ExecutorWire {}

  /** Home has recorded output lines up to {@code uptoSeq}. */
  public record OutputAck(JobId jobId, long epoch, long uptoSeq) implements Command, ExecutorWire {}

  /** Pause a unit at its next step boundary (the first half of a migration or freeze). */
  public record Pause(JobId jobId, ActorRef<PauseReply> replyTo) implements Command, ExecutorWire {}

  public sealed interface PauseReply extends ExecutorWire {}

  public record Paused(JobId jobId, long epoch, long cpuNanos, long steps) implements PauseReply {}

  public record NotHere(JobId jobId) implements PauseReply {}

  /** Let a paused unit run again. */
  public record Resume(JobId jobId) implements Command, ExecutorWire {}

  public record GetUnits(ActorRef<Units> replyTo) implements Command, ExecutorWire {}

  /**
   * Empty this node: take no new unit, and ask the home of every unit here to move it
   * elsewhere (home picks the node), again every second for those still here; answer
   * {@link Drained} once none is left, or when {@code within} has passed.
   */
  public record Drain(java.time.Duration within, ActorRef<Drained> replyTo) implements Command {}

  /** {@code left}: units still here (none: drained); {@code notes}: why some did not move. */
  public record Drained(int left, List<String> notes) {}

  /**
   * The operator's switches on this node's executor: {@code blocked} (MOSIX: block/noblock)
   * takes no new guests; units here stay. Answered with the node's {@link Flags}.
   */
  public record SetBlocked(boolean blocked, ActorRef<Flags> replyTo) implements Command {}

  /**
   * Whose guests this node takes, beyond {@code accept-guests}: for a job homed at another
   * node, why not (its home's cluster is no partner that this one takes jobs from), or null.
   * Local only: the node sets it at start (a grid's partner table, decision 0023).
   */
  /**
   * Which guests a node takes beyond its own switches (a grid's terms): why not a unit whose
   * home is {@code homeNode}, or null. {@code unitHomes}: the homes of the units here now;
   * {@code full}: no slot is free.
   */
  @FunctionalInterface
  public interface GuestGate {
    String refusal(String homeNode, List<String> unitHomes, boolean full);
  }

  public record SetGuestGate(GuestGate refusal)
      implements Command {}

  /** This node's switches and what runs here. */
  public record GetFlags(ActorRef<Flags> replyTo) implements Command {}

  /**
   * {@code acceptsGuests}: blocked, draining and {@code drift.executor.accept-guests} together.
   */
  public record Flags(String node, boolean blocked, boolean draining, boolean acceptsGuests,
      int units, int guests, int slots) {}

  /**
   * Send every guest away (MOSIX: expel): the node blocks, and asks the home of each guest to
   * move it elsewhere, again each second, until none is left or {@code within} is over. Its own
   * jobs' units stay.
   */
  public record Expel(java.time.Duration within, ActorRef<Drained> replyTo) implements Command {}

  private record ExpelTick() implements Command {}

  /** The node's own word for a move to wherever home finds best, but not here. */
  public static final String ELSEWHERE = "elsewhere";

  private record DrainTick() implements Command {}

  public record Units(String host, int slots, List<UnitInfo> units) implements ExecutorWire {}

  /** {@code homeNode}: where its home is ({@code host:port}). */
  public record UnitInfo(JobId jobId, String name, long epoch, boolean guest, String phase,
      String homeNode) {}

  /**
   * Move this job's unit to {@code target} (DESIGN, Migration); with {@code toDisk}, the target
   * is the job's home node, which will keep the state on disk (freeze) rather than run it. Home sends it; the answer is
   * {@link Migrated} or {@link NotMigrated} with the reason.
   */
  public record MigrateOut(JobId jobId, long epoch, String targetNode, ActorRef<Command> target,
      boolean toDisk, ActorRef<MigrateResult> replyTo) implements Command, ExecutorWire {}

  public sealed interface MigrateResult extends ExecutorWire {
    JobId jobId();
  }

  /** Moved: the unit runs at {@code target} under {@code newEpoch}. */
  public record Migrated(JobId jobId, long newEpoch, String target, long bytes, long pausedMillis,
      boolean viaSideChannel)
      implements MigrateResult {}

  /** Not moved; the unit goes on where it was (unless it ended). */
  public record NotMigrated(JobId jobId, long epoch, String reason) implements MigrateResult {}

  /**
   * A source asks this node, the target, to take a unit's state: to run it, or with {@code
   * toDisk} (this node being the job's home) to freeze it.
   */
  public record Reserve(String transferId, JobId jobId, String homeNode, boolean toDisk,
      String code, ActorRef<HostEvent> home, ActorRef<Transfer.OutboundEvent> replyTo)
      implements Command, ExecutorWire {

    public Reserve(String transferId, JobId jobId, String homeNode, boolean toDisk,
        ActorRef<Transfer.OutboundEvent> replyTo) {
      this(transferId, jobId, homeNode, toDisk, null, null, replyTo);
    }
  }

  /**
   * Home has recorded the job as frozen under {@code epoch}: write the state received for this
   * transfer to the frozen store. Answer {@link FrozenToDisk}, or {@link NotFrozen} and keep the
   * state, so home can start it here instead.
   */
  public record FreezeReceived(String transferId, JobId jobId, long epoch,
      ActorRef<FreezeReply> replyTo) implements Command, ExecutorWire {}

  public sealed interface FreezeReply extends ExecutorWire {
    JobId jobId();

    long epoch();
  }

  public record FrozenToDisk(JobId jobId, long epoch, long bytes, String file) implements FreezeReply {}

  public record NotFrozen(JobId jobId, long epoch, String reason) implements FreezeReply {}

  /** Run the frozen unit of this job, read back from the frozen store, under {@code epoch}. */
  public record Thaw(JobId jobId, long epoch, String jobName, String homeNode,
      long firstFileSeq, String code, ActorRef<HostEvent> home, ActorRef<StartReply> replyTo)
      implements Command, ExecutorWire {

    public Thaw(JobId jobId, long epoch, String jobName, String homeNode,
        ActorRef<HostEvent> home, ActorRef<StartReply> replyTo) {
      this(jobId, epoch, jobName, homeNode, 1, null, home, replyTo);
    }
  }

  /** The job ended while frozen: delete its file. */
  public record DeleteFrozen(JobId jobId) implements Command, ExecutorWire {}

  private record FreezeWritten(FreezeReceived request, InboundReady state, String file,
      Throwable error) implements Command {}

  /** A frozen unit read back and decoded (off this actor's thread), or why not. */
  private record ThawRead(Thaw request, Transfer.CheckpointHeader header, Object unit,
      Throwable error) implements Command {}

  /** Home has recorded this node for the job under {@code epoch}: run the state received. */
  public record StartReceived(String transferId, JobId jobId, long epoch, String jobName,
      String homeNode, long firstFileSeq, String code, ActorRef<HostEvent> home,
      ActorRef<StartReply> replyTo) implements Command, ExecutorWire {

    public StartReceived(String transferId, JobId jobId, long epoch, String jobName,
        String homeNode, ActorRef<HostEvent> home, ActorRef<StartReply> replyTo) {
      this(transferId, jobId, epoch, jobName, homeNode, 1, null, home, replyTo);
    }
  }

  /** Forget a state received for a transfer that home did not take. */
  public record Discard(String transferId) implements Command, ExecutorWire {}

  /**
   * From this node's {@link Outbound}: checkpoint the unit at its next step boundary if its
   * state is at most {@code maxBytes} (then it stays paused), else leave it running.
   */
  record TakeCheckpoint(JobId jobId, long epoch, long maxBytes, long keepUpTo,
      ActorRef<CheckpointReply> replyTo) implements Command {}

  sealed interface CheckpointReply {}

  /** Paused; {@code state} is null when over {@code keepUpTo}: then only its size is known. */
  record Taken(Payload state, long size, long stoppedAtNanos) implements CheckpointReply {}

  record TooLarge(long bytes) implements CheckpointReply {}

  record NotTaken(String why) implements CheckpointReply {}

  /** A slot thread answered a checkpoint request. */
  private record CheckpointDone(UnitTask task, CheckpointReply reply,
      ActorRef<CheckpointReply> replyTo) implements Command {}

  /** From this node's {@link Outbound}: home relocated the job; forget the paused unit. */
  record DropMigrated(JobId jobId, long epoch) implements Command {}

  /** A state received whole: its bytes, or (over the side channel) the unit already decoded. */
  private record InboundReady(String transferId, String homeNode, Transfer.CheckpointHeader header,
      Object state) implements Command {}

  private record ReceivedExpired(String transferId) implements Command {}

  /** An outbound transfer is over (it says so before it answers, and its watch says it too). */
  record OutboundGone(JobId jobId, ActorRef<Outbound.Msg> transfer) implements Command {}

  private record UnitPaused(UnitTask task) implements Command {}

  private record HomeLeft(String node) implements Command {}

  /** A job's jar is here now ({@code error} null), or could not be fetched: handle again. */
  private record CodeFetched(Command retry, String hash, Throwable error) implements Command {}

  private record SweepLoaders() implements Command {}

  private record UnitEnded(UnitTask task) implements Command {}

  /** What a host tells a job's home. Every event carries the epoch it was sent under. */
  public sealed interface HostEvent extends ExecutorWire {
    JobId jobId();

    long epoch();
  }

  public record OutputBatch(
      JobId jobId, long epoch, List<OutputLine> lines, ActorRef<Command> ackTo)
      implements HostEvent {}

  public record Report(JobId jobId, long epoch, double progress, long cpuNanos, long steps)
      implements HostEvent {}

  /** {@code result} is at most {@code drift.executor.max-result-bytes}. */
  public record Finished(JobId jobId, long epoch, Payload result, long cpuNanos, long steps)
      implements HostEvent {}

  /** {@code error} and {@code stackTrace} are cut to {@link io.drift.migration.Limits}. */
  public record Failed(
      JobId jobId, long epoch, String error, String stackTrace, long cpuNanos, long steps)
      implements HostEvent {}

  public record Cancelled(JobId jobId, long epoch, long cpuNanos, long steps) implements HostEvent {}

  /**
   * The unit's state between two steps, for home to restart it from if this host dies: the
   * output line and file write it would number next, and its counts. Sent after the output and
   * writes it follows, so home has those first.
   */
  public record Checkpoint(JobId jobId, long epoch, Payload state, long nextSeq,
      long nextFileSeq, long nextInputLine, long cpuNanos, long steps) implements HostEvent {}

  /**
   * A checkpoint whose state is too large for a message: home answers where to send the state
   * ({@link FileDataReply}), and once it has arrived there keeps it as it would a {@link
   * Checkpoint} with these numbers.
   */
  public record CheckpointOffer(JobId jobId, long epoch, String className, long bytes,
      long nextSeq, long nextFileSeq, long nextInputLine, long cpuNanos, long steps,
      ActorRef<FileDataReply> replyTo) implements HostEvent {}

  /** The largest state a {@link Start} carries: it travels in one Artery message. */
  public static final int MAX_START_STATE_BYTES = 192 * 1024;

  /**
   * Lines of the job's standard input from index {@code from} (counting from 0), or from
   * where its last host or checkpoint left off ({@code from} -1), at most {@code max}. Home
   * answers {@link Lines} when it has one, when the input has ended, or when its wait is over
   * (with none).
   */
  public record LineRequest(JobId jobId, long epoch, long from, int max,
      ActorRef<Lines> replyTo) implements HostEvent {}

  /** {@code lines} from index {@code from}; {@code ended}: no line follows them. */
  public record Lines(long from, List<String> lines, boolean ended) implements ExecutorWire {}

  /**
   * One write to the job's home files; numbered from 1 per job, applied once and in order. A
   * call with more data than one message carries is cut into several: the first carries the
   * call's whole size in {@code callBytes}, so home takes or refuses the call whole, and the
   * others carry -1.
   */
  public record FileOp(long seq, FileOpKind kind, String path, long offset, byte[] data,
      long callBytes) implements ExecutorWire {}

  public enum FileOpKind { APPEND, WRITE, DELETE }

  /** Writes to the job's home files, in order; home answers {@link FileAck} to {@code ackTo}. */
  public record FileOps(JobId jobId, long epoch, List<FileOp> ops, ActorRef<Command> ackTo)
      implements HostEvent {}

  /**
   * Home applied the job's file writes up to {@code uptoSeq}; {@code error}, if not null, is
   * why one of them was refused (the unit hears it at its next call).
   */
  public record FileAck(JobId jobId, long epoch, long uptoSeq, String error)
      implements Command, ExecutorWire {}

  /**
   * READ: a piece; STREAM: a range sent over the side channel as a {@link FileStream} (or, if
   * little, in the reply), for a unit reading sequentially; SIZE; LIST.
   */
  public enum FileRequestKind { READ, STREAM, SIZE, LIST }

  /**
   * A read of the job's home files; answered with {@link FileReply}. A STREAM with {@code side}
   * (the host's side channel, expecting it) gets the range there as a {@link FileStream}, the
   * reply over Artery carrying only its {@code size}; or the data in the reply, if little.
   */
  public record FileRequest(JobId jobId, long epoch, FileRequestKind kind, String path,
      long offset, int length, Transfer.SideOffer side, ActorRef<FileReply> replyTo)
      implements HostEvent {

    public FileRequest(JobId jobId, long epoch, FileRequestKind kind, String path,
        long offset, int length, ActorRef<FileReply> replyTo) {
      this(jobId, epoch, kind, path, offset, length, null, replyTo);
    }
  }

  /** What reads a batch of writes off the side channel, for the home of the job. */
  public static SideChannel.Reader fileDataReader() {
    return FileData.READER;
  }

  /** The most a write offer takes: a batch of {@link #SIDE_MAX_BYTES} and its framing. */
  static final long SIDE_OFFER_BYTES = 2L * (8 << 20); // 2 x SIDE_MAX_BYTES, declared below

  /**
   * A write offer asked for ahead of need, used within {@link #SPARE_FRESH} (home forgets an
   * offer no one used after its start timeout). Touched by the unit's slot thread only.
   */
  static final class SpareOffer {
    static final long SPARE_FRESH = 3_000_000_000L;
    private java.util.concurrent.CompletableFuture<FileDataReply> next;
    private long askedAt;

    java.util.concurrent.CompletableFuture<FileDataReply> take() {
      var n = next;
      next = null;
      return n != null && System.nanoTime() - askedAt < SPARE_FRESH ? n : null;
    }

    void put(java.util.concurrent.CompletableFuture<FileDataReply> offer) {
      next = offer;
      askedAt = System.nanoTime();
    }
  }

  /** File data below this goes over Artery even where a side channel is open. */
  public static final int SIDE_MIN_BYTES = 256 * 1024;

  /** A read or a batch of writes over the side channel carries at most this much data. */
  public static final int SIDE_MAX_BYTES = 8 << 20;

  /**
   * A host would send a batch of file writes of {@code bytes} bytes over the side channel of
   * the job's home node. Home answers where ({@link FileDataReply}); what arrives there it
   * applies as a {@link FileOps} under this epoch, acknowledging to {@code ackTo}.
   */
  public record FileDataOffer(JobId jobId, long epoch, long bytes, ActorRef<Command> ackTo,
      ActorRef<FileDataReply> replyTo) implements HostEvent {}

  /** Where to send the writes ({@code side}), or why not (then they go over Artery). */
  public record FileDataReply(Transfer.SideOffer side, String error) implements ExecutorWire {}

  /**
   * {@code error} null: {@code data} (READ), {@code size} (SIZE) or {@code names} (LIST).
   * {@code errorKind}: {@code missing}, {@code denied} or {@code io}.
   */
  public record FileReply(byte[] data, long size, List<String> names, String error,
      String errorKind) implements ExecutorWire {}

  /**
   * This node's balancer would move the unit to {@code target}: home decides, as for a move a
   * user asks for, and tells {@code outcome} in a line what became of it.
   */
  public record MoveWanted(JobId jobId, long epoch, String target, ActorRef<String> outcome)
      implements HostEvent {}

  /** From this node's balancer: ask the unit's home to move it (see {@link MoveWanted}). */
  public record RequestMove(JobId jobId, String target, ActorRef<String> outcome)
      implements Command {}

  /**
   * The source holds the unit paused and the target holds its state: record the target under a
   * new epoch. {@code lastSeq} is the last output line the source sent; home relocates only when
   * it has recorded it. {@code pausedNanos}: how long the unit had been paused at the source when
   * it sent this (home adds its own wait for the target's start to count the time frozen). Home
   * answers {@code replyTo} with Relocated or RelocateRefused, and the
   * same to a repeated request for the same transfer.
   */
  public record Relocate(JobId jobId, long epoch, String transferId, String targetNode,
      ActorRef<Command> target, long lastSeq, long bytes, long pausedNanos, long steps,
      long cpuNanos, long nextInputLine, ActorRef<Transfer.OutboundEvent> replyTo)
      implements HostEvent {}

  /**
   * @param runner the slot threads; started here and closed when the actor stops
   * @param selfNode this node as {@code host:port}
   */
  public static Behavior<Command> create(SlotRunner runner, StateCodec codec, String selfNode,
      MigrationSettings migration) {
    return create(runner, codec, selfNode, migration, null);
  }

  /** @param frozen where this node keeps its own jobs' frozen units, or null: no freezing */
  public static Behavior<Command> create(SlotRunner runner, StateCodec codec, String selfNode,
      MigrationSettings migration, FrozenStore frozen) {
    return create(runner, codec, selfNode, migration, frozen, null);
  }

  /** @param code this node's jars of job code, or null: jobs with a jar of their own are refused */
  public static Behavior<Command> create(SlotRunner runner, StateCodec codec, String selfNode,
      MigrationSettings migration, FrozenStore frozen, CodeStore code) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new Executor(ctx, timers, runner, codec, selfNode, migration, frozen, code,
            migration.sideChannel() ? bindSideChannel(ctx.getLog(), selfNode, migration,
                SideChannelTls.of(ctx.getSystem())) : null)));
  }

  /**
   * The same, in a cluster: guests whose home node is removed from the cluster are cancelled,
   * as nothing they produce can reach anyone (restarting them is the home's job, from its
   * checkpoint, once homes keep checkpoints).
   */
  public static Behavior<Command> createInCluster(SlotRunner runner, StateCodec codec,
      String selfNode, MigrationSettings migration, FrozenStore frozen, CodeStore code,
      SideChannel side) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(
          ctx.messageAdapter(ClusterEvent.MemberRemoved.class, e -> new HomeLeft(
              e.member().address().host().get() + ":" + e.member().address().port().get())),
          ClusterEvent.MemberRemoved.class));
      return new Executor(ctx, timers, runner, codec, selfNode, migration, frozen, code, side);
    }));
  }

  private final SlotRunner runner;
  private final StateCodec codec;
  private final String selfNode;
  private final Map<JobId, UnitTask> tasks = new HashMap<>();
  private final Map<JobId, List<ActorRef<PauseReply>>> pauseWaiters = new HashMap<>();
  private final Map<JobId, ActorRef<HostEvent>> homes = new HashMap<>();
  private final Map<JobId, ActorRef<Outbound.Msg>> outbound = new HashMap<>();
  private final Map<String, InboundReady> received = new HashMap<>();
  private final TimerScheduler<Command> timers;
  private final MigrationSettings migration;
  private final SideChannel sideChannel; // null when off or it could not listen
  private final FrozenStore frozen; // null: this node freezes nothing
  private final java.util.concurrent.Executor blocking; // for file I/O
  private final CodeStore code; // null: no job code but Drift's own class path

  /** How often loaders of jobs gone from here are closed, and how long one must be idle. */
  static final java.time.Duration LOADER_SWEEP = java.time.Duration.ofSeconds(30);

  private Executor(ActorContext<Command> ctx, TimerScheduler<Command> timers, SlotRunner runner,
      StateCodec codec, String selfNode, MigrationSettings migration, FrozenStore frozen,
      CodeStore code, SideChannel side) {
    super(ctx);
    this.frozen = frozen;
    this.code = code;
    if (code != null) {
      timers.startTimerWithFixedDelay(new SweepLoaders(), LOADER_SWEEP);
    }
    this.blocking = ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
    this.timers = timers;
    this.migration = migration;
    this.runner = runner;
    this.codec = codec;
    this.selfNode = selfNode;
    this.sideChannel = side;
    ActorRef<Command> self = ctx.getSelf();
    runner.start(
        new SlotRunner.Listener() {
          @Override
          public void paused(UnitTask task) {
            self.tell(new UnitPaused(task));
          }

          @Override
          public void ended(UnitTask task) {
            self.tell(new UnitEnded(task));
          }
        });
  }

  /**
   * The node's side channel for bulk data (states on the move, file data), listening on the
   * node's host; null if it cannot listen (then all goes over Artery, more slowly).
   *
   * @param tls TLS as Artery has it ({@link SideChannelTls#of}), or null: plain TCP
   */
  public static SideChannel bindSideChannel(org.slf4j.Logger log, String selfNode,
      MigrationSettings migration, SideChannelTls tls) {
    String host = selfNode.substring(0, selfNode.lastIndexOf(':'));
    try {
      SideChannel c = SideChannel.bind(host, migration.sideChannelPort(), migration.transferTimeout(),
          tls);
      log.debug("side channel for states listens on {}:{}{}", c.host(), c.port(),
          tls == null ? "" : " (TLS)");
      return c;
    } catch (java.io.IOException e) {
      log.warn("no side channel for moving states ({}:{}: {}); large states go over"
          + " Artery, more slowly", host, migration.sideChannelPort(), e.toString());
      return null;
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Start.class, this::onStart)
        .onMessage(Cancel.class, this::onCancel)
        .onMessage(OutputAck.class, this::onOutputAck)
        .onMessage(FileAck.class, a -> {
          UnitTask t = current(a.jobId(), a.epoch());
          if (t != null) {
            t.acknowledgeFiles(a.uptoSeq(), a.error());
          }
          return this;
        })
        .onMessage(Pause.class, this::onPause)
        .onMessage(Resume.class, this::onResume)
        .onMessage(GetUnits.class, this::onGetUnits)
        .onMessage(Drain.class, this::onDrain)
        .onMessage(DrainTick.class, t -> drainTick())
        .onMessage(SetGuestGate.class, g -> {
          guestGate = g.refusal();
          return this;
        })
        .onMessage(SetBlocked.class, b -> {
          runner.block(b.blocked());
          getContext().getLog().info("node {} {}", selfNode, b.blocked()
              ? "is blocked: it takes no new guests" : "takes guests again");
          b.replyTo().tell(flags());
          return this;
        })
        .onMessage(GetFlags.class, g -> {
          g.replyTo().tell(flags());
          return this;
        })
        .onMessage(RecheckGuests.class, r -> {
          recheckGuests();
          return this;
        })
        .onMessage(WentHome.class, w -> {
          goingHome.remove(w.jobId());
          return this;
        })
        .onMessage(Expel.class, this::onExpel)
        .onMessage(ExpelTick.class, t -> expelTick())
        .onMessage(DrainNote.class, n -> {
          drainNotes.put(n.job(), n.why());
          return this;
        })
        .onMessage(UnitPaused.class, this::onUnitPaused)
        .onMessage(UnitEnded.class, this::onUnitEnded)
        .onMessage(HomeLeft.class, this::onHomeLeft)
        .onMessage(MigrateOut.class, this::onMigrateOut)
        .onMessage(RequestMove.class, r -> {
          UnitTask t = tasks.get(r.jobId());
          ActorRef<HostEvent> home = homes.get(r.jobId());
          if (t == null || home == null) {
            r.outcome().tell("job " + r.jobId() + " is not on " + selfNode + " any more");
          } else if (io.drift.api.spi.MoveTargets.GO_HOME.equals(r.target())) {
            sendHome(t, r.outcome());
          } else {
            home.tell(new MoveWanted(r.jobId(), t.epoch(), r.target(), r.outcome()));
          }
          return this;
        })
        .onMessage(Reserve.class, this::onReserve)
        .onMessage(InboundReady.class, this::onInboundReady)
        .onMessage(StartReceived.class, this::onStartReceived)
        .onMessage(FreezeReceived.class, this::onFreezeReceived)
        .onMessage(FreezeWritten.class, this::onFreezeWritten)
        .onMessage(Thaw.class, this::onThaw)
        .onMessage(ThawRead.class, this::onThawRead)
        .onMessage(DeleteFrozen.class, d -> {
          deleteFrozen(d.jobId());
          return this;
        })
        .onMessage(Discard.class, d -> {
          received.remove(d.transferId());
          timers.cancel(d.transferId());
          return this;
        })
        .onMessage(ReceivedExpired.class, x -> {
          if (received.remove(x.transferId()) != null) {
            getContext().getLog().info("dropped the state of transfer {}: home never started it",
                x.transferId());
          }
          return this;
        })
        .onMessage(DropMigrated.class, this::onDropMigrated)
        .onMessage(TakeCheckpoint.class, this::onTakeCheckpoint)
        .onMessage(CheckpointDone.class, this::onCheckpointDone)
        .onMessage(CodeFetched.class, this::onCodeFetched)
        .onMessage(SweepLoaders.class, x -> {
          java.util.Set<JobId> live = new java.util.HashSet<>(tasks.keySet());
          live.addAll(outbound.keySet());
          code.retain(live, LOADER_IDLE.toNanos());
          return this;
        })
        .onMessage(OutboundGone.class, g -> {
          outbound.remove(g.jobId(), g.transfer()); // a newer transfer of the job may be under way
          return this;
        })
        .onSignal(PostStop.class, s -> {
          runner.close();
          if (sideChannel != null) {
            sideChannel.close();
          }
          return this;
        })
        .build();
  }

  private Behavior<Command> onStart(Start s) {
    int runnable = runner.runnableUnits();
    boolean free = refusal(s.jobId(), s.homeNode()) == null;
    if (s.believedRunQueue() >= 0 && runnable > s.believedRunQueue() && free) {
      // stale news must not pile jobs onto one node: the home places again, knowing this
      String why = "node " + selfNode + " runs " + runnable + " units; its home believed "
          + s.believedRunQueue();
      getContext().getLog().debug("refused job {}: {}", s.jobId(), why);
      s.replyTo().tell(new Refused(s.jobId(), s.epoch(), selfNode, why, runnable));
      return this;
    }
    if (free && !codeReady(s.code(), s.jobId(), s.epoch(), s.home(), s)) {
      return this; // handled again once the job's jar is here
    }
    return admit(s.jobId(), s.epoch(), s.jobName(), s.homeNode(), s.unit(), s.code(),
        s.firstSeq(), s.firstFileSeq(), s.cpuNanosSoFar(), s.stepsSoFar(), s.home(), s.replyTo(),
        false);
  }

  /** How long a loader of a job gone from here is kept (it may come back, or be in transit). */
  static final java.time.Duration LOADER_IDLE = java.time.Duration.ofMinutes(2);

  /**
   * True when the job's code is on this node (or it has none of its own). Otherwise fetches its
   * jar from the job's home, then handles {@code retry} again: as it came if the jar came, as
   * a refusal saying why if not.
   */
  private boolean codeReady(String hash, JobId jobId, long epoch, ActorRef<HostEvent> home,
      Command retry) {
    if (hash == null || code != null && code.has(hash)) {
      return true;
    }
    if (code == null || home == null) {
      getContext().getSelf().tell(new CodeFetched(retry, hash, new CodeStore.CodeException(
          "node " + selfNode + " keeps no job code")));
      return false;
    }
    org.apache.pekko.actor.typed.Scheduler scheduler = getContext().getSystem().scheduler();
    java.time.Duration wait = migration.reserveTimeout();
    getContext().getLog().debug("job {}: fetching its jar {} from its home", jobId, hash);
    getContext().pipeToSelf(code.ensure(hash, offset ->
            org.apache.pekko.actor.typed.javadsl.AskPattern.<HostEvent, CodeChunk>ask(home,
                    r -> new FetchCode(jobId, epoch, hash, offset, r), wait, scheduler)
                .thenApply(c -> new CodeStore.Chunk(c.data(), c.total(), c.error())), blocking),
        (path, error) -> new CodeFetched(retry, hash, error));
    return false;
  }

  private Behavior<Command> onCodeFetched(CodeFetched f) {
    if (f.error() == null && code.has(f.hash())) {
      getContext().getSelf().tell(f.retry());
      return this;
    }
    Throwable e = f.error() == null ? new java.io.IOException("it vanished") : unwrap(f.error());
    // a jar home does not have, or that is not one, cannot run anywhere; a slow home may be
    // faster for another node
    boolean forGood = e instanceof CodeStore.CodeException;
    String why = "cannot get the job's jar " + f.hash().substring(0, 12) + "… from its home: "
        + (e.getMessage() == null ? e.toString() : e.getMessage());
    getContext().getLog().info("{}", why);
    if (f.retry() instanceof Start s) {
      s.replyTo().tell(forGood ? Refused.stateRejected(s.jobId(), s.epoch(), selfNode, why)
          : new Refused(s.jobId(), s.epoch(), selfNode, why));
    } else if (f.retry() instanceof Reserve r) {
      r.replyTo().tell(new Transfer.ReserveRefused(r.transferId(), why));
    }
    return this;
  }

  /** The class loader of a job's unit: its own over its jar, or Drift's for none. */
  private ClassLoader loaderFor(JobId jobId, String hash) throws CodeStore.CodeException {
    if (hash == null) {
      return Thread.currentThread().getContextClassLoader();
    }
    if (code == null) {
      throw new CodeStore.CodeException("node " + selfNode + " keeps no job code");
    }
    return code.loader(jobId, hash);
  }

  private String notFound(String className, String hash) {
    return hash == null ? "unit class " + className + " is not on the class path of node "
        + selfNode : "unit class " + className + " is not in the job's jar " + hash;
  }

  private GuestGate guestGate; // null: every home's guests

  /** Why this node takes no new unit of a job homed at {@code homeNode} now, or null. */
  private String refusal(JobId jobId, String homeNode) {
    String conflict = conflict(jobId);
    if (conflict != null) {
      return conflict;
    }
    if (runner.draining()) {
      return "node " + selfNode + " is draining";
    }
    if (!selfNode.equals(homeNode) && !runner.settings().acceptGuests()) {
      return "node " + selfNode + " does not accept guests";
    }
    if (!selfNode.equals(homeNode) && guestGate != null) {
      List<String> unitHomes = new ArrayList<>(tasks.size());
      for (UnitTask t : tasks.values()) {
        unitHomes.add(t.homeNode);
      }
      String no = guestGate.refusal(homeNode, unitHomes,
          runner.runnableUnits() >= runner.slots());
      if (no != null) {
        return "node " + selfNode + ": " + no;
      }
    }
    if (!selfNode.equals(homeNode) && runner.blocked()) {
      return "node " + selfNode + " is blocked: it takes no new guests";
    }
    if (runner.runnableUnits() >= runner.settings().maxRunnable()) {
      return "node " + selfNode + " is full (" + runner.runnableUnits()
          + " runnable units, drift.executor.max-runnable = " + runner.settings().maxRunnable() + ")";
    }
    return null;
  }

  /** Why a unit of this job cannot start here whatever the policy: a copy of it runs here. */
  private String conflict(JobId jobId) {
    UnitTask existing = tasks.get(jobId);
    return existing == null ? null : "job " + jobId + " already runs here under epoch "
        + existing.epoch() + " (" + existing.phase().name().toLowerCase(java.util.Locale.ROOT)
        + ")";
  }

  private Behavior<Command> admit(JobId jobId, long epoch, String jobName, String homeNode,
      Payload state, String codeHash, long firstSeq, long firstFileSeq, long cpuNanos, long steps,
      ActorRef<HostEvent> home, ActorRef<StartReply> replyTo, boolean received) {
    dropStale(jobId, epoch);
    String no = received ? conflict(jobId) : refusal(jobId, homeNode);
    if (no != null) {
      return refuse(jobId, epoch, replyTo, no);
    }
    Object decoded;
    long t0 = System.nanoTime();
    try {
      decoded = codec.decode(state, loaderFor(jobId, codeHash));
      if (state.size() >= 1 << 20) {
        getContext().getLog().info("job {}: decoded a state of {} bytes in {} ms", jobId,
            state.size(), (System.nanoTime() - t0) / 1_000_000);
      }
    } catch (ClassNotFoundException e) {
      String why = notFound(state.className(), codeHash);
      return codeHash == null ? refuse(jobId, epoch, replyTo, why) : rejectState(jobId, epoch,
          replyTo, why); // its own jar lacks it: no node will do better
    } catch (CodeStore.CodeException e) {
      return refuse(jobId, epoch, replyTo, e.getMessage());
    } catch (StateCodecException e) {
      getContext().getLog().info("refused job {}: {}", jobId, e.getMessage());
      replyTo.tell(Refused.stateRejected(jobId, epoch, selfNode, e.getMessage()));
      return this;
    }
    admitDecoded(jobId, epoch, jobName, homeNode, decoded, state.className(), codeHash,
        firstSeq, firstFileSeq, cpuNanos, steps, home, replyTo, received);
    noteStateBytes(jobId, epoch, state.size());
    return this;
  }

  private Behavior<Command> rejectState(JobId jobId, long epoch, ActorRef<StartReply> replyTo,
      String why) {
    getContext().getLog().info("refused job {}: {}", jobId, why);
    replyTo.tell(Refused.stateRejected(jobId, epoch, selfNode, why));
    return this;
  }

  /** The size of the state a unit came with: what moving it costs, for the balancer. */
  private void noteStateBytes(JobId jobId, long epoch, long bytes) {
    UnitTask t = current(jobId, epoch);
    if (t != null) {
      t.stateBytes = bytes;
    }
  }

  /**
   * A copy paused here for a move that home has since fenced with a newer epoch (its
   * DropMigrated may not have come yet) gives way to a start under {@code epoch}.
   */
  private void dropStale(JobId jobId, long epoch) {
    UnitTask stale = tasks.get(jobId);
    if (stale != null && stale.epoch < epoch && stale.phase() == UnitTask.Phase.PAUSED
        && runner.drop(stale)) {
      tasks.remove(jobId);
      homes.remove(jobId);
    }
  }

  /** The rest of {@link #admit}, for a unit already decoded (off this actor's thread). */
  private Behavior<Command> admitDecoded(JobId jobId, long epoch, String jobName,
      String homeNode, Object decoded, String className, String codeHash, long firstSeq,
      long firstFileSeq, long cpuNanos, long steps, ActorRef<HostEvent> home,
      ActorRef<StartReply> replyTo, boolean received) {
    String no = received ? conflict(jobId) : refusal(jobId, homeNode);
    if (no != null) {
      return refuse(jobId, epoch, replyTo, no);
    }
    if (!(decoded instanceof WorkUnit<?> unit)) {
      String why = className + " is not a " + WorkUnit.class.getName();
      getContext().getLog().info("refused job {}: {}", jobId, why);
      replyTo.tell(Refused.stateRejected(jobId, epoch, selfNode, why));
      return this;
    }
    boolean guest = !selfNode.equals(homeNode);
    UnitTask task = new UnitTask(jobId, epoch, jobName, homeNode, guest, unit,
        new ActorHomeLink(jobId, epoch, home, getContext().getSelf(),
            getContext().getSystem().scheduler(), runner.settings().outputAckTimeout(),
            guest ? sideChannel : null), selfNode, // at home, messages between local actors
        runner.settings(), firstSeq, firstFileSeq, cpuNanos, steps);
    task.code = codeHash;
    tasks.put(jobId, task);
    homes.put(jobId, home);
    // Accept before the first step can run: home then hears Accepted before any event of it.
    replyTo.tell(new Accepted(jobId, epoch, selfNode));
    runner.enqueue(task);
    if (DEBUG.isDebugEnabled()) { // getLog sets the MDC at each call, and this is per job
      getContext().getLog().debug("job {} ({}) started under epoch {}", jobId, jobName, epoch);
    }
    return this;
  }

  private Behavior<Command> refuse(JobId jobId, long epoch, ActorRef<StartReply> replyTo,
      String reason) {
    getContext().getLog().info("refused job {}: {}", jobId, reason);
    replyTo.tell(new Refused(jobId, epoch, selfNode, reason));
    return this;
  }

  // ---- migration: source side ---------------------------------------------------------------

  private Behavior<Command> onMigrateOut(MigrateOut m) {
    UnitTask t = current(m.jobId(), m.epoch());
    String no = t == null ? "job " + m.jobId() + " does not run on " + selfNode + " under epoch "
        + m.epoch() : outbound.containsKey(m.jobId()) ? "job " + m.jobId() + " is moving already"
        : m.targetNode().equals(selfNode) && !m.toDisk() ? "job " + m.jobId() + " runs on "
        + selfNode + " already" : null;
    if (no != null) {
      m.replyTo().tell(new NotMigrated(m.jobId(), m.epoch(), no));
      return this;
    }
    String transferId = m.jobId().value() + "-" + m.epoch() + "-"
        + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
    ActorRef<Outbound.Msg> out = getContext().spawn(
        Outbound.create(t, homes.get(m.jobId()), transferId, m.targetNode(), m.target(),
            m.toDisk(), migration, codec, getContext().getSelf(), m.replyTo()),
        "out-" + transferId, DispatcherSelector.blocking());
    getContext().watchWith(out, new OutboundGone(m.jobId(), out));
    outbound.put(m.jobId(), out);
    return this;
  }

  private Behavior<Command> onTakeCheckpoint(TakeCheckpoint c) {
    UnitTask t = current(c.jobId(), c.epoch());
    if (t == null) {
      c.replyTo().tell(new NotTaken("job " + c.jobId() + " does not run here any more"));
      return this;
    }
    ActorRef<Command> self = getContext().getSelf();
    runner.checkpoint(t, c.maxBytes(), c.keepUpTo(), new SlotRunner.CheckpointCallback() {
      @Override
      public void taken(Payload state, long size, long stoppedAtNanos) {
        self.tell(new CheckpointDone(t, new Taken(state, size, stoppedAtNanos), c.replyTo()));
      }

      @Override
      public void tooLarge(long bytes) {
        self.tell(new CheckpointDone(t, new TooLarge(bytes), c.replyTo()));
      }

      @Override
      public void failed(String why) {
        self.tell(new CheckpointDone(t, new NotTaken(why), c.replyTo()));
      }
    });
    return this;
  }

  /** Hands a checkpoint to the transfer that asked, or resumes the unit if it gave up. */
  private Behavior<Command> onCheckpointDone(CheckpointDone d) {
    ActorRef<Outbound.Msg> out = outbound.get(d.task().jobId);
    if (out != null) {
      d.replyTo().tell(d.reply());
    } else if (d.reply() instanceof Taken) {
      runner.resume(d.task()); // the transfer is over: nobody will move this state
    }
    return this;
  }

  private Behavior<Command> onDropMigrated(DropMigrated d) {
    UnitTask t = current(d.jobId(), d.epoch());
    if (t != null && runner.drop(t)) {
      tasks.remove(d.jobId());
      homes.remove(d.jobId());
      getContext().getLog().debug("job {} moved away under a new epoch", d.jobId());
    }
    return this;
  }

  // ---- migration: target side -----------------------------------------------------------------

  private Behavior<Command> onReserve(Reserve r) {
    String no = !r.toDisk() ? refusal(r.jobId(), r.homeNode())
        : !selfNode.equals(r.homeNode()) ? "node " + selfNode + " is not the home of job "
            + r.jobId() + ": frozen units are kept at home"
        : frozen == null ? "node " + selfNode + " keeps no frozen units" : null;
    if (no != null) {
      r.replyTo().tell(new Transfer.ReserveRefused(r.transferId(), no));
      return this;
    }
    if (!r.toDisk() && !codeReady(r.code(), r.jobId(), -1, r.home(), r)) {
      return this; // handled again once the job's jar is here
    }
    ClassLoader loader;
    try {
      loader = r.toDisk() ? null : loaderFor(r.jobId(), r.code());
    } catch (CodeStore.CodeException e) {
      r.replyTo().tell(new Transfer.ReserveRefused(r.transferId(), e.getMessage()));
      return this;
    }
    ActorRef<Command> self = getContext().getSelf();
    String[] token = {null};
    ActorRef<Transfer.InboundCommand> in = getContext().spawn(
        Inbound.create(r.transferId(), migration,
            (header, state) -> self.tell(new InboundReady(r.transferId(), r.homeNode(), header, state)),
            () -> {
              if (token[0] != null) {
                sideChannel.forget(token[0]);
              }
            }),
        "in-" + r.transferId());
    Transfer.SideOffer offer = null;
    if (sideChannel != null) {
      // a unit to run is decoded as it arrives (overlapping the wire); one to freeze is kept
      SideChannel.Reader reader = r.toDisk() ? SideChannel.BYTES
          : (className, format, size, stream) -> {
            try {
              return format == SideChannel.SPLIT
                  ? codec.join(className, SideChannel.readSplit(stream, size), loader)
                  : codec.decodeFrom(className, stream, loader);
            } catch (ClassNotFoundException e) {
              throw new StateCodecException(notFound(className, r.code()), e);
            }
          };
      token[0] = sideChannel.expect(migration.maxStateBytes(), reader,
          arrival -> in.tell(new Transfer.SideArrival(arrival)));
      offer = new Transfer.SideOffer(sideChannel.host(), sideChannel.port(), token[0]);
    }
    r.replyTo().tell(new Transfer.Reserved(r.transferId(), in, offer));
    return this;
  }

  private Behavior<Command> onInboundReady(InboundReady r) {
    received.put(r.transferId(), r);
    timers.startSingleTimer(r.transferId(), new ReceivedExpired(r.transferId()),
        migration.transferTimeout());
    return this;
  }

  private Behavior<Command> onStartReceived(StartReceived s) {
    InboundReady r = received.remove(s.transferId());
    timers.cancel(s.transferId());
    if (r == null) {
      return refuse(s.jobId(), s.epoch(), s.replyTo(), "node " + selfNode
          + " holds no state for transfer " + s.transferId() + " (expired or discarded)");
    }
    // This node took the unit when it reserved the transfer. By now home has raised the epoch
    // and the source has dropped its copy, so the state here is the only one. A policy that
    // changed meanwhile (drain, isolation, block, a full node) must not refuse it: that would
    // lose the unit. It starts, and the drain or the guest recheck moves it on from here.
    Transfer.CheckpointHeader h = r.header();
    if (r.state() instanceof byte[] bytes) {
      return admit(s.jobId(), s.epoch(), s.jobName(), s.homeNode(),
          new Payload(h.className(), bytes), s.code(), h.nextSeq(), s.firstFileSeq(),
          h.cpuNanos(), h.steps(), s.home(), s.replyTo(), true);
    }
    dropStale(s.jobId(), s.epoch());
    admitDecoded(s.jobId(), s.epoch(), s.jobName(), s.homeNode(), r.state(),
        h.className(), s.code(), h.nextSeq(), s.firstFileSeq(), h.cpuNanos(), h.steps(), s.home(),
        s.replyTo(), true);
    noteStateBytes(s.jobId(), s.epoch(), h.size());
    return this;
  }

  // ---- freeze and continue: the home node's side ---------------------------------------------

  private Behavior<Command> onFreezeReceived(FreezeReceived f) {
    InboundReady r = received.remove(f.transferId());
    timers.cancel(f.transferId());
    if (r == null || frozen == null || !(r.state() instanceof byte[] bytes)) {
      f.replyTo().tell(new NotFrozen(f.jobId(), f.epoch(), "node " + selfNode
          + " holds no state for transfer " + f.transferId() + " (expired or discarded)"));
      return this;
    }
    getContext().pipeToSelf(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return frozen.write(r.header(), bytes).toString();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }, blocking), (file, error) -> new FreezeWritten(f, r, file, error));
    return this;
  }

  private Behavior<Command> onFreezeWritten(FreezeWritten w) {
    FreezeReceived f = w.request();
    if (w.error() == null) {
      long bytes = w.state().header().size();
      getContext().getLog().info("job {}: frozen to {} ({} bytes)", f.jobId(), w.file(), bytes);
      f.replyTo().tell(new FrozenToDisk(f.jobId(), f.epoch(), bytes, w.file()));
    } else {
      Throwable e = unwrap(w.error());
      getContext().getLog().warn("job {}: could not freeze it to {}: {}", f.jobId(), frozen.dir(),
          e.toString());
      received.put(f.transferId(), w.state()); // home may start it here instead
      timers.startSingleTimer(f.transferId(), new ReceivedExpired(f.transferId()),
          migration.transferTimeout());
      f.replyTo().tell(new NotFrozen(f.jobId(), f.epoch(), "could not write it under "
          + frozen.dir() + ": " + e.getMessage()));
    }
    return this;
  }

  /** The I/O error under the wrappers a future and a lambda put around it. */
  private static Throwable unwrap(Throwable e) {
    while ((e instanceof java.util.concurrent.CompletionException
        || e instanceof java.io.UncheckedIOException) && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  private Behavior<Command> onThaw(Thaw t) {
    // the copy paused here by the freeze itself gives way, as for a start (its DropMigrated
    // may still be on its way when a continue follows the freeze at once)
    dropStale(t.jobId(), t.epoch());
    String no = frozen == null ? "node " + selfNode + " keeps no frozen units"
        : refusal(t.jobId(), t.homeNode());
    if (no != null) {
      return refuse(t.jobId(), t.epoch(), t.replyTo(), no);
    }
    ClassLoader loader;
    try {
      loader = loaderFor(t.jobId(), t.code());
    } catch (CodeStore.CodeException e) {
      return refuse(t.jobId(), t.epoch(), t.replyTo(), e.getMessage());
    }
    getContext().pipeToSelf(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      // reading and decoding a large state takes a while: not on a dispatcher thread
      try {
        FrozenStore.Frozen f = frozen.read(t.jobId());
        Transfer.CheckpointHeader h = f.header();
        return new ThawRead(t, h, codec.decode(new Payload(h.className(), f.state()), loader),
            null);
      } catch (java.io.IOException e) {
        return new ThawRead(t, null, null, e);
      } catch (ClassNotFoundException e) {
        return new ThawRead(t, null, null, new java.io.IOException(
            notFound(e.getMessage(), t.code()), e));
      } catch (StateCodecException e) {
        return new ThawRead(t, null, null, e);
      }
    }, blocking), (read, error) -> error == null ? read : new ThawRead(t, null, null, error));
    return this;
  }

  private Behavior<Command> onThawRead(ThawRead r) {
    Thaw t = r.request();
    if (r.error() != null) {
      Throwable e = unwrap(r.error());
      return refuse(t.jobId(), t.epoch(), t.replyTo(), "cannot read the frozen unit: "
          + e.getMessage());
    }
    Transfer.CheckpointHeader h = r.header();
    dropStale(t.jobId(), t.epoch());
    admitDecoded(t.jobId(), t.epoch(), t.jobName(), t.homeNode(), r.unit(), h.className(),
        t.code(), h.nextSeq(), t.firstFileSeq(), h.cpuNanos(), h.steps(), t.home(), t.replyTo(),
        false); // refused, the file stays: the policy may say no
    noteStateBytes(t.jobId(), t.epoch(), h.size());
    if (current(t.jobId(), t.epoch()) != null) {
      deleteFrozen(t.jobId()); // it runs again: the file must not bring it back twice
    }
    return this;
  }

  /** Off the actor's thread: a file system may be slow. */
  private void deleteFrozen(JobId id) {
    if (frozen == null) {
      return;
    }
    org.slf4j.Logger log = getContext().getLog();
    blocking.execute(() -> {
      try {
        frozen.delete(id);
      } catch (java.io.IOException e) {
        log.warn("job {}: could not delete its frozen unit: {}", id, e.toString());
      }
    });
  }

  private Behavior<Command> onCancel(Cancel c) {
    UnitTask t = current(c.jobId(), c.epoch());
    if (t != null) {
      runner.cancel(t);
    }
    return this;
  }

  private Behavior<Command> onOutputAck(OutputAck a) {
    UnitTask t = current(a.jobId(), a.epoch());
    if (t != null) {
      t.acknowledge(a.uptoSeq());
    }
    return this;
  }

  private Behavior<Command> onPause(Pause p) {
    UnitTask t = tasks.get(p.jobId());
    if (t == null) {
      p.replyTo().tell(new NotHere(p.jobId()));
    } else if (t.phase() == UnitTask.Phase.PAUSED || runner.pause(t)) {
      p.replyTo().tell(new Paused(t.jobId, t.epoch, t.cpuNanos, t.steps));
    } else {
      pauseWaiters.computeIfAbsent(p.jobId(), k -> new ArrayList<>()).add(p.replyTo());
    }
    return this;
  }

  private Behavior<Command> onResume(Resume r) {
    pauseWaiters.remove(r.jobId()); // nobody wants it paused any more
    UnitTask t = tasks.get(r.jobId());
    if (t != null) {
      runner.resume(t);
    }
    return this;
  }

  // ---- drain ------------------------------------------------------------------------------

  private final List<ActorRef<Drained>> drainWaiters = new java.util.ArrayList<>();
  private final Map<String, String> drainNotes = new java.util.TreeMap<>(); // job -> why it stays
  private long drainDeadline;

  private Behavior<Command> onDrain(Drain d) {
    runner.drain();
    drainWaiters.add(d.replyTo());
    long deadline = System.nanoTime() + d.within().toNanos();
    drainDeadline = drainWaiters.size() == 1 ? deadline : Math.max(drainDeadline, deadline);
    getContext().getLog().info("node {} drains: {} units to move away", selfNode, tasks.size());
    timers.startTimerWithFixedDelay(DrainTick.class, new DrainTick(),
        java.time.Duration.ofSeconds(1));
    return drainTick();
  }

  /** Asks the home of each unit still here to move it; answers the waiters when none is left. */
  private Behavior<Command> drainTick() {
    if (drainWaiters.isEmpty()) {
      timers.cancel(DrainTick.class);
      return this;
    }
    boolean over = System.nanoTime() - drainDeadline >= 0;
    if (tasks.isEmpty() || over) {
      Drained d = new Drained(tasks.size(), tasks.isEmpty() ? List.of()
          : drainNotes.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).toList());
      drainWaiters.forEach(w -> w.tell(d));
      drainWaiters.clear();
      timers.cancel(DrainTick.class);
      getContext().getLog().info("node {}: drain {}", selfNode, tasks.isEmpty() ? "done"
          : "gave up with " + tasks.size() + " units left: " + d.notes());
      return this;
    }
    sendAway(false);
    return this;
  }

  /** Asks the home of each unit here (each guest, if {@code guestsOnly}) to move it elsewhere. */
  private void sendAway(boolean guestsOnly) {
    ActorRef<Command> self = getContext().getSelf();
    for (UnitTask t : List.copyOf(tasks.values())) {
      ActorRef<HostEvent> home = homes.get(t.jobId);
      if (home == null || t.phase() == UnitTask.Phase.PAUSED || (guestsOnly && !t.guest)) {
        continue; // paused: a move of it is under way
      }
      String job = t.jobId.value();
      ActorRef<String> outcome = getContext().spawnAnonymous(
          Behaviors.<String>receiveMessage(line -> {
            if (!line.startsWith("moved")) {
              self.tell(new DrainNote(job, line));
            }
            return Behaviors.stopped();
          }));
      home.tell(new MoveWanted(t.jobId, t.epoch, ELSEWHERE, outcome));
    }
  }

  private record DrainNote(String job, String why) implements Command {}

  // ---- guests a grid's terms no longer take ------------------------------------------------

  /**
   * Sends home each guest the guest gate refuses now (its cluster's terms changed: the owner
   * isolated this cluster, or no longer takes that partner's jobs), frozen at home if home will
   * not run it. Repeated by the node until none is left; a guest already on its way is skipped.
   */
  public record RecheckGuests() implements Command {}

  private record WentHome(JobId jobId) implements Command {}

  /** Guests asked home and not answered yet: one request each at a time. */
  private final java.util.Set<JobId> goingHome = new java.util.HashSet<>();

  private void recheckGuests() {
    if (guestGate == null) {
      return;
    }
    for (UnitTask t : List.copyOf(tasks.values())) {
      // no guest list: the terms, not the limit, decide; a guest over a lowered limit stays
      if (t.guest && t.phase() != UnitTask.Phase.PAUSED
          && guestGate.refusal(t.homeNode, List.of(), false) != null) {
        sendHome(t, null);
      }
    }
  }

  /**
   * Asks the unit's home to take it home ({@code HomeProxy.HOME}), and if home will not, to
   * freeze it at home ({@code HomeProxy.FREEZE}): it leaves either way, and nothing is lost.
   */
  private void sendHome(UnitTask t, ActorRef<String> outcome) {
    ActorRef<HostEvent> home = homes.get(t.jobId);
    if (home == null || !goingHome.add(t.jobId)) {
      if (outcome != null) {
        outcome.tell("not moved: job " + t.jobId + " is on its way home already");
      }
      return;
    }
    ActorRef<Command> self = getContext().getSelf();
    JobId job = t.jobId;
    long epoch = t.epoch;
    getContext().getLog().info("node {} sends guest {} home", selfNode, job);
    ActorRef<String> chain = getContext().spawnAnonymous(Behaviors.setup(ctx -> {
      boolean[] freezing = {false};
      return Behaviors.<String>receiveMessage(line -> {
        if (line.startsWith("moved") || freezing[0]) {
          self.tell(new WentHome(job));
          if (outcome != null) {
            outcome.tell(line);
          }
          return Behaviors.stopped();
        }
        freezing[0] = true; // home would not run it now: frozen at home instead
        home.tell(new MoveWanted(job, epoch, "freeze", ctx.getSelf()));
        return Behaviors.same();
      });
    }));
    home.tell(new MoveWanted(job, epoch, "home", chain));
  }

  private Flags flags() {
    int guests = 0;
    for (UnitTask t : tasks.values()) {
      if (t.guest) {
        guests++;
      }
    }
    return new Flags(selfNode, runner.blocked(), runner.draining(), runner.acceptsGuests(),
        tasks.size(), guests, runner.slots());
  }

  // ---- expel ------------------------------------------------------------------------------

  private final List<ActorRef<Drained>> expelWaiters = new java.util.ArrayList<>();
  private long expelDeadline;

  private Behavior<Command> onExpel(Expel e) {
    runner.block(true);
    expelWaiters.add(e.replyTo());
    long deadline = System.nanoTime() + e.within().toNanos();
    expelDeadline = expelWaiters.size() == 1 ? deadline : Math.max(expelDeadline, deadline);
    getContext().getLog().info("node {} expels its guests ({}) and takes no new ones", selfNode,
        flags().guests());
    timers.startTimerWithFixedDelay(ExpelTick.class, new ExpelTick(),
        java.time.Duration.ofSeconds(1));
    return expelTick();
  }

  private Behavior<Command> expelTick() {
    int guests = flags().guests();
    if (expelWaiters.isEmpty() || guests == 0 || System.nanoTime() - expelDeadline >= 0) {
      List<String> notes = new ArrayList<>();
      if (guests > 0) {
        for (UnitTask t : tasks.values()) {
          if (t.guest) {
            notes.add(t.jobId.value() + ": " + drainNotes.getOrDefault(t.jobId.value(),
                "not moved yet"));
          }
        }
      }
      Drained d = new Drained(guests, notes);
      expelWaiters.forEach(w -> w.tell(d));
      expelWaiters.clear();
      timers.cancel(ExpelTick.class);
      return this;
    }
    sendAway(true);
    return this;
  }

  private Behavior<Command> onGetUnits(GetUnits g) {
    List<UnitInfo> list = new ArrayList<>();
    tasks.values().forEach(t -> list.add(
        new UnitInfo(t.jobId, t.jobName, t.epoch, t.guest, t.phase().name(), t.homeNode)));
    g.replyTo().tell(new Units(selfNode, runner.slots(), list));
    return this;
  }

  private Behavior<Command> onUnitPaused(UnitPaused p) {
    UnitTask t = p.task();
    List<ActorRef<PauseReply>> waiting = pauseWaiters.remove(t.jobId);
    if (waiting != null) {
      waiting.forEach(w -> w.tell(new Paused(t.jobId, t.epoch, t.cpuNanos, t.steps)));
    } else {
      runner.resume(t); // the pause was called off before it took effect
    }
    return this;
  }

  private Behavior<Command> onUnitEnded(UnitEnded e) {
    UnitTask t = e.task();
    if (tasks.remove(t.jobId, t)) {
      homes.remove(t.jobId);
    }
    ActorRef<Outbound.Msg> out = outbound.get(t.jobId);
    if (out != null) {
      out.tell(Outbound.UnitGone.INSTANCE);
    }
    List<ActorRef<PauseReply>> waiting = pauseWaiters.remove(t.jobId);
    if (waiting != null) {
      waiting.forEach(w -> w.tell(new NotHere(t.jobId)));
    }
    return this;
  }

  private Behavior<Command> onHomeLeft(HomeLeft h) {
    if (h.node().equals(selfNode)) {
      // this node is going: its own jobs stop with it unended, so their records at home
      // resume them when it starts again (decision 0017); a cancel would end them for good
      return this;
    }
    for (UnitTask t : List.copyOf(tasks.values())) {
      if (t.homeNode.equals(h.node())) {
        getContext().getLog().info("job {}: its home {} left the cluster; cancelling it here",
            t.jobId, h.node());
        runner.cancel(t);
      }
    }
    return this;
  }

  /** The task for this job if it runs here under that epoch; stale epochs are ignored. */
  private UnitTask current(JobId id, long epoch) {
    UnitTask t = tasks.get(id);
    return t != null && t.epoch == epoch ? t : null;
  }

  /** Sends a unit's events to its home as messages; used from slot threads. */
  private record ActorHomeLink(
      JobId jobId, long epoch, ActorRef<HostEvent> home, ActorRef<Command> self,
      org.apache.pekko.actor.typed.Scheduler scheduler, java.time.Duration timeout,
      SideChannel side, SpareOffer spare) implements HomeLink {

    ActorHomeLink(JobId jobId, long epoch, ActorRef<HostEvent> home, ActorRef<Command> self,
        org.apache.pekko.actor.typed.Scheduler scheduler, java.time.Duration timeout,
        SideChannel side) {
      this(jobId, epoch, home, self, scheduler, timeout, side, new SpareOffer());
    }

    @Override
    public boolean sideChannel() {
      return side != null;
    }

    private java.util.concurrent.CompletableFuture<FileDataReply> offer() {
      return org.apache.pekko.actor.typed.javadsl.AskPattern.<HostEvent, FileDataReply>ask(home,
          r -> new FileDataOffer(jobId, epoch, SIDE_OFFER_BYTES, self, r), timeout, scheduler)
          .toCompletableFuture();
    }

    /**
     * On the unit's slot thread, as the encoding before it: the unit waits while its state
     * crosses the wire (a checkpoint interval apart, about a millisecond per MiB on loopback).
     */
    @Override
    public boolean sideCheckpoint(Payload state, long nextSeq, long nextFileSeq,
        long nextInputLine, long cpuNanos, long steps) {
      if (home.path().address().hasLocalScope()) {
        // home is this node: a message between local actors is not serialized, so no frame
        // limits it
        checkpoint(state, nextSeq, nextFileSeq, nextInputLine, cpuNanos, steps);
        return true;
      }
      if (side == null) {
        return false;
      }
      byte[] bytes = state.bytes();
      return sendWhereOffered(org.apache.pekko.actor.typed.javadsl.AskPattern
          .<HostEvent, FileDataReply>ask(home, r -> new CheckpointOffer(jobId, epoch,
              state.className(), bytes.length, nextSeq, nextFileSeq, nextInputLine, cpuNanos,
              steps, r), timeout, scheduler)
          .toCompletableFuture(), bytes.length, out -> out.write(bytes));
    }

    /**
     * On the unit's slot thread: a write waits for the wire, as a local one waits for disk.
     * The offer for the next batch is asked for as this one goes, so home answers it while it
     * writes this one to disk, and the next batch need not wait for that. False: over Artery
     * then; home drops what it already has by number.
     */
    @Override
    public boolean sideFileOps(List<FileOp> ops) {
      long size = FileData.size(ops);
      if (side == null || size > SIDE_OFFER_BYTES) {
        return false;
      }
      java.util.concurrent.CompletableFuture<FileDataReply> mine = spare.take();
      if (mine == null) {
        mine = offer();
      }
      spare.put(offer());
      return sendWhereOffered(mine, size, out -> FileData.write(ops, out));
    }

    @Override
    public java.util.concurrent.CompletionStage<StreamStart> fileStream(String path, long offset,
        int maxLength) {
      java.util.concurrent.CompletableFuture<StreamStart> result =
          new java.util.concurrent.CompletableFuture<>();
      if (side == null) {
        result.completeExceptionally(new java.io.IOException("no side channel here"));
        return result;
      }
      java.util.concurrent.CompletableFuture<FileStream> ready =
          new java.util.concurrent.CompletableFuture<>();
      String token = side.expectStream(FileStream.framedSize(maxLength),
          FileStream.reader(ready, offset), arrival -> {
            if (arrival instanceof SideChannel.Broken b) {
              ready.completeExceptionally(new java.io.IOException(b.reason()));
            }
          });
      // a caller that gives up (its wait timed out) leaves no stream behind: one that comes
      // later finds no one waiting and is closed, one that came is abandoned
      result.whenComplete((v, error) -> {
        if (error != null) {
          side.forget(token);
          ready.completeExceptionally(error);
        }
      });
      Transfer.SideOffer offer = new Transfer.SideOffer(side.host(), side.port(), token);
      org.apache.pekko.actor.typed.javadsl.AskPattern.<HostEvent, FileReply>ask(home,
              replyTo -> new FileRequest(jobId, epoch, FileRequestKind.STREAM, path, offset,
                  maxLength, offer, replyTo), timeout, scheduler)
          .whenComplete((r, error) -> {
            if (error != null) {
              result.completeExceptionally(error);
            } else if (r.data() != null || r.error() != null) {
              side.forget(token); // the data, or why not, came in the reply
              result.complete(new StreamStart(null, r));
            } else {
              ready.whenComplete((stream, broken) -> {
                if (broken != null) {
                  result.completeExceptionally(broken);
                } else if (!result.complete(new StreamStart(stream, null))) {
                  stream.abandon();
                }
              });
            }
          });
      return result;
    }

    /** Sends to where home offered, and waits until it is there; false if it could not. */
    private boolean sendWhereOffered(java.util.concurrent.CompletableFuture<FileDataReply> offer,
        long size, SideChannel.Writer writer) {
      try {
        FileDataReply where = offer.get(timeout.toMillis() + 1000,
            java.util.concurrent.TimeUnit.MILLISECONDS);
        if (where.side() == null) {
          return false;
        }
        SideChannel.send(where.side().host(), where.side().port(), where.side().token(), "",
                SideChannel.PLAIN, size, writer, timeout, 0, Runnable::run, side.tls())
            .done().get(timeout.toMillis() + 1000, java.util.concurrent.TimeUnit.MILLISECONDS);
        return true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      } catch (java.util.concurrent.ExecutionException
          | java.util.concurrent.TimeoutException | RuntimeException e) {
        return false;
      }
    }

    @Override
    public void output(List<OutputLine> lines) {
      home.tell(new OutputBatch(jobId, epoch, lines, self));
    }

    @Override
    public void fileOps(List<FileOp> ops) {
      home.tell(new FileOps(jobId, epoch, ops, self));
    }

    @Override
    public void checkpoint(Payload state, long nextSeq, long nextFileSeq, long nextInputLine,
        long cpuNanos, long steps) {
      home.tell(new Checkpoint(jobId, epoch, state, nextSeq, nextFileSeq, nextInputLine,
          cpuNanos, steps));
    }

    @Override
    public java.util.concurrent.CompletionStage<Lines> lines(long from, int max) {
      // home holds the request up to its wait for input: ask for longer than that
      return org.apache.pekko.actor.typed.javadsl.AskPattern.ask(home,
          replyTo -> new LineRequest(jobId, epoch, from, max, replyTo),
          timeout.plus(LINE_WAIT), scheduler);
    }

    @Override
    public java.util.concurrent.CompletionStage<FileReply> fileRequest(FileRequestKind kind,
        String path, long offset, int length) {
      return org.apache.pekko.actor.typed.javadsl.AskPattern.ask(home,
          replyTo -> new FileRequest(jobId, epoch, kind, path, offset, length, replyTo),
          timeout, scheduler);
    }

    @Override
    public void report(double progress, long cpuNanos, long steps) {
      home.tell(new Report(jobId, epoch, progress, cpuNanos, steps));
    }

    @Override
    public void finished(Payload result, long cpuNanos, long steps) {
      home.tell(new Finished(jobId, epoch, result, cpuNanos, steps));
    }

    @Override
    public void failed(String error, String stackTrace, long cpuNanos, long steps) {
      home.tell(new Failed(jobId, epoch, error, stackTrace, cpuNanos, steps));
    }

    @Override
    public void cancelled(long cpuNanos, long steps) {
      home.tell(new Cancelled(jobId, epoch, cpuNanos, steps));
    }
  }
}
