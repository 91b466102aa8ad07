package io.drift.migration.executor;

import io.drift.api.JobId;
import io.drift.api.OutputLine;
import io.drift.api.WorkUnit;
import io.drift.migration.ExecutorWire;
import io.drift.migration.codec.Payload;
import io.drift.migration.codec.StateCodec;
import io.drift.migration.codec.StateCodecException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * The node's executor: accepts units placed here by their homes, runs them on the
 * {@link SlotRunner}'s threads, and speaks for them to their homes (output, progress, end).
 * Start, cancel and output acknowledgements come from homes on any node.
 */
public final class Executor extends AbstractBehavior<Executor.Command> {

  public sealed interface Command {}

  /**
   * Run this unit here under {@code epoch}. Numbering of its output continues at {@code firstSeq}
   * and its CPU time at {@code cpuNanosSoFar}, so a unit restarted elsewhere keeps its counts.
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
      ActorRef<HostEvent> home,
      ActorRef<StartReply> replyTo)
      implements Command, ExecutorWire {}

  public sealed interface StartReply extends ExecutorWire {
    JobId jobId();

    long epoch();
  }

  public record Accepted(JobId jobId, long epoch, String host) implements StartReply {}

  public record Refused(JobId jobId, long epoch, String host, String reason) implements StartReply {}

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

  public record Units(String host, int slots, List<UnitInfo> units) implements ExecutorWire {}

  public record UnitInfo(JobId jobId, String name, long epoch, boolean guest, String phase) {}

  private record UnitPaused(UnitTask task) implements Command {}

  private record HomeLeft(String node) implements Command {}

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
   * @param runner the slot threads; started here and closed when the actor stops
   * @param selfNode this node as {@code host:port}
   */
  public static Behavior<Command> create(SlotRunner runner, StateCodec codec, String selfNode) {
    return Behaviors.setup(ctx -> new Executor(ctx, runner, codec, selfNode));
  }

  /**
   * The same, in a cluster: guests whose home node is removed from the cluster are cancelled,
   * as nothing they produce can reach anyone (restarting them is the home's job, from its
   * checkpoint, once homes keep checkpoints).
   */
  public static Behavior<Command> createInCluster(
      SlotRunner runner, StateCodec codec, String selfNode) {
    return Behaviors.setup(ctx -> {
      Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(
          ctx.messageAdapter(ClusterEvent.MemberRemoved.class, e -> new HomeLeft(
              e.member().address().host().get() + ":" + e.member().address().port().get())),
          ClusterEvent.MemberRemoved.class));
      return new Executor(ctx, runner, codec, selfNode);
    });
  }

  private final SlotRunner runner;
  private final StateCodec codec;
  private final String selfNode;
  private final Map<JobId, UnitTask> tasks = new HashMap<>();
  private final Map<JobId, List<ActorRef<PauseReply>>> pauseWaiters = new HashMap<>();

  private Executor(ActorContext<Command> ctx, SlotRunner runner, StateCodec codec, String selfNode) {
    super(ctx);
    this.runner = runner;
    this.codec = codec;
    this.selfNode = selfNode;
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

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Start.class, this::onStart)
        .onMessage(Cancel.class, this::onCancel)
        .onMessage(OutputAck.class, this::onOutputAck)
        .onMessage(Pause.class, this::onPause)
        .onMessage(Resume.class, this::onResume)
        .onMessage(GetUnits.class, this::onGetUnits)
        .onMessage(UnitPaused.class, this::onUnitPaused)
        .onMessage(UnitEnded.class, this::onUnitEnded)
        .onMessage(HomeLeft.class, this::onHomeLeft)
        .onSignal(PostStop.class, s -> {
          runner.close();
          return this;
        })
        .build();
  }

  private Behavior<Command> onStart(Start s) {
    UnitTask existing = tasks.get(s.jobId());
    if (existing != null) {
      s.replyTo().tell(new Refused(s.jobId(), s.epoch(), selfNode,
          "job " + s.jobId() + " already runs here under epoch " + existing.epoch()));
      return this;
    }
    boolean guest = !selfNode.equals(s.homeNode());
    if (guest && !runner.settings().acceptGuests()) {
      return refuse(s, "node " + selfNode + " does not accept guests");
    }
    if (runner.runnableUnits() >= runner.settings().maxRunnable()) {
      return refuse(s, "node " + selfNode + " is full (" + runner.runnableUnits()
          + " runnable units, drift.executor.max-runnable = " + runner.settings().maxRunnable() + ")");
    }
    Object decoded;
    try {
      decoded = codec.decode(s.unit(), Thread.currentThread().getContextClassLoader());
    } catch (ClassNotFoundException e) {
      return refuse(s, "unit class " + s.unit().className() + " is not on the class path of node "
          + selfNode);
    } catch (StateCodecException e) {
      return refuse(s, e.getMessage());
    }
    if (!(decoded instanceof WorkUnit<?> unit)) {
      return refuse(s, s.unit().className() + " is not a " + WorkUnit.class.getName());
    }
    UnitTask task = new UnitTask(s.jobId(), s.epoch(), s.jobName(), s.homeNode(), guest, unit,
        new ActorHomeLink(s.jobId(), s.epoch(), s.home(), getContext().getSelf()), selfNode,
        runner.settings(), s.firstSeq(), s.cpuNanosSoFar(), s.stepsSoFar());
    tasks.put(s.jobId(), task);
    // Accept before the first step can run: home then hears Accepted before any event of it.
    s.replyTo().tell(new Accepted(s.jobId(), s.epoch(), selfNode));
    runner.enqueue(task);
    getContext().getLog().debug("job {} ({}) started under epoch {}", s.jobId(), s.jobName(), s.epoch());
    return this;
  }

  private Behavior<Command> refuse(Start s, String reason) {
    getContext().getLog().info("refused job {}: {}", s.jobId(), reason);
    s.replyTo().tell(new Refused(s.jobId(), s.epoch(), selfNode, reason));
    return this;
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
    UnitTask t = tasks.get(r.jobId());
    if (t != null) {
      runner.resume(t);
    }
    return this;
  }

  private Behavior<Command> onGetUnits(GetUnits g) {
    List<UnitInfo> list = new ArrayList<>();
    tasks.values().forEach(t -> list.add(
        new UnitInfo(t.jobId, t.jobName, t.epoch, t.guest, t.phase().name())));
    g.replyTo().tell(new Units(selfNode, runner.slots(), list));
    return this;
  }

  private Behavior<Command> onUnitPaused(UnitPaused p) {
    UnitTask t = p.task();
    List<ActorRef<PauseReply>> waiting = pauseWaiters.remove(t.jobId);
    if (waiting != null) {
      waiting.forEach(w -> w.tell(new Paused(t.jobId, t.epoch, t.cpuNanos, t.steps)));
    }
    return this;
  }

  private Behavior<Command> onUnitEnded(UnitEnded e) {
    UnitTask t = e.task();
    tasks.remove(t.jobId, t);
    List<ActorRef<PauseReply>> waiting = pauseWaiters.remove(t.jobId);
    if (waiting != null) {
      waiting.forEach(w -> w.tell(new NotHere(t.jobId)));
    }
    return this;
  }

  private Behavior<Command> onHomeLeft(HomeLeft h) {
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
      JobId jobId, long epoch, ActorRef<HostEvent> home, ActorRef<Command> self)
      implements HomeLink {
    @Override
    public void output(List<OutputLine> lines) {
      home.tell(new OutputBatch(jobId, epoch, lines, self));
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
