package io.drift.home;

import io.drift.migration.Durations;
import io.drift.api.JobId;
import io.drift.api.JobInfo;
import io.drift.api.JobState;
import io.drift.api.OutputLine;
import io.drift.balancer.Balancer;
import io.drift.balancer.HomeStarts;
import io.drift.balancer.policy.Admission;
import io.drift.migration.Limits;
import io.drift.migration.codec.Payload;
import io.drift.migration.codec.StateCodec;
import io.drift.migration.code.CodeStore;
import io.drift.migration.executor.Executor;
import io.drift.migration.executor.FileStream;
import io.drift.migration.executor.SideChannel;
import io.drift.migration.executor.Transfer;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The job's deputy at its home node and the single writer of its record: spec, state, epoch,
 * host, output in sequence, result or failure. It asks the balancer for a node, starts the unit
 * there under a new epoch, and from then on accepts events only from that epoch (fencing).
 * Clients subscribe to it for output and the end of the job.
 */
public final class HomeProxy extends AbstractBehavior<HomeProxy.Command> {

  public sealed interface Command {}

  /** Send me the job's output so far and from now on, its updates and its end. */
  public record Subscribe(ActorRef<JobEvent> subscriber) implements Command, HomeWire {}

  public record GetInfo(ActorRef<InfoReply> replyTo) implements Command, HomeWire {}

  public record InfoReply(JobInfo info) implements HomeWire {}

  /**
   * From its home's manager: the queued job leaves the batch queue and is placed like any
   * other (the grid has room by the gossip). Ignored if it is not queued.
   */
  public record Admit() implements Command {}

  /** From its home's manager: the queued job's new priority, kept on disk. */
  public record Requeue(int priority) implements Command {}

  /** Stop the job; the reply comes once it has stopped (or at once if it had ended). */
  public record Cancel(String reason, ActorRef<InfoReply> replyTo) implements Command, HomeWire {}

  /**
   * Lines for the job's standard input, in order, and with {@code end} the end of it. Each
   * line is at most {@link Limits#BATCH_CHARS} characters, all of them together too.
   * Answered with {@link InputAck}.
   */
  public record SendInput(List<String> lines, boolean end, ActorRef<InputAck> replyTo)
      implements Command, HomeWire {}

  /** {@code error} null: home holds the lines; else why it took none of them. */
  public record InputAck(String error) implements HomeWire {}

  /** Input lines home keeps at most: unread ones, and read ones a restart may read again. */
  public static final int MAX_KEPT_INPUT = 100_000;

  private record LineWaitOver(Executor.LineRequest request) implements Command {}

  /** A batch of file writes that came over the side channel, or why it did not. */
  private record FileDataArrived(long epoch, ActorRef<Executor.Command> ackTo,
      SideChannel.Arrival arrival) implements Command {}

  /** A checkpoint's state that came over the side channel, or why it did not. */
  private record CheckpointArrived(Executor.CheckpointOffer offer, SideChannel.Arrival arrival)
      implements Command {}

  /**
   * Move the running unit to {@code target}: a node ({@code host:port}), {@code home},
   * {@code freeze} (write it to the home node's disk and release its slot) or {@code continue}
   * (run a frozen job again, placed by the normal rule). A request, not an order (MOSIX:
   * migrate): the answer says whether it moved, or why not.
   */
  public record Migrate(String target, ActorRef<MigrateAnswer> replyTo)
      implements Command, HomeWire {}

  public record MigrateAnswer(JobId jobId, boolean moved, String message, JobInfo info)
      implements HomeWire {}

  /** What subscribers hear. */
  public sealed interface JobEvent extends HomeWire {}

  public record Output(JobId jobId, List<OutputLine> lines) implements JobEvent {}

  public record Update(JobInfo info) implements JobEvent {}

  /** The job ended; {@code result} is set when it SUCCEEDED. Always the last event. */
  public record Completed(JobInfo info, Payload result) implements JobEvent {}

  private record FromHost(Executor.HostEvent event) implements Command {}

  private record PlaceResult(Balancer.PlaceReply reply) implements Command {}

  private record StartResult(Executor.StartReply reply) implements Command {}

  private record StartTimedOut(long epoch) implements Command {}

  /** The executor of {@code epoch} on {@code host} stopped: its node left, or is going down. */
  record HostGone(long epoch, String host) implements Command {}

  /** A subscriber is gone: the job stops telling it. */
  record SubscriberGone(ActorRef<JobEvent> subscriber) implements Command {}

  private enum PlaceAgain implements Command { INSTANCE }

  private record Located(Balancer.Location location) implements Command {}

  private record ElsewhereFound(Balancer.PlaceReply reply) implements Command {}

  private record MoveResult(Executor.MigrateResult result) implements Command {}

  private record FreezeResult(Executor.FreezeReply reply) implements Command {}

  public static final String HOME = "home";
  public static final String FREEZE = "freeze";
  public static final String CONTINUE = "continue";

  /**
   * What the job is, as submitted. {@code workspace}: the directory of its files under the
   * root; null: named after the job. {@code code}: the SHA-256 of the jar its classes come
   * from, kept in the home node's {@link CodeStore}; null: Drift's own class path.
   */
  public record Spec(JobId id, String name, String unitClass, long memoryMb, boolean migratable,
      Payload unit, String workspace, String code, String startOn) {

    public Spec(JobId id, String name, String unitClass, long memoryMb, boolean migratable,
        Payload unit, String workspace, String code) {
      this(id, name, unitClass, memoryMb, migratable, unit, workspace, code, null);
    }

    public Spec(JobId id, String name, String unitClass, long memoryMb, boolean migratable,
        Payload unit, String workspace) {
      this(id, name, unitClass, memoryMb, migratable, unit, workspace, null);
    }

    public Spec(JobId id, String name, String unitClass, long memoryMb, boolean migratable,
        Payload unit) {
      this(id, name, unitClass, memoryMb, migratable, unit, null, null);
    }
  }

  private Behavior<Command> onSendInput(SendInput in) {
    int chars = 0;
    boolean nulls = false; // List.of(...).contains(null) throws: count by hand
    for (String line : in.lines()) {
      nulls |= line == null;
      chars += line == null ? 0 : line.length();
    }
    long unread = inputBase + input.size() - inputCursor;
    String no = state.isFinal() ? "job " + spec.id() + " has ended (" + state + ")"
        : inputEnded ? "the input of job " + spec.id() + " is closed"
        : nulls ? "a line of input cannot be null"
        : chars > Limits.BATCH_CHARS ? "lines of input are at most " + Limits.BATCH_CHARS
            + " characters a message"
        : input.size() + in.lines().size() > MAX_KEPT_INPUT ? "job " + spec.id() + " has "
            + unread + " lines of input it has not read yet; home keeps at most "
            + MAX_KEPT_INPUT
        : null;
    if (no != null) {
      in.replyTo().tell(new InputAck(no));
      return this;
    }
    input.addAll(in.lines());
    inputEnded = in.end();
    in.replyTo().tell(new InputAck(null));
    for (Executor.LineRequest q : List.copyOf(parkedLineRequests)) {
      parkedLineRequests.remove(q);
      timers.cancel(q);
      onLineRequest(q);
    }
    return this;
  }

  /**
   * Lines for the job's current host: at once if home has one past {@code from} or the input
   * has ended, else when one comes or {@link Executor#LINE_WAIT} is over (a long poll).
   */
  private void onLineRequest(Executor.LineRequest q) {
    if (q.epoch() != epoch) {
      q.replyTo().tell(new Executor.Lines(Math.max(q.from(), 0), List.of(), false));
      return;
    }
    long from = Math.max(q.from() < 0 ? inputCursor : q.from(), inputBase);
    long have = inputBase + input.size();
    if (from < have || inputEnded || state.isFinal()) {
      List<String> lines = new java.util.ArrayList<>();
      int chars = 0;
      for (long i = from; i < have && lines.size() < q.max(); i++) {
        String line = input.get((int) (i - inputBase));
        if (!lines.isEmpty() && chars + line.length() > Limits.BATCH_CHARS) {
          break; // one frame: the rest comes with the next request
        }
        lines.add(line);
        chars += line.length();
      }
      boolean ended = (inputEnded || state.isFinal()) && from + lines.size() == have;
      q.replyTo().tell(new Executor.Lines(from, lines, ended));
      return;
    }
    Executor.LineRequest parked = new Executor.LineRequest(q.jobId(), q.epoch(), from, q.max(),
        q.replyTo());
    parkedLineRequests.add(parked);
    timers.startSingleTimer(parked, new LineWaitOver(parked), Executor.LINE_WAIT);
  }

  /** A piece of the job's jar for a node that will run it; only the job's own jar is served. */
  private Executor.CodeChunk codeChunk(Executor.FetchCode q) {
    if (spec.code() == null || !spec.code().equals(q.hash())) {
      return new Executor.CodeChunk(null, 0, "job " + spec.id() + " has no jar " + q.hash());
    }
    if (code == null || !code.has(q.hash())) {
      return new Executor.CodeChunk(null, 0, "the jar of job " + spec.id()
          + " is gone from its home node " + homeNode);
    }
    try {
      return new Executor.CodeChunk(code.read(q.hash(), q.offset(), CodeStore.CHUNK),
          code.size(q.hash()), null);
    } catch (java.io.IOException ex) {
      return new Executor.CodeChunk(null, 0, "home node " + homeNode
          + " cannot read the jar of job " + spec.id() + ": " + ex.getMessage());
    }
  }

  static Behavior<Command> create(Spec spec, String homeNode, long submittedAtMillis,
      HomeSettings settings, ActorRef<Balancer.Command> balancer,
      ActorRef<HomeManager.Command> manager, StateCodec codec) {
    return create(spec, homeNode, submittedAtMillis, settings, balancer, manager, codec, null,
        null, null, null);
  }

  /** @param code the home node's jars of job code; null: jobs with a jar cannot run */
  static Behavior<Command> create(Spec spec, String homeNode, long submittedAtMillis,
      HomeSettings settings, ActorRef<Balancer.Command> balancer,
      ActorRef<HomeManager.Command> manager, StateCodec codec, CodeStore code,
      SideChannel side, JobStore store, JobStore.Record resumed) {
    return create(spec, homeNode, submittedAtMillis, settings, balancer, manager, codec, code,
        side, store, resumed, -1);
  }

  /** @param queue its batch-queue priority if it waits there (not when resumed), else -1 */
  static Behavior<Command> create(Spec spec, String homeNode, long submittedAtMillis,
      HomeSettings settings, ActorRef<Balancer.Command> balancer,
      ActorRef<HomeManager.Command> manager, StateCodec codec, CodeStore code,
      SideChannel side, JobStore store, JobStore.Record resumed, int queue) {
    return create(spec, homeNode, submittedAtMillis, settings, balancer, manager, codec, code,
        side, store, resumed, queue, null, null);
  }

  /**
   * @param subscriber hears every event of the job from the first (null: none yet); its
   *     manager watches it, and says {@link SubscriberGone} when it is gone
   * @param executors its manager's executors, resolved once; given, the manager also watches
   *     each host's executor once for all its jobs ({@link HomeManager.WatchHost}); null: the
   *     proxy resolves and watches its hosts itself
   */
  static Behavior<Command> create(Spec spec, String homeNode, long submittedAtMillis,
      HomeSettings settings, ActorRef<Balancer.Command> balancer,
      ActorRef<HomeManager.Command> manager, StateCodec codec, CodeStore code,
      SideChannel side, JobStore store, JobStore.Record resumed, int queue,
      ActorRef<JobEvent> subscriber, ExecutorRefs executors) {
    return create(spec, homeNode, submittedAtMillis, settings, balancer, manager, codec, code,
        side, store, resumed, queue, subscriber, executors, null);
  }

  /**
   * @param homeStarts this node's free slots, which the job takes for its first start without
   *     asking the balancer (decision 0036); null: it asks
   */
  static Behavior<Command> create(Spec spec, String homeNode, long submittedAtMillis,
      HomeSettings settings, ActorRef<Balancer.Command> balancer,
      ActorRef<HomeManager.Command> manager, StateCodec codec, CodeStore code,
      SideChannel side, JobStore store, JobStore.Record resumed, int queue,
      ActorRef<JobEvent> subscriber, ExecutorRefs executors, HomeStarts homeStarts) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new HomeProxy(ctx, timers, spec,
        homeNode, submittedAtMillis, settings, balancer, manager, codec, code, side, store,
        resumed, resumed != null ? resumed.queue() : queue, subscriber, executors,
        homeStarts)));
  }

  /** Lines per replayed message; {@link Limits#BATCH_CHARS} bounds it too. */
  private static final int REPLAY_BATCH = 256;
  /** The logger getLog gives this class, asked only whether it would write debug lines. */
  private static final org.slf4j.Logger DEBUG = org.slf4j.LoggerFactory.getLogger(HomeProxy.class);

  private final TimerScheduler<Command> timers;
  private final Spec spec;
  private final CodeStore code; // null: this node keeps no jars
  private final SideChannel side; // null: file data goes over Artery only
  private final JobStore store; // null: the job is not kept on disk
  private final java.util.concurrent.Executor blocking; // sends reads over the side channel
  private final String homeNode;
  private final long submittedAtMillis;
  private final HomeSettings settings;
  private final ActorRef<Balancer.Command> balancer;
  private final ActorRef<HomeManager.Command> manager;
  private final StateCodec codec;
  // Made on first use, like the workspace: a job queued at home never places or runs until it
  // is admitted, and 100,000 of them would hold these for nothing (issue 9, workload (e)).
  private ActorRef<Executor.HostEvent> hostAdapter;
  private ActorRef<Balancer.PlaceReply> placeAdapter;
  private ActorRef<Executor.StartReply> startAdapter;
  private final ExecutorRefs executors; // null: resolves and watches its hosts itself
  private final HomeStarts homeStarts; // null: every placement asks the balancer
  /** A slot of homeStarts is held for the start outstanding: give it back at its answer. */
  private boolean holdsHomeSlot;

  private JobState state = JobState.PENDING;
  private int queue = -1; // its batch-queue priority while QUEUED
  private long epoch;
  private String host = "";
  private ActorRef<Executor.Command> executor; // of the current epoch, once started or starting
  private boolean startOutstanding;
  // nodes that refused this job; null: none (most jobs start where first placed, and a
  // node holds a proxy per running job: no empty set each)
  private Set<String> refusedBy;
  // run queues of nodes that refused this job for being busier than believed (null: none),
  // and how many did
  private Map<String, Integer> observed;
  private int busyRefusals;
  private long cpuNanos;
  private long steps;
  private double progress;
  private long nextSeq = 1;
  private long fileApplied; // the job's file writes applied, in order, from 1
  private boolean skippingCall; // the parts of a refused write call are refused with it
  private Executor.Checkpoint checkpoint; // the latest state its host sent, or null
  private Executor.Checkpoint restartFrom; // what the next Start runs after a host died
  private boolean everStarted; // a host accepted the job once: where it starts is decided
  // Standard input: lines from index inputBase on (those below were read before the latest
  // checkpoint), whether it has ended, where the next host starts reading, and hosts' requests
  // waiting for a line.
  private final java.util.ArrayList<String> input = new java.util.ArrayList<>();
  private long inputBase;
  private boolean inputEnded;
  private long inputCursor;
  private final java.util.List<Executor.LineRequest> parkedLineRequests = new java.util.ArrayList<>();
  private int restarts;
  private Workspace workspace;
  private final ArrayDeque<OutputLine> kept = new ArrayDeque<>(0); // grows as output comes
  private Payload result;
  private String resultJson;
  private String error;
  private boolean cancelRequested;
  private String cancelReason;
  private final List<ActorRef<InfoReply>> cancelWaiters = new ArrayList<>();
  private final Set<ActorRef<JobEvent>> subscribers = new HashSet<>();
  // moves
  private String movingTo; // while a move is asked for, its target
  private final List<ActorRef<MigrateAnswer>> moveWaiters = new ArrayList<>();
  private boolean startIsTransfer; // the outstanding start runs a moved state: it cannot be redone
  private String movedMessage; // the source says the move is done; answered once the target runs
  private String lastTransferId;
  private long lastTransferEpoch;
  private int migrations;
  private long bytesMoved;
  private long frozenNanos;
  // the move under way: how long its source had been paused when home heard Relocate, and when
  private long movePausedNanos;
  private long relocatedAtNanos;
  private long lastMoveFrozenNanos;
  // freeze and continue
  private boolean freezing; // the move under way goes to home's disk
  private boolean freezeOutstanding; // the state is at home's executor; the write is not confirmed
  private Executor.Relocate pendingFreeze; // its Relocate, answered once the write is
  private boolean freezeSourceGone; // the source's node left while the file was written
  private long moveFromEpoch; // the epoch a MigrateOut was sent under: tags its answer
  private ActorRef<Executor.Command> homeExecutor; // this node's executor, which keeps the file
  private long frozenSinceNanos;
  private boolean thawOutstanding; // a Thaw was sent; its answer is a StartReply
  private String continueTo; // where a thawed unit goes once it runs at home

  private HomeProxy(ActorContext<Command> ctx, TimerScheduler<Command> timers, Spec spec,
      String homeNode, long submittedAtMillis, HomeSettings settings,
      ActorRef<Balancer.Command> balancer, ActorRef<HomeManager.Command> manager,
      StateCodec codec, CodeStore code, SideChannel side, JobStore store,
      JobStore.Record resumed, int queue, ActorRef<JobEvent> subscriber,
      ExecutorRefs executors, HomeStarts homeStarts) {
    super(ctx);
    this.executors = executors;
    this.homeStarts = homeStarts;
    if (subscriber != null) {
      subscribers.add(subscriber); // before place(): it hears the job from its first event
    }
    if (queue >= 0) {
      this.queue = queue;
      this.state = JobState.QUEUED;
    }
    this.code = code;
    this.side = side;
    this.store = store;
    this.blocking = ctx.getSystem().dispatchers().lookup(
        org.apache.pekko.actor.typed.DispatcherSelector.blocking());
    this.timers = timers;
    this.spec = spec;
    this.homeNode = homeNode;
    this.submittedAtMillis = submittedAtMillis;
    this.settings = settings;
    this.balancer = balancer;
    this.manager = manager;
    this.codec = codec;
    if (state == JobState.QUEUED) {
      // its manager wrote its record, and made this proxy only because a client asked for
      // it; the job is placed when its home admits it (decision 0028)
      return;
    }
    if (resumed != null) {
      resume(resumed);
    } else {
      persist();
    }
    place();
  }

  /** The job's files at home; a named workspace was checked at submission (HomePaths). */
  private Workspace workspace() {
    if (workspace == null) {
      workspace = new Workspace(settings.workspaceRoot().resolve(
          spec.workspace() != null ? spec.workspace() : spec.id().value()),
          settings.maxFileBytes());
    }
    return workspace;
  }

  private ActorRef<Executor.HostEvent> hostAdapter() {
    if (hostAdapter == null) {
      hostAdapter = getContext().messageAdapter(Executor.HostEvent.class, FromHost::new);
    }
    return hostAdapter;
  }

  private ActorRef<Balancer.PlaceReply> placeAdapter() {
    if (placeAdapter == null) {
      placeAdapter = getContext().messageAdapter(Balancer.PlaceReply.class, PlaceResult::new);
    }
    return placeAdapter;
  }

  private ActorRef<Executor.StartReply> startAdapter() {
    if (startAdapter == null) {
      startAdapter = getContext().messageAdapter(Executor.StartReply.class, StartResult::new);
    }
    return startAdapter;
  }

  /**
   * One {@link Receive} per proxy that dispatches by hand. A {@code ReceiveBuilder}'s cases and
   * the lambdas bound to each proxy cost about 1 KiB per actor, and a node holds a proxy per
   * job that runs (issue 9, workload (e): a running unit at most 4 KiB).
   */
  @Override
  public Receive<Command> createReceive() {
    return new Receive<>() {
      @Override
      public Behavior<Command> receiveMessage(Command m) {
        return onCommand(m);
      }

      @Override
      public Behavior<Command> receiveSignal(org.apache.pekko.actor.typed.Signal s) {
        if (s instanceof org.apache.pekko.actor.typed.PostStop) {
          releaseHomeSlot(); // stopped with a start outstanding: the slot is not its to keep
          return Behaviors.same();
        }
        return Behaviors.unhandled();
      }
    };
  }

  /** Host events first: they are most of what a proxy hears. */
  private Behavior<Command> onCommand(Command m) {
    if (m instanceof FromHost h) {
      return onHostEvent(h);
    } else if (m instanceof PlaceResult p) {
      return onPlaceResult(p);
    } else if (m instanceof StartResult r) {
      return onStartResult(r);
    } else if (m instanceof Subscribe s) {
      return onSubscribe(s);
    } else if (m instanceof GetInfo g) {
      g.replyTo().tell(new InfoReply(info()));
    } else if (m instanceof Cancel c) {
      return onCancel(c);
    } else if (m instanceof Admit) {
      if (state == JobState.QUEUED && !cancelRequested) {
        state = JobState.PENDING;
        queue = -1;
        persist(); // admitted: a restart of its home resumes it, not queues it again
        changed();
        place();
      }
    } else if (m instanceof Requeue r) {
      if (state == JobState.QUEUED) {
        queue = r.priority();
        persist();
      }
    } else if (m instanceof SendInput in) {
      return onSendInput(in);
    } else if (m instanceof FileDataArrived f) {
      return onFileDataArrived(f);
    } else if (m instanceof CheckpointArrived c) {
      return onCheckpointArrived(c);
    } else if (m instanceof LineWaitOver w) {
      if (parkedLineRequests.remove(w.request())) {
        Executor.LineRequest q = w.request();
        q.replyTo().tell(new Executor.Lines(Math.max(q.from(), 0), List.of(), false));
      }
    } else if (m instanceof Migrate g) {
      return onMigrate(g);
    } else if (m instanceof Located l) {
      return onLocated(l);
    } else if (m instanceof MoveResult r) {
      return onMoveResult(r);
    } else if (m instanceof FreezeResult f) {
      return onFreezeResult(f);
    } else if (m instanceof ElsewhereFound e) {
      return onElsewhereFound(e);
    } else if (m instanceof StartTimedOut t) {
      return onStartTimedOut(t);
    } else if (m instanceof HostGone g) {
      return onHostGone(g);
    } else if (m instanceof SubscriberGone g) {
      subscribers.remove(g.subscriber());
    } else if (m == PlaceAgain.INSTANCE) {
      refusedBy = null; // a node that refused may have room by now
      observed = null;
      busyRefusals = 0;
      place();
    } else {
      return Behaviors.unhandled();
    }
    return this;
  }

  // ---- placement ------------------------------------------------------------------------

  private void place() {
    if (state.isFinal()) {
      return;
    }
    // a checkpoint too large for the message that starts a unit starts here, where nothing
    // carries it; the balancer moves it on later like any unit. A job the user started on a
    // node of their choice goes there the first time (a restart goes to the best node).
    boolean large = restartFrom != null
        && restartFrom.state().bytes().length > Executor.MAX_START_STATE_BYTES;
    String only = large ? homeNode
        : everStarted || spec.startOn() == null ? null
        : spec.startOn().equals(io.drift.api.JobSpec.HOME) ? homeNode : spec.startOn();
    // a first start, with nothing for the balancer to weigh (no memory, no exclusions)
    boolean plain = !everStarted && restartFrom == null && refusedBy == null && observed == null
        && spec.memoryMb() <= 0 && (only == null || only.equals(homeNode));
    if (homeStarts != null && plain && state == JobState.PENDING && !startOutstanding) {
      // the balancer would choose home for it: a free slot there, nothing else to weigh
      HomeStarts.Taken taken = homeStarts.tryTake(spec.id());
      if (taken != null) {
        holdsHomeSlot = true;
        start(homeNode, resolve(homeStarts.executorPath()), taken.believedRunQueue(),
            "a free slot at home");
        return;
      }
    }
    balancer.tell(new Balancer.Place(spec.id(), spec.memoryMb(),
        refusedBy == null ? Set.of() : Set.copyOf(refusedBy),
        observed == null ? Map.of() : Map.copyOf(observed), only, placeAdapter()));
  }

  private Behavior<Command> onPlaceResult(PlaceResult p) {
    if (state == JobState.FROZEN && continueTo == null && !moveWaiters.isEmpty()
        && !startOutstanding) {
      return thaw(p.reply());
    }
    if (state != JobState.PENDING || startOutstanding) {
      return this;
    }
    if (p.reply() instanceof Balancer.Placed placed) {
      // past the last try the job starts where the truest news sends it, unchecked
      int believed = busyRefusals < Admission.PLACEMENT_TRIES - 1 ? placed.believedRunQueue()
          : Executor.NO_BELIEF;
      start(placed.node(), resolve(placed.executorPath()), believed,
          placed.decision().reason());
    } else {
      getContext().getLog().info("job {} waits: {}", spec.id(), p.reply().decision().reason());
      timers.startSingleTimer(PlaceAgain.INSTANCE, PlaceAgain.INSTANCE, settings.retryInterval());
    }
    return this;
  }

  /** Starts the job at {@code node}'s executor, in a new epoch. */
  private void start(String node, ActorRef<Executor.Command> at, int believed, String why) {
    executor = at;
    epoch++;
    host = node;
    startOutstanding = true;
    if (DEBUG.isDebugEnabled()) { // getLog sets the MDC at each call: once per job is a cost
      getContext().getLog().debug("job {} epoch {} -> {}: {}", spec.id(), epoch, host, why);
    }
    Executor.Start start = restartFrom == null
        ? new Executor.Start(spec.id(), epoch, spec.name(), homeNode, spec.unit(), nextSeq,
            cpuNanos, steps, believed, fileApplied + 1, spec.code(), hostAdapter(), startAdapter())
        // output and writes it makes again are numbered as before, and dropped as repeats
        : new Executor.Start(spec.id(), epoch, spec.name(), homeNode, restartFrom.state(),
            restartFrom.nextSeq(), restartFrom.cpuNanos(), restartFrom.steps(), believed,
            restartFrom.nextFileSeq(), spec.code(), hostAdapter(), startAdapter());
    executor.tell(start);
    timers.startSingleTimer(StartTimedOut.class, new StartTimedOut(epoch), settings.startTimeout());
  }

  /** The start that held a slot of {@link #homeStarts} was answered, or never will be. */
  private void releaseHomeSlot() {
    if (holdsHomeSlot) {
      holdsHomeSlot = false;
      homeStarts.answered();
    }
  }

  private Behavior<Command> onStartResult(StartResult r) {
    Executor.StartReply reply = r.reply();
    if (reply.epoch() != epoch || !startOutstanding) {
      return this; // an answer to an attempt we gave up on
    }
    startOutstanding = false;
    releaseHomeSlot();
    timers.cancel(StartTimedOut.class);
    if (thawOutstanding) {
      return onThawed(reply);
    }
    if (reply instanceof Executor.Accepted a) {
      everStarted = true;
      boolean moveDone = startIsTransfer && movedMessage != null;
      if (startIsTransfer) {
        // one clock per leg: the source's pause until it asked, home's from then to the start
        lastMoveFrozenNanos = movePausedNanos + System.nanoTime() - relocatedAtNanos;
        frozenNanos += lastMoveFrozenNanos;
      }
      startIsTransfer = false;
      restartFrom = null;
      observed = null;
      busyRefusals = 0;
      state = JobState.RUNNING;
      host = a.host();
      watchHost();
      if (cancelRequested) {
        executor.tell(new Executor.Cancel(spec.id(), epoch));
      }
      changed();
      if (moveDone) {
        answerMove(true, movedMessage + frozenText()); // answered once the unit runs at its target
      }
    } else if (reply instanceof Executor.Refused refused) {
      if (refused.busierThanBelieved() && !startIsTransfer) {
        getContext().getLog().debug("job {}: {}", spec.id(), refused.reason());
        if (observed == null) {
          observed = new HashMap<>(4);
        }
        observed.put(refused.host(), refused.runQueue());
        busyRefusals++;
        placeAgain(); // the node may still be the best, told the truth
        return this;
      }
      getContext().getLog().info("job {}: {} refused it: {}", spec.id(), refused.host(), refused.reason());
      if (refused.stateRejected()) {
        // a checkpoint or state that cannot run here cannot run anywhere: say so, once
        end(JobState.FAILED, "the unit's state cannot run: " + refused.reason());
        return this;
      }
      if (startIsTransfer) {
        end(JobState.FAILED, "the moved unit's state was lost at " + refused.host() + ": "
            + refused.reason());
      } else {
        giveUpAttempt(refused.host());
      }
    }
    return this;
  }

  private Behavior<Command> onStartTimedOut(StartTimedOut t) {
    if (t.epoch() == epoch && startOutstanding) {
      getContext().getLog().warn("job {}: {} did not answer the start within {}; placing it elsewhere",
          spec.id(), host, Durations.text(settings.startTimeout()));
      // Fence the attempt: should the Start still arrive, its epoch is stale and gets cancelled.
      executor.tell(new Executor.Cancel(spec.id(), epoch));
      startOutstanding = false;
      releaseHomeSlot();
      if (startIsTransfer) {
        end(JobState.FAILED, "node " + host + " did not start the moved unit within "
            + Durations.text(settings.startTimeout()));
      } else {
        giveUpAttempt(host);
      }
    }
    return this;
  }

  /** This attempt is over without a start: place again elsewhere, or end a cancelled job. */
  private void giveUpAttempt(String node) {
    if (refusedBy == null) {
      refusedBy = new HashSet<>(4);
    }
    refusedBy.add(node);
    placeAgain();
  }

  private void placeAgain() {
    host = "";
    executor = null;
    if (cancelRequested) {
      end(JobState.CANCELLED, cancelReason);
    } else {
      place();
    }
  }

  /**
   * Watches the current executor: through the manager, one remote watch per host for all its
   * jobs (a watch of its own costs each job two system messages each way, acknowledged one by
   * one), or by itself. Not this node's own executor: it stops only with this node, proxy and
   * all, and the job resumes from its record when the node starts again (decision 0017); most
   * jobs run at home (decision 0035), where a watch cost the manager two messages per job.
   */
  private void watchHost() {
    if (host.equals(homeNode)) {
      return;
    }
    if (executors != null) {
      manager.tell(new HomeManager.WatchHost(executor, getContext().getSelf(),
          new HostGone(epoch, host)));
    } else {
      getContext().watchWith(executor, new HostGone(epoch, host));
    }
  }

  private ActorRef<Executor.Command> resolve(String executorPath) {
    return executors != null ? executors.resolve(executorPath)
        : ActorRefResolver.get(getContext().getSystem()).resolveActorRef(executorPath);
  }

  /** Called while {@link #host} still names the executor's node: home's was not watched. */
  private void unwatchHost() {
    if (host.equals(homeNode)) {
      return;
    }
    if (executors != null) {
      manager.tell(new HomeManager.UnwatchHost(executor, getContext().getSelf()));
    } else {
      getContext().unwatch(executor);
    }
  }

  /** Another node's executor stopped ({@link #watchHost} never follows this node's own). */
  private Behavior<Command> onHostGone(HostGone g) {
    if (g.epoch() == epoch && freezeOutstanding) {
      freezeSourceGone = true; // decided when the write is: frozen, or started at home
      return this;
    }
    if (g.epoch() == epoch && !state.isFinal()) {
      if (state == JobState.RUNNING && !startOutstanding) {
        restart(g.host());
      } else {
        end(JobState.FAILED, "host node " + g.host() + " left the cluster while the job was"
            + " being moved to or started on it");
      }
    }
    return this;
  }

  /**
   * The host died with the unit: start it again elsewhere from its latest checkpoint, or from
   * its start. Its work since then is done again; the output and file writes it makes again
   * carry the numbers they had, and home drops them as repeats.
   */
  private void restart(String lostHost) {
    restartFrom = checkpoint != null ? checkpoint
        : new Executor.Checkpoint(spec.id(), 0, spec.unit(), 1, 1, 0, 0, 0);
    if (restartFrom.nextInputLine() >= 0) { // -1: its host had read none, so from the cursor
      inputCursor = restartFrom.nextInputLine();
    }
    restarts++;
    // as of the host's last report: the work since then is lost too, and not counted here
    getContext().getLog().warn("job {}: its host {} left; it starts again from {} ({} steps and"
            + " {} ms of CPU to do again)", spec.id(), lostHost,
        checkpoint != null ? "its checkpoint at step " + checkpoint.steps() : "its start",
        Math.max(0, steps - restartFrom.steps()),
        Math.max(0, cpuNanos - restartFrom.cpuNanos()) / 1_000_000);
    if (!moveWaiters.isEmpty()) {
      answerMove(false, "its host " + lostHost + " left; it starts again elsewhere");
    }
    state = JobState.PENDING;
    host = "";
    executor = null;
    refusedBy = new HashSet<>(4);
    refusedBy.add(lostHost);
    changed();
    place();
  }

  // ---- events from the host -----------------------------------------------------------------

  private Behavior<Command> onHostEvent(FromHost f) {
    Executor.HostEvent e = f.event();
    if (e instanceof Executor.Relocate r) {
      onRelocate(r);
      return this;
    }
    if (e instanceof Executor.MoveWanted w) {
      onMoveWanted(w);
      return this;
    }
    if (e instanceof Executor.FileRequest q) {
      onFileRequest(q);
      return this;
    }
    if (e instanceof Executor.FetchCode q) {
      q.replyTo().tell(codeChunk(q)); // any node about to run the job may ask, in any epoch
      return this;
    }
    if (e instanceof Executor.LineRequest q) {
      onLineRequest(q);
      return this;
    }
    if (e instanceof Executor.FileDataOffer o) {
      onFileDataOffer(o);
      return this;
    }
    if (e instanceof Executor.CheckpointOffer o) {
      onCheckpointOffer(o);
      return this;
    }
    // Only the accepted attempt of the current epoch speaks for the job: an attempt given up
    // (refused, timed out) leaves the job PENDING under its old epoch until the next Start.
    if (e.epoch() != epoch || state != JobState.RUNNING) {
      getContext().getLog().debug("job {}: ignored {} from epoch {} (current {}, {})", spec.id(),
          e.getClass().getSimpleName(), e.epoch(), epoch, state);
      return this;
    }
    if (e instanceof Executor.OutputBatch b) {
      onOutput(b);
    } else if (e instanceof Executor.FileOps ops) {
      onFileOps(ops);
    } else if (e instanceof Executor.Checkpoint c) {
      keepCheckpoint(c);
    } else if (e instanceof Executor.Report r) {
      progress = r.progress();
      cpuNanos = r.cpuNanos();
      steps = r.steps();
      changed();
    } else if (e instanceof Executor.Finished fin) {
      cpuNanos = fin.cpuNanos();
      steps = fin.steps();
      progress = 1.0;
      result = fin.result();
      resultJson = Limits.cut(codec.toJson(fin.result()), Limits.RESULT_PREVIEW_CHARS);
      end(JobState.SUCCEEDED, null);
    } else if (e instanceof Executor.Failed fail) {
      cpuNanos = fail.cpuNanos();
      steps = fail.steps();
      getContext().getLog().info("job {} failed on {}: {}\n{}", spec.id(), host, fail.error(),
          fail.stackTrace());
      end(JobState.FAILED, Limits.cut(fail.error(), Limits.ERROR_CHARS));
    } else if (e instanceof Executor.Cancelled c) {
      cpuNanos = c.cpuNanos();
      steps = c.steps();
      end(JobState.CANCELLED, cancelReason);
    }
    return this;
  }

  /**
   * Applies each file write once, in order (a repeat of one applied is skipped), and
   * acknowledges what it has; a write refused (outside the workspace, over the size limit) is
   * passed over, and its reason goes back with the acknowledgement.
   */
  private void onFileOps(Executor.FileOps f) {
    String refused = null;
    for (Executor.FileOp op : f.ops()) {
      if (op.seq() <= fileApplied) {
        continue;
      }
      if (op.seq() > fileApplied + 1) {
        getContext().getLog().error("job {}: file writes {}..{} never arrived", spec.id(),
            fileApplied + 1, op.seq() - 1);
      }
      if (op.callBytes() < 0 && skippingCall) {
        fileApplied = op.seq();
        continue;
      }
      skippingCall = false;
      try {
        if (op.callBytes() >= 0 && op.kind() != Executor.FileOpKind.DELETE) {
          workspace().checkRoom(op.path(), op.kind() == Executor.FileOpKind.APPEND, op.offset(),
              op.callBytes());
        }
        switch (op.kind()) {
          case APPEND -> workspace().append(op.path(), op.data());
          case WRITE -> workspace().write(op.path(), op.offset(), op.data());
          case DELETE -> workspace().delete(op.path());
        }
        if (op.data() != null) {
          HomeMeters.io(homeNode, "write", op.data().length);
        }
      } catch (IOException | RuntimeException ex) {
        String why = describe(ex, op.path());
        getContext().getLog().info("job {}: write {} to {} refused: {}", spec.id(), op.seq(),
            op.path(), why);
        if (refused == null) {
          refused = why;
        }
        skippingCall = true;
      }
      fileApplied = op.seq();
    }
    f.ackTo().tell(new Executor.FileAck(spec.id(), epoch, fileApplied, refused));
  }

  /** Where a host sends a batch of writes: this node's side channel, expecting it. */
  private void onFileDataOffer(Executor.FileDataOffer o) {
    if (o.epoch() != epoch || state != JobState.RUNNING || side == null
        || o.bytes() > 2L * Executor.SIDE_MAX_BYTES) { // the host's offers ask for this much
      o.replyTo().tell(new Executor.FileDataReply(null, side == null ? "no side channel at home"
          : "not for epoch " + o.epoch() + " of a job " + state + " at epoch " + epoch));
      return;
    }
    ActorRef<Command> self = getContext().getSelf();
    long at = epoch;
    String token = side.expect(o.bytes(), FILE_DATA,
        arrival -> self.tell(new FileDataArrived(at, o.ackTo(), arrival)));
    // a host that never comes (it died) leaves no welcome behind
    getContext().getSystem().scheduler().scheduleOnce(settings.startTimeout(),
        () -> side.forget(token), getContext().getExecutionContext());
    o.replyTo().tell(new Executor.FileDataReply(
        new Transfer.SideOffer(side.host(), side.port(), token), null));
  }

  /** Kept only if home has what it follows: every line and write numbered before it. */
  private void keepCheckpoint(Executor.Checkpoint c) {
    if (c.nextSeq() - 1 <= nextSeq - 1 && c.nextFileSeq() - 1 <= fileApplied) {
      checkpoint = c;
      HomeMeters.checkpoint(homeNode, c.state().bytes().length);
      persist();
      if (c.nextInputLine() > inputBase) { // no restart reads the lines before it again
        input.subList(0, (int) Math.min(input.size(), c.nextInputLine() - inputBase)).clear();
        inputBase = c.nextInputLine();
      }
    }
  }

  /** Where a host sends a checkpoint too large for a message: this node's side channel. */
  private void onCheckpointOffer(Executor.CheckpointOffer o) {
    if (o.epoch() != epoch || state != JobState.RUNNING || side == null
        || o.bytes() > MAX_SIDE_CHECKPOINT_BYTES) {
      o.replyTo().tell(new Executor.FileDataReply(null, side == null ? "no side channel at home"
          : o.bytes() > MAX_SIDE_CHECKPOINT_BYTES ? "a checkpoint of " + o.bytes() + " bytes is"
              + " more than home keeps"
          : "not for epoch " + o.epoch() + " of a job " + state + " at epoch " + epoch));
      return;
    }
    ActorRef<Command> self = getContext().getSelf();
    String token = side.expect(o.bytes(), SideChannel.BYTES,
        arrival -> self.tell(new CheckpointArrived(o, arrival)));
    getContext().getSystem().scheduler().scheduleOnce(settings.startTimeout(),
        () -> side.forget(token), getContext().getExecutionContext());
    o.replyTo().tell(new Executor.FileDataReply(
        new Transfer.SideOffer(side.host(), side.port(), token), null));
  }

  /** What one array holds, less the side channel's framing. */
  static final long MAX_SIDE_CHECKPOINT_BYTES = Integer.MAX_VALUE - 64;

  private Behavior<Command> onCheckpointArrived(CheckpointArrived a) {
    Executor.CheckpointOffer o = a.offer();
    if (!(a.arrival() instanceof SideChannel.Arrived got)) {
      getContext().getLog().info("job {}: a checkpoint broke on the side channel: {}", spec.id(),
          ((SideChannel.Broken) a.arrival()).reason());
      return this;
    }
    if (o.epoch() != epoch || state != JobState.RUNNING) {
      return this; // as for any event of an epoch gone
    }
    keepCheckpoint(new Executor.Checkpoint(spec.id(), o.epoch(),
        new Payload(o.className(), (byte[]) got.value()), o.nextSeq(), o.nextFileSeq(),
        o.nextInputLine(), o.cpuNanos(), o.steps()));
    return this;
  }

  /** The side channel's reader of write batches (the executor package's format). */
  private static final SideChannel.Reader FILE_DATA = Executor.fileDataReader();

  private Behavior<Command> onFileDataArrived(FileDataArrived a) {
    if (!(a.arrival() instanceof SideChannel.Arrived got)) {
      // the host hears its send failed and sends the batch over Artery
      getContext().getLog().info("job {}: a batch of writes broke on the side channel: {}",
          spec.id(), ((SideChannel.Broken) a.arrival()).reason());
      return this;
    }
    if (a.epoch() != epoch || state != JobState.RUNNING) {
      return this; // as for any event of an epoch gone
    }
    @SuppressWarnings("unchecked")
    List<Executor.FileOp> ops = (List<Executor.FileOp>) got.value();
    onFileOps(new Executor.FileOps(spec.id(), a.epoch(), ops, a.ackTo()));
    return this;
  }

  /** Reads for the unit of the current epoch; others are told the job moved on. */
  private void onFileRequest(Executor.FileRequest q) {
    if (q.epoch() != epoch || state != JobState.RUNNING) {
      q.replyTo().tell(new Executor.FileReply(null, 0, null, "job " + spec.id()
          + " runs under epoch " + epoch + " now, not " + q.epoch(), "io"));
      return;
    }
    try {
      if (q.kind() == Executor.FileRequestKind.STREAM) {
        stream(q);
        return;
      }
      Executor.FileReply r = switch (q.kind()) {
        case READ -> new Executor.FileReply(workspace().read(q.path(), q.offset(),
            Math.min(q.length(), READ_CHUNK)), 0, null, null, null);
        case SIZE -> new Executor.FileReply(null, workspace().size(q.path()), null, null, null);
        case LIST -> new Executor.FileReply(null, 0, workspace().list(q.path()), null, null);
        case STREAM -> throw new IllegalStateException("streamed above");
      };
      HomeMeters.io(homeNode, "read", r.data() == null ? 0 : r.data().length);
      q.replyTo().tell(r);
    } catch (IOException | RuntimeException ex) {
      String kind = ex instanceof NoSuchFileException ? "missing"
          : ex instanceof AccessDeniedException ? "denied" : "io";
      q.replyTo().tell(new Executor.FileReply(null, 0, null, describe(ex, q.path()), kind));
    }
  }

  /**
   * A range for a unit that reads sequentially: in the reply if it is little, else streamed to
   * the host's side channel ({@link FileStream}) by a thread that writes as the unit reads. Too
   * many streams at once from this node: the host is told so and reads in pieces.
   */
  private void stream(Executor.FileRequest q) throws IOException {
    long size = workspace().size(q.path());
    long n = Math.max(0, Math.min(size - q.offset(), q.length()));
    if (n <= READ_CHUNK || q.side() == null) {
      byte[] data = workspace().read(q.path(), q.offset(), (int) Math.min(n, READ_CHUNK));
      HomeMeters.io(homeNode, "read", data.length);
      q.replyTo().tell(new Executor.FileReply(data, 0, null, null, null));
      return;
    }
    if (!STREAM_PERMITS.tryAcquire()) {
      q.replyTo().tell(new Executor.FileReply(null, 0, null, "home streams "
          + MAX_STREAMS + " files already", "busy"));
      return;
    }
    java.nio.channels.FileChannel file;
    try {
      file = workspace().openRead(q.path());
    } catch (IOException | RuntimeException e) {
      STREAM_PERMITS.release();
      throw e;
    }
    q.replyTo().tell(new Executor.FileReply(null, n, null, null, null));
    SideChannel.send(q.side().host(), q.side().port(), q.side().token(), q.path(),
            SideChannel.PLAIN, FileStream.framedSize(n),
            out -> FileStream.write(file, q.offset(), n, out), settings.startTimeout(), 0,
            STREAM_SENDERS, io.drift.migration.executor.SideChannelTls.of(getContext().getSystem()))
        .done().whenComplete((crc, ex) -> {
          STREAM_PERMITS.release();
          if (ex == null) {
            HomeMeters.io(homeNode, "read", n);
          }
          try {
            file.close();
          } catch (IOException ignored) {
            // read only: nothing to lose
          }
        });
  }

  /** File streams this JVM sends at once, at most: each holds a thread while its unit reads. */
  static final int MAX_STREAMS = 64;
  private static final java.util.concurrent.Semaphore STREAM_PERMITS =
      new java.util.concurrent.Semaphore(MAX_STREAMS);
  private static final java.util.concurrent.ExecutorService STREAM_SENDERS =
      java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "drift-file-stream");
        t.setDaemon(true);
        return t;
      });

  /** The largest read answered at once: far below Artery's frame. */
  static final int READ_CHUNK = 64 * 1024;

  /** Why a file call failed, cut to fit a message. */
  private static String describe(Exception ex, String path) {
    String why;
    if (ex instanceof NoSuchFileException) {
      why = "no file " + path + " in the job's workspace";
    } else if (ex instanceof AccessDeniedException a) {
      why = path + ": " + (a.getReason() != null ? a.getReason() : "refused");
    } else {
      why = ex.getMessage() != null ? ex.getMessage() : ex.toString();
    }
    return Limits.cut(why, Limits.ERROR_CHARS);
  }

  /** Applies each sequence number once, in order; acknowledges what it has. */
  private void onOutput(Executor.OutputBatch b) {
    List<OutputLine> accepted = new ArrayList<>(b.lines().size());
    for (OutputLine line : b.lines()) {
      if (line.seq() < nextSeq) {
        continue; // a duplicate: already recorded
      }
      if (line.seq() > nextSeq) {
        getContext().getLog().error("job {}: output lines {}..{} never arrived", spec.id(), nextSeq,
            line.seq() - 1);
      }
      accepted.add(line);
      nextSeq = line.seq() + 1;
      if (settings.maxKeptLines() > 0) {
        if (kept.size() >= settings.maxKeptLines()) {
          kept.removeFirst();
        }
        kept.addLast(line);
      }
    }
    b.ackTo().tell(new Executor.OutputAck(spec.id(), epoch, nextSeq - 1));
    if (!accepted.isEmpty()) {
      Output out = new Output(spec.id(), List.copyOf(accepted));
      subscribers.forEach(s -> s.tell(out));
    }
  }

  // ---- moves ---------------------------------------------------------------------------------

  private Behavior<Command> onMigrate(Migrate m) {
    if (CONTINUE.equals(m.target())) {
      return onContinue(m);
    }
    boolean elsewhere = Executor.ELSEWHERE.equals(m.target());
    boolean freeze = FREEZE.equals(m.target());
    String target = HOME.equals(m.target()) || freeze ? homeNode : m.target();
    String no = state == JobState.FROZEN ? "job " + spec.id() + " is frozen: continue it first"
        : state != JobState.RUNNING ? "job " + spec.id() + " is " + state
        + ": only a running job can move"
        : !spec.migratable() ? "job " + spec.id() + " is pinned (submitted as not migratable)"
        : startOutstanding ? "job " + spec.id() + " is starting on " + host + "; ask again"
        : movingTo != null ? "job " + spec.id() + (freezing ? " is being frozen"
            : " is moving to " + movingTo) + " already"
        : cancelRequested ? "job " + spec.id() + " is being cancelled"
        : !freeze && target.equals(host) ? "job " + spec.id() + " runs on " + host + " already"
        : null;
    if (no == null && elsewhere) {
      // the best node but this one, by this node's balancer
      movingTo = Executor.ELSEWHERE;
      freezing = false;
      moveWaiters.add(m.replyTo());
      balancer.tell(new Balancer.Place(spec.id(), spec.memoryMb(), Set.of(host), Map.of(),
          getContext().messageAdapter(Balancer.PlaceReply.class, ElsewhereFound::new)));
      return this;
    }
    if (no != null) {
      m.replyTo().tell(new MigrateAnswer(spec.id(), false, no, info()));
      return this;
    }
    movingTo = target;
    freezing = freeze;
    moveWaiters.add(m.replyTo());
    balancer.tell(new Balancer.Locate(target,
        getContext().messageAdapter(Balancer.Location.class, Located::new)));
    return this;
  }

  /**
   * A host's balancer would move the unit: the same checks and path as a move a user asks for;
   * a one-shot child passes the answer on as a line.
   */
  private void onMoveWanted(Executor.MoveWanted w) {
    if (w.epoch() != epoch) {
      w.outcome().tell("job " + spec.id() + " moved on already (epoch " + epoch + ")");
      return;
    }
    ActorRef<MigrateAnswer> relay = getContext().spawnAnonymous(
        Behaviors.<MigrateAnswer>receiveMessage(a -> {
          w.outcome().tell((a.moved() ? "moved: " : "not moved: ") + a.message());
          return Behaviors.stopped();
        }));
    onMigrate(new Migrate(w.target(), relay));
  }

  private Behavior<Command> onElsewhereFound(ElsewhereFound f) {
    if (!Executor.ELSEWHERE.equals(movingTo)) {
      return this;
    }
    if (f.reply() instanceof Balancer.Placed p) {
      movingTo = p.node();
      return onLocated(new Located(new Balancer.Location(p.node(), p.executorPath(), null)));
    }
    answerMove(false, "no other node can take it now: " + f.reply().decision().reason());
    return this;
  }

  private Behavior<Command> onLocated(Located l) {
    Balancer.Location loc = l.location();
    if (movingTo == null || !movingTo.equals(loc.node())) {
      return this;
    }
    if (loc.executorPath() == null) {
      answerMove(false, loc.problem());
    } else if (state != JobState.RUNNING || startOutstanding) {
      answerMove(false, "job " + spec.id() + " is " + state + " now");
    } else {
      ActorRef<Executor.Command> target = resolve(loc.executorPath());
      moveFromEpoch = epoch;
      executor.tell(new Executor.MigrateOut(spec.id(), epoch, loc.node(), target, freezing,
          getContext().messageAdapter(Executor.MigrateResult.class, MoveResult::new)));
    }
    return this;
  }

  private Behavior<Command> onMoveResult(MoveResult r) {
    // only the answer to the move under way counts: a late one of an earlier move does not
    if (movingTo == null || (r.result() instanceof Executor.Migrated m
        ? freezing || m.newEpoch() != moveFromEpoch + 1
        : ((Executor.NotMigrated) r.result()).epoch() != moveFromEpoch)) {
      return this; // (a freeze is answered when home's executor confirms the file)
    }
    if (r.result() instanceof Executor.Migrated m) {
      movedMessage = "moved to " + m.target() + " (" + m.bytes() + " bytes"
          + (m.viaSideChannel() ? " over the side channel" : " over Artery");
      if (!startOutstanding) {
        answerMove(true, movedMessage + frozenText()); // the target's Accepted came first
      }
    } else if (r.result() instanceof Executor.NotMigrated n) {
      answerMove(false, n.reason());
    }
    return this;
  }

  private String frozenText() {
    return String.format(Locale.ROOT, ", frozen %.1f ms)", lastMoveFrozenNanos / 1e6);
  }

  private void answerMove(boolean moved, String message) {
    if (continueTo != null && state == JobState.RUNNING) {
      // a continue whose unit runs again at home, answered with its move on to the best node
      message = moved ? "continued; " + message : "continued at home " + homeNode
          + "; not moved on to " + continueTo + ": " + message;
      moved = true;
    }
    movingTo = null;
    freezing = false;
    continueTo = null;
    movedMessage = null;
    MigrateAnswer a = new MigrateAnswer(spec.id(), moved, message, info());
    moveWaiters.forEach(w -> w.tell(a));
    moveWaiters.clear();
  }

  /**
   * Step 4 of a move: the source holds the unit paused, the target holds its state. Raise the
   * epoch, record the target, and only then let the target start: from now on the source's
   * epoch is stale. A repeated request for the same transfer gets the same answer.
   */
  private void onRelocate(Executor.Relocate r) {
    if (pendingFreeze != null && r.transferId().equals(pendingFreeze.transferId())) {
      return; // answered once the file is written (or not)
    }
    if (r.transferId().equals(lastTransferId)) {
      r.replyTo().tell(new Transfer.Relocated(r.transferId(), lastTransferEpoch));
      return;
    }
    String no = r.epoch() != epoch || state != JobState.RUNNING || startOutstanding
        ? "the job is " + state + " at epoch " + epoch + ", the request is for epoch " + r.epoch()
        : cancelRequested ? "the job is being cancelled"
        : r.lastSeq() > nextSeq - 1 ? "output up to line " + r.lastSeq()
            + " is not all recorded yet (" + (nextSeq - 1) + " are)"
        : null;
    if (no != null) {
      r.replyTo().tell(new Transfer.RelocateRefused(r.transferId(), no));
      return;
    }
    steps = r.steps(); // exact as of the checkpoint; reports come only now and then
    cpuNanos = r.cpuNanos();
    if (r.nextInputLine() >= 0) { // where the next host reads on (-1: this one read none)
      inputCursor = r.nextInputLine();
    }
    if (freezing) {
      relocateToDisk(r);
      return;
    }
    if (executor != null) {
      unwatchHost();
    }
    epoch++;
    host = r.targetNode();
    executor = r.target();
    startOutstanding = true;
    startIsTransfer = true;
    lastTransferId = r.transferId();
    lastTransferEpoch = epoch;
    migrations++;
    bytesMoved += r.bytes();
    HomeMeters.migrated(homeNode, "move", r.bytes(), r.pausedNanos());
    movePausedNanos = r.pausedNanos();
    relocatedAtNanos = System.nanoTime();
    executor.tell(new Executor.StartReceived(r.transferId(), spec.id(), epoch, spec.name(),
        homeNode, fileApplied + 1, spec.code(), hostAdapter(), startAdapter()));
    timers.startSingleTimer(StartTimedOut.class, new StartTimedOut(epoch), settings.startTimeout());
    r.replyTo().tell(new Transfer.Relocated(r.transferId(), epoch));
    changed();
  }

  // ---- freeze and continue --------------------------------------------------------------------

  /**
   * A freeze's step 4: the state is at the home node's executor, the unit paused at its source.
   * Have the executor write the file; only once it is written does home raise the epoch and let
   * the source drop its copy. A write that fails refuses the relocation, so the source resumes
   * the unit under its old epoch: nothing is lost, and nothing has to start anew.
   */
  private void relocateToDisk(Executor.Relocate r) {
    pendingFreeze = r;
    freezeOutstanding = true;
    homeExecutor = r.target();
    movePausedNanos = r.pausedNanos();
    relocatedAtNanos = System.nanoTime();
    homeExecutor.tell(new Executor.FreezeReceived(r.transferId(), spec.id(), epoch,
        getContext().messageAdapter(Executor.FreezeReply.class, FreezeResult::new)));
  }

  private Behavior<Command> onFreezeResult(FreezeResult f) {
    Executor.FreezeReply reply = f.reply();
    if (reply.epoch() != epoch || !freezeOutstanding) {
      return this;
    }
    freezeOutstanding = false;
    Executor.Relocate r = pendingFreeze;
    pendingFreeze = null;
    boolean sourceGone = freezeSourceGone;
    freezeSourceGone = false;
    if (reply instanceof Executor.FrozenToDisk done) {
      if (executor != null) {
        unwatchHost();
      }
      epoch++; // the source's copy is stale from here
      executor = null;
      host = "";
      state = JobState.FROZEN;
      lastTransferId = r.transferId();
      lastTransferEpoch = epoch;
      migrations++;
      bytesMoved += r.bytes();
      HomeMeters.migrated(homeNode, "freeze", r.bytes(), r.pausedNanos());
      frozenSinceNanos = relocatedAtNanos - r.pausedNanos();
      r.replyTo().tell(new Transfer.Relocated(r.transferId(), epoch));
      if (cancelRequested) {
        homeExecutor.tell(new Executor.DeleteFrozen(spec.id()));
        end(JobState.CANCELLED, cancelReason);
        return this;
      }
      answerMove(true, "frozen at home " + homeNode + " (" + done.bytes() + " bytes in "
          + done.file() + ")");
      changed();
      return this;
    }
    String why = "not frozen: " + ((Executor.NotFrozen) reply).reason();
    if (!sourceGone) {
      // the source resumes under the current epoch and answers the move with this reason
      r.replyTo().tell(new Transfer.RelocateRefused(r.transferId(), why));
      if (cancelRequested) {
        executor.tell(new Executor.Cancel(spec.id(), epoch));
      }
      return this;
    }
    // The source's node left meanwhile: the only copy is the state home's executor kept.
    epoch++;
    host = homeNode;
    executor = homeExecutor;
    startOutstanding = true;
    startIsTransfer = true;
    lastTransferId = r.transferId();
    lastTransferEpoch = epoch;
    executor.tell(new Executor.StartReceived(r.transferId(), spec.id(), epoch, spec.name(),
        homeNode, fileApplied + 1, spec.code(), hostAdapter(), startAdapter()));
    timers.startSingleTimer(StartTimedOut.class, new StartTimedOut(epoch), settings.startTimeout());
    answerMove(false, why + "; its host left, so it goes on at its home node " + homeNode);
    changed();
    return this;
  }

  private Behavior<Command> onContinue(Migrate m) {
    String no = state != JobState.FROZEN ? "job " + spec.id() + " is " + state
        + ": only a frozen job can continue"
        : !moveWaiters.isEmpty() ? "job " + spec.id() + " is continuing already" : null;
    if (no != null) {
      m.replyTo().tell(new MigrateAnswer(spec.id(), false, no, info()));
      return this;
    }
    moveWaiters.add(m.replyTo());
    place(); // by the normal rule; the answer comes to onPlaceResult, then thaw
    return this;
  }

  /**
   * Continue: the unit is read back at home and runs there first (the file is on this node);
   * if the rule placed it elsewhere, it then moves there by the normal path. No start timeout:
   * the executor is on this node and always answers, and a Thaw cannot be fenced once read.
   */
  private Behavior<Command> thaw(Balancer.PlaceReply placed) {
    continueTo = placed instanceof Balancer.Placed p ? p.node() : homeNode;
    epoch++;
    host = homeNode;
    executor = homeExecutor;
    startOutstanding = true;
    thawOutstanding = true;
    executor.tell(new Executor.Thaw(spec.id(), epoch, spec.name(), homeNode, fileApplied + 1,
        spec.code(), hostAdapter(), startAdapter()));
    return this;
  }

  private Behavior<Command> onThawed(Executor.StartReply reply) {
    thawOutstanding = false;
    String to = continueTo;
    if (reply instanceof Executor.Refused refused) {
      host = "";
      executor = null;
      answerMove(false, "not continued: " + refused.reason() + " (the job stays frozen)");
      if (cancelRequested) {
        homeExecutor.tell(new Executor.DeleteFrozen(spec.id()));
        end(JobState.CANCELLED, cancelReason);
      }
      return this;
    }
    state = JobState.RUNNING;
    frozenNanos += System.nanoTime() - frozenSinceNanos;
    watchHost();
    if (cancelRequested) {
      executor.tell(new Executor.Cancel(spec.id(), epoch));
    }
    changed();
    if (to.equals(homeNode) || cancelRequested) {
      continueTo = null;
      answerMove(true, "continued at home " + homeNode);
    } else {
      movingTo = to; // the continue request is answered when this move is
      balancer.tell(new Balancer.Locate(to,
          getContext().messageAdapter(Balancer.Location.class, Located::new)));
    }
    return this;
  }

  // ---- clients ------------------------------------------------------------------------------

  private Behavior<Command> onSubscribe(Subscribe s) {
    ActorRef<JobEvent> sub = s.subscriber();
    List<OutputLine> batch = new ArrayList<>(REPLAY_BATCH);
    int chars = 0;
    for (OutputLine line : kept) {
      if (batch.size() == REPLAY_BATCH || chars + line.text().length() > Limits.BATCH_CHARS) {
        sub.tell(new Output(spec.id(), List.copyOf(batch)));
        batch.clear();
        chars = 0;
      }
      batch.add(line);
      chars += line.text().length();
    }
    if (!batch.isEmpty()) {
      sub.tell(new Output(spec.id(), List.copyOf(batch)));
    }
    if (state.isFinal()) {
      sub.tell(new Completed(info(), result));
    } else {
      sub.tell(new Update(info()));
      subscribers.add(sub);
      getContext().watchWith(sub, new SubscriberGone(sub));
    }
    return this;
  }

  private Behavior<Command> onCancel(Cancel c) {
    if (state.isFinal()) {
      c.replyTo().tell(new InfoReply(info()));
      return this;
    }
    cancelWaiters.add(c.replyTo());
    if (!cancelRequested) {
      cancelRequested = true;
      cancelReason = c.reason() == null || c.reason().isBlank() ? "cancelled by request" : c.reason();
      if (freezeOutstanding) {
        return this; // ends when the executor says whether it wrote the file
      }
      if (state == JobState.FROZEN && !startOutstanding) {
        homeExecutor.tell(new Executor.DeleteFrozen(spec.id()));
        end(JobState.CANCELLED, cancelReason);
      } else if (executor != null) {
        executor.tell(new Executor.Cancel(spec.id(), epoch)); // ordered after our Start
      } else {
        end(JobState.CANCELLED, cancelReason);
      }
    }
    return this;
  }

  // ---- record -------------------------------------------------------------------------------

  private void end(JobState finalState, String why) {
    state = finalState;
    if (store != null) {
      try {
        store.delete(spec.id()); // ended: a restarted home has nothing to resume
      } catch (IOException e) {
        getContext().getLog().warn("job {}: could not delete its record in {}: {}", spec.id(),
            store.dir(), e.toString());
      }
    }
    while (kept.size() > settings.maxKeptLinesFinished()) {
      kept.removeFirst(); // a finished job keeps only its last lines for late readers
    }
    error = why;
    startOutstanding = false;
    releaseHomeSlot();
    timers.cancelAll();
    if (executor != null) {
      unwatchHost();
    }
    JobInfo info = info();
    Completed done = new Completed(info, finalState == JobState.SUCCEEDED ? result : null);
    subscribers.forEach(s -> {
      s.tell(done);
      getContext().unwatch(s);
    });
    subscribers.clear();
    cancelWaiters.forEach(w -> w.tell(new InfoReply(info)));
    cancelWaiters.clear();
    if (!moveWaiters.isEmpty()) {
      answerMove(false, "the job ended (" + finalState + ")");
    }
    manager.tell(new HomeManager.Updated(info));
  }

  /** Writes the job's record with its latest checkpoint (on this blocking-dispatcher thread). */
  private void persist() {
    if (store == null) {
      return;
    }
    try {
      store.save(new JobStore.Record(spec, submittedAtMillis, checkpoint, restarts, migrations,
          state == JobState.QUEUED ? queue : -1));
    } catch (IOException e) {
      getContext().getLog().warn("job {}: could not write its record to {}: {}; a restart of"
          + " this node would not resume it", spec.id(), store.dir(), e.toString());
    }
  }

  /**
   * The job as its record on disk left it, after this node restarted: it starts again from its
   * latest checkpoint (or its start), as after a host that died (decision 0017). Output and file
   * writes numbered before the checkpoint count as done; those after it are made again.
   */
  private void resume(JobStore.Record r) {
    restarts = r.restarts();
    migrations = r.migrations();
    checkpoint = r.checkpoint();
    if (checkpoint != null) {
      nextSeq = checkpoint.nextSeq();
      fileApplied = checkpoint.nextFileSeq() - 1;
      cpuNanos = checkpoint.cpuNanos();
      steps = checkpoint.steps();
      if (checkpoint.nextInputLine() >= 0) {
        inputBase = checkpoint.nextInputLine(); // lines before it are gone with the old node
        inputCursor = inputBase;
      }
    }
    restartFrom = checkpoint != null ? checkpoint
        : new Executor.Checkpoint(spec.id(), 0, spec.unit(), 1, 1, 0, 0, 0);
    restarts++;
    getContext().getLog().info("job {} resumes after its home node restarted, from {}",
        spec.id(), checkpoint != null ? "its checkpoint at step " + checkpoint.steps()
            : "its start");
  }

  /** Tells subscribers and the manager; cheap enough at the executor's report rate. */
  private void changed() {
    JobInfo info = info();
    Update u = new Update(info);
    subscribers.forEach(s -> s.tell(u));
    manager.tell(new HomeManager.Updated(info));
  }

  private JobInfo info() {
    return new JobInfo(spec.id(), spec.name(), spec.unitClass(), homeNode, host, state, epoch,
        cpuNanos, steps, progress, nextSeq - 1, submittedAtMillis, error,
        state == JobState.SUCCEEDED ? resultJson : null, migrations, bytesMoved,
        (frozenNanos + (state == JobState.FROZEN ? System.nanoTime() - frozenSinceNanos : 0)) / 1000);
  }
}
