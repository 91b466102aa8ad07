package io.drift.home;

import io.drift.api.JobId;
import io.drift.api.JobInfo;
import io.drift.api.JobState;
import io.drift.balancer.Balancer;
import io.drift.balancer.HomeStarts;
import io.drift.migration.codec.StateCodec;
import io.drift.migration.code.CodeStore;
import io.drift.migration.executor.SideChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Parent of this node's {@link HomeProxy} actors, one per job homed here. Keeps the latest
 * record of each (the proxies tell it of every change) so listings need no round of asks, and
 * forgets the oldest finished jobs past {@code drift.home.retain-finished}.
 */
public final class HomeManager extends AbstractBehavior<HomeManager.Command> {

  public sealed interface Command {}

  /**
   * Record a new job homed here and start placing it. {@code queue}: its batch-queue priority
   * (lower first), or -1: placed at once; {@code subscriber}: hears the job's events from its
   * creation on (null: none yet); {@code idGiven}: the submitter chose the spec's id, so a
   * clash is refused, not renamed.
   */
  public record Create(HomeProxy.Spec spec, int queue, ActorRef<Created> replyTo,
      ActorRef<HomeProxy.JobEvent> subscriber, boolean idGiven) implements Command {
    public Create(HomeProxy.Spec spec, int queue, ActorRef<Created> replyTo) {
      this(spec, queue, replyTo, null, false);
    }

    public Create(HomeProxy.Spec spec, ActorRef<Created> replyTo) {
      this(spec, -1, replyTo);
    }
  }

  /** How many jobs homed here are in each state (every state, 0 included). */
  public record CountJobs(ActorRef<JobCounts> replyTo) implements Command {}

  public record JobCounts(String homeNode, Map<JobState, Integer> byState) {
    public int unfinished() {
      int n = 0;
      for (Map.Entry<JobState, Integer> e : byState.entrySet()) {
        if (!e.getKey().isFinal()) {
          n += e.getValue();
        }
      }
      return n;
    }
  }

  /** The batch queue (MOSIX: mosq), in the order it admits. */
  public record GetQueue(ActorRef<Queue> replyTo) implements Command {}

  public record Queue(String homeNode, List<Queued> jobs) {}

  /** @param position 1 for the next to be admitted */
  public record Queued(JobId id, String name, int priority, long submittedAtMillis,
      int position) {}

  /** A queued job's new priority; the answer says why not if it is not queued here. */
  public record SetQueuePriority(JobId id, int priority, ActorRef<QueueChanged> replyTo)
      implements Command {}

  public record QueueChanged(String problem, Queue queue) {}

  private enum QueueTick implements Command { INSTANCE }

  private record RoomIs(Balancer.Room room) implements Command {}

  private record SubscriberLost(ActorRef<HomeProxy.JobEvent> subscriber) implements Command {}

  /** A job's proxy follows its host's executor: told {@code gone} if the executor stops. */
  record WatchHost(ActorRef<?> executor, ActorRef<HomeProxy.Command> proxy,
      HomeProxy.HostGone gone) implements Command {}

  /** The proxy no longer follows that executor (its job ended or moved). */
  record UnwatchHost(ActorRef<?> executor, ActorRef<HomeProxy.Command> proxy)
      implements Command {}

  private record ExecutorStopped(ActorRef<?> executor) implements Command {}

  /** @param refused why the job was not created (and the others null), or null */
  public record Created(JobId jobId, String homeNode, ActorRef<HomeProxy.Command> home,
      String refused) {
    public Created(JobId jobId, String homeNode, ActorRef<HomeProxy.Command> home) {
      this(jobId, homeNode, home, null);
    }
  }

  /** At most {@code max} jobs homed here, oldest first, from position {@code from}. */
  public record ListJobs(int from, int max, ActorRef<JobList> replyTo)
      implements Command, HomeWire {}

  /** A page of the listing; {@code total} jobs are homed here now. */
  public record JobList(String homeNode, int total, int from, List<JobInfo> jobs)
      implements HomeWire {}

  public record GetJob(JobId jobId, ActorRef<JobLookup> replyTo) implements Command, HomeWire {}

  /**
   * {@code info} and {@code home} are null when no such job is homed here (any more); {@code
   * home} alone is null for a job that waits in the batch queue as a record (decision 0028):
   * {@link GetHome} gives it one.
   */
  public record JobLookup(JobId jobId, JobInfo info, ActorRef<HomeProxy.Command> home)
      implements HomeWire {}

  /**
   * Like {@link GetJob}, for a client that has something to tell the job itself (cancel it,
   * give it input, follow it): a job waiting in the batch queue gets its proxy now, still
   * queued. The answer's {@code home} is null only when no such job is homed here.
   */
  public record GetHome(JobId jobId, ActorRef<JobLookup> replyTo) implements Command, HomeWire {}

  /** Forward a move request to the job's proxy, or answer that there is no such job. */
  public record MigrateJob(JobId jobId, String target, ActorRef<HomeProxy.MigrateAnswer> replyTo)
      implements Command, HomeWire {}

  /**
   * Every job homed here that runs on another node is asked home (MOSIX: mosctl bring); the
   * answer comes once each has moved or said why not.
   */
  /** {@code from}: which hosts' jobs to bring (by node name); all of them by default. */
  public record BringHome(java.util.function.Predicate<String> from, ActorRef<Brought> replyTo)
      implements Command {
    public BringHome(ActorRef<Brought> replyTo) {
      this(host -> true, replyTo);
    }
  }

  /** {@code moved}: the jobs that came home; {@code notMoved}: the others, and why. */
  public record Brought(List<String> moved, java.util.Map<String, String> notMoved) {}

  /** A proxy's record changed. */
  public record Updated(JobInfo info) implements Command {}

  /** The record of a queued job without a proxy is on disk (or could not be written). */
  private record QueuedWritten(JobId jobId) implements Command {}

  /**
   * A job in the batch queue. Until something needs its {@link HomeProxy} (its admission, or
   * a client's {@link GetHome}) it is only this, not an actor: issue 9 (e) allows a queued job
   * 1 KiB of heap, and an actor alone takes most of that (decision 0028).
   */
  private static final class QueuedJob {
    final HomeProxy.Spec spec;
    final long submittedAt;
    int priority; // lower first; change it only while out of the queue's set
    int unwritten; // writes of its record not done yet: it gets a proxy only at 0

    QueuedJob(HomeProxy.Spec spec, long submittedAt, int priority) {
      this.spec = spec;
      this.submittedAt = submittedAt;
      this.priority = priority;
    }
  }

  /** The admission order: lower priority first, then the earlier submission, then the id. */
  private static final java.util.Comparator<QueuedJob> QUEUE_ORDER =
      java.util.Comparator.<QueuedJob>comparingInt(q -> q.priority)
          .thenComparingLong(q -> q.submittedAt)
          .thenComparing(q -> q.spec.id().value());

  public static Behavior<Command> create(
      HomeSettings settings, ActorRef<Balancer.Command> balancer, String homeNode) {
    return create(settings, balancer, homeNode, null, null, null);
  }

  /** @param code the node's jars of job code; null: jobs with a jar of their own cannot run */
  /**
   * @param side the node's side channel, for file data to and from hosts; null: none
   * @param store where the node keeps its jobs' records, and finds those to resume at start;
   *     null: nowhere
   */
  public static Behavior<Command> create(HomeSettings settings,
      ActorRef<Balancer.Command> balancer, String homeNode, CodeStore code, SideChannel side,
      JobStore store) {
    return create(settings, balancer, homeNode, code, side, store, null);
  }

  /**
   * @param homeStarts this node's free slots, which its jobs take for their first start without
   *     asking the balancer (decision 0036); null: every job asks
   */
  public static Behavior<Command> create(HomeSettings settings,
      ActorRef<Balancer.Command> balancer, String homeNode, CodeStore code, SideChannel side,
      JobStore store, HomeStarts homeStarts) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(QueueTick.INSTANCE, settings.queueInterval());
      return new HomeManager(ctx, settings, balancer, homeNode, code, side, store, homeStarts);
    }));
  }

  private final HomeSettings settings;
  private final StateCodec codec = new StateCodec();
  private final ActorRef<Balancer.Command> balancer;
  private final String homeNode;
  private final CodeStore code;
  private final SideChannel side;
  private final JobStore store;
  /**
   * Every job homed here, in submission order: its latest {@link JobInfo}, or the
   * {@link QueuedJob} itself while it waits in the queue without a proxy ({@link #info}).
   */
  private final LinkedHashMap<JobId, Object> jobs = new LinkedHashMap<>();
  private final Map<JobId, ActorRef<HomeProxy.Command>> proxies = new HashMap<>();
  private final LinkedHashSet<JobId> finishedOrder = new LinkedHashSet<>(); // in finishing order
  private final ExecutorRefs executors;
  private final HomeStarts homeStarts; // null: every job asks the balancer for its place
  /** Each host executor watched, once, with the proxies following it and what to tell them. */
  private final Map<ActorRef<?>, Map<ActorRef<HomeProxy.Command>, HomeProxy.HostGone>> hosts =
      new HashMap<>();
  /** Subscribers given at creation, each watched once, with their jobs that have not ended. */
  private final Map<ActorRef<HomeProxy.JobEvent>, Set<JobId>> subscribers = new HashMap<>();
  /** The same, by job: a job has at most one subscriber given at creation. */
  private final Map<JobId, ActorRef<HomeProxy.JobEvent>> subscriberOf = new HashMap<>();
  /** The batch queue, in the order it admits ({@link #QUEUE_ORDER}). */
  private final java.util.TreeSet<QueuedJob> queue = new java.util.TreeSet<>(QUEUE_ORDER);
  /** Queued jobs that have a proxy already (a client asked for it); the others are in jobs. */
  private final Map<JobId, QueuedJob> queuedWithProxy = new HashMap<>();
  /** Clients waiting for the proxy of a queued job whose record is being written. */
  private final Map<JobId, List<ActorRef<JobLookup>>> homesAwaited = new HashMap<>();
  /** Writes queued jobs' records in order, on the blocking dispatcher; null: no store. */
  private final ActorRef<JobStore.Record> queueWriter;
  private boolean askingRoom; // one question to the balancer at a time

  private HomeManager(ActorContext<Command> ctx, HomeSettings settings,
      ActorRef<Balancer.Command> balancer, String homeNode, CodeStore code, SideChannel side,
      JobStore store, HomeStarts homeStarts) {
    super(ctx);
    this.homeStarts = homeStarts;
    this.executors = new ExecutorRefs(org.apache.pekko.actor.typed.ActorRefResolver.get(
        ctx.getSystem()));
    this.code = code;
    this.side = side;
    this.store = store;
    this.settings = settings;
    this.balancer = balancer;
    this.homeNode = homeNode;
    this.queueWriter = store == null ? null : ctx.spawn(queueWriter(store, ctx.getSelf()),
        "queue-writer", org.apache.pekko.actor.typed.DispatcherSelector.blocking());
    resumeJobs();
  }

  /**
   * One writer for all queued jobs' records, so that a job's writes land in the order they
   * were made; its proxy writes the record from its admission on, once these are done.
   */
  private static Behavior<JobStore.Record> queueWriter(JobStore store,
      ActorRef<Command> manager) {
    return Behaviors.setup(ctx -> Behaviors.receiveMessage(r -> {
      try {
        store.save(r);
      } catch (java.io.IOException | RuntimeException e) {
        // said, and the job goes on: a writer that stopped would keep every queued job
        // waiting for its write
        ctx.getLog().warn("job {}: could not write its record to {}: {}; a restart of this"
            + " node would not resume it", r.spec().id(), store.dir(), e.toString());
      }
      manager.tell(new QueuedWritten(r.spec().id()));
      return Behaviors.same();
    }));
  }

  /** The jobs this node was home to when it stopped, from their records: they go on. */
  private void resumeJobs() {
    if (store == null) {
      return;
    }
    List<String> unreadable = new ArrayList<>();
    List<JobStore.Record> records;
    try {
      records = store.load(unreadable);
    } catch (java.io.IOException e) {
      getContext().getLog().error("cannot read the job records in {}: {}; no job resumes",
          store.dir(), e.toString());
      return;
    }
    unreadable.forEach(f -> getContext().getLog().error("job record {} left alone", f));
    for (JobStore.Record r : records) {
      if (r.queue() >= 0) {
        getContext().getLog().info("job {} waits in the batch queue again after its home node"
            + " restarted (priority {})", r.spec().id(), r.queue());
        enqueue(new QueuedJob(r.spec(), r.submittedAtMillis(), r.queue()));
      } else {
        spawn(r.spec(), r.submittedAtMillis(), r, -1, null);
      }
    }
    if (!records.isEmpty()) {
      getContext().getLog().info("node {}: {} jobs resume from their records in {}", homeNode,
          records.size(), store.dir());
    }
  }

  private ActorRef<HomeProxy.Command> spawn(HomeProxy.Spec spec, long submittedAt,
      JobStore.Record resumed, int queue, ActorRef<HomeProxy.JobEvent> subscriber) {
    ActorRef<HomeProxy.Command> proxy = getContext().spawn(
        HomeProxy.create(spec, homeNode, submittedAt, settings, balancer, getContext().getSelf(),
            codec, code, side, store, resumed, queue, subscriber, executors, homeStarts),
        "job-" + spec.id().value(),
        // a home does its job's file I/O (decision 0012): on the dispatcher meant for blocking
        org.apache.pekko.actor.typed.DispatcherSelector.blocking());
    proxies.put(spec.id(), proxy);
    jobs.put(spec.id(), new JobInfo(spec.id(), spec.name(), spec.unitClass(), homeNode, "",
        queue >= 0 ? JobState.QUEUED : JobState.PENDING, 0, 0, 0, 0.0, 0, submittedAt, null,
        null, 0, 0, 0));
    return proxy;
  }

  /** A job's latest record as listings show it. */
  private JobInfo info(Object entry) {
    if (entry instanceof QueuedJob q) {
      return new JobInfo(q.spec.id(), q.spec.name(), q.spec.unitClass(), homeNode, "",
          JobState.QUEUED, 0, 0, 0, 0.0, 0, q.submittedAt, null, null, 0, 0, 0);
    }
    return (JobInfo) entry;
  }

  /** The job's place in the queue, with or without a proxy; null: it is not queued. */
  private QueuedJob queued(JobId id) {
    return jobs.get(id) instanceof QueuedJob q ? q : queuedWithProxy.get(id);
  }

  /** A queued job without a proxy: a record in the listing and in the queue's order. */
  private void enqueue(QueuedJob q) {
    jobs.put(q.spec.id(), q);
    queue.add(q);
  }

  /** Writes a queued job's record (the job has no proxy, so no other writer). */
  private void write(QueuedJob q) {
    if (queueWriter != null) {
      q.unwritten++;
      queueWriter.tell(new JobStore.Record(q.spec, q.submittedAt, null, 0, 0, q.priority));
    }
  }

  /** A queued job's proxy, made now if it has none, still queued (its record is written). */
  private ActorRef<HomeProxy.Command> proxyOf(QueuedJob q) {
    ActorRef<HomeProxy.Command> p = proxies.get(q.spec.id());
    if (p == null) {
      p = spawn(q.spec, q.submittedAt, null, q.priority, subscriberOf.get(q.spec.id()));
      queuedWithProxy.put(q.spec.id(), q);
    }
    return p;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Create.class, this::onCreate)
        .onMessage(SubscriberLost.class, this::onSubscriberLost)
        .onMessage(WatchHost.class, w -> {
          Map<ActorRef<HomeProxy.Command>, HomeProxy.HostGone> following =
              hosts.get(w.executor());
          if (following == null) {
            following = new HashMap<>();
            hosts.put(w.executor(), following);
            getContext().watchWith(w.executor(), new ExecutorStopped(w.executor()));
          }
          following.put(w.proxy(), w.gone());
          return this;
        })
        .onMessage(UnwatchHost.class, u -> {
          Map<ActorRef<HomeProxy.Command>, HomeProxy.HostGone> following =
              hosts.get(u.executor());
          if (following != null) {
            following.remove(u.proxy());
            // the watch itself stays while the executor lives: the next job placed there
            // needs it again, and a node has few executors
          }
          return this;
        })
        .onMessage(ExecutorStopped.class, x -> {
          Map<ActorRef<HomeProxy.Command>, HomeProxy.HostGone> following =
              hosts.remove(x.executor());
          if (following != null) {
            following.forEach(ActorRef::tell);
          }
          return this;
        })
        .onMessage(Updated.class, this::onUpdated)
        .onMessage(QueuedWritten.class, this::onQueuedWritten)
        .onMessage(ListJobs.class, l -> {
          l.replyTo().tell(new JobList(homeNode, jobs.size(), l.from(), jobs.values().stream()
              .skip(Math.max(0, l.from())).limit(Math.max(0, l.max())).map(this::info)
              .toList()));
          return this;
        })
        .onMessage(MigrateJob.class, m -> {
          ActorRef<HomeProxy.Command> p = proxies.get(m.jobId());
          Object entry = jobs.get(m.jobId());
          if (entry instanceof QueuedJob) { // as its proxy would answer, without making one
            m.replyTo().tell(new HomeProxy.MigrateAnswer(m.jobId(), false, "job " + m.jobId()
                + " is " + JobState.QUEUED + ": only a running job can move", info(entry)));
          } else if (p == null) {
            m.replyTo().tell(new HomeProxy.MigrateAnswer(m.jobId(), false,
                "no job " + m.jobId() + " is homed at " + homeNode, null));
          } else {
            p.tell(new HomeProxy.Migrate(m.target(), m.replyTo()));
          }
          return this;
        })
        .onMessage(BringHome.class, this::onBringHome)
        .onMessageEquals(QueueTick.INSTANCE, () -> {
          if (!queue.isEmpty() && !askingRoom) {
            askingRoom = true;
            getContext().ask(Balancer.Room.class, balancer, java.time.Duration.ofSeconds(5),
                Balancer.GetRoom::new, (room, failure) -> new RoomIs(room));
          }
          return this;
        })
        .onMessage(RoomIs.class, this::onRoom)
        .onMessage(CountJobs.class, c -> {
          Map<JobState, Integer> byState = new java.util.EnumMap<>(JobState.class);
          for (JobState s : JobState.values()) {
            byState.put(s, 0);
          }
          for (Object j : jobs.values()) {
            byState.merge(j instanceof QueuedJob ? JobState.QUEUED : ((JobInfo) j).state(), 1,
                Integer::sum);
          }
          c.replyTo().tell(new JobCounts(homeNode, byState));
          return this;
        })
        .onMessage(GetQueue.class, g -> {
          g.replyTo().tell(queue());
          return this;
        })
        .onMessage(SetQueuePriority.class, this::onSetQueuePriority)
        .onMessage(GetJob.class, g -> {
          Object entry = jobs.get(g.jobId());
          g.replyTo().tell(new JobLookup(g.jobId(), entry == null ? null : info(entry),
              proxies.get(g.jobId())));
          return this;
        })
        .onMessage(GetHome.class, this::onGetHome)
        .build();
  }

  private Queue queue() {
    List<Queued> out = new ArrayList<>(queue.size());
    int position = 0;
    for (QueuedJob q : queue) {
      out.add(new Queued(q.spec.id(), q.spec.name(), q.priority, q.submittedAt, ++position));
    }
    return new Queue(homeNode, out);
  }

  private Behavior<Command> onGetHome(GetHome g) {
    Object entry = jobs.get(g.jobId());
    if (!(entry instanceof QueuedJob q)) {
      g.replyTo().tell(new JobLookup(g.jobId(), entry == null ? null : info(entry),
          proxies.get(g.jobId())));
    } else if (q.unwritten > 0) {
      // its proxy becomes the record's writer: not while an earlier write may still land
      homesAwaited.computeIfAbsent(g.jobId(), id -> new ArrayList<>(1)).add(g.replyTo());
    } else {
      ActorRef<HomeProxy.Command> p = proxyOf(q);
      g.replyTo().tell(new JobLookup(g.jobId(), info(jobs.get(g.jobId())), p));
    }
    return this;
  }

  private Behavior<Command> onQueuedWritten(QueuedWritten w) {
    QueuedJob q = queued(w.jobId());
    if (q == null || --q.unwritten > 0) {
      return this;
    }
    List<ActorRef<JobLookup>> waiting = homesAwaited.remove(w.jobId());
    if (waiting != null) {
      ActorRef<HomeProxy.Command> p = proxyOf(q);
      JobLookup l = new JobLookup(w.jobId(), info(jobs.get(w.jobId())), p);
      waiting.forEach(r -> r.tell(l));
    }
    return this;
  }

  /** Admits as many queued jobs, first in order, as the grid has free slots. */
  private Behavior<Command> onRoom(RoomIs r) {
    askingRoom = false;
    if (r.room() == null) {
      return this; // the balancer did not answer: the next tick asks again
    }
    int free = r.room().freeSlots();
    java.util.Iterator<QueuedJob> next = queue.iterator();
    while (free > 0 && next.hasNext()) {
      QueuedJob q = next.next();
      if (q.unwritten > 0) {
        continue; // its proxy would write the record next: after this write, at the next round
      }
      next.remove();
      free--;
      JobId id = q.spec.id();
      getContext().getLog().info("job {} leaves the batch queue: the grid has room", id);
      ActorRef<HomeProxy.Command> p = proxies.get(id);
      if (p != null) {
        queuedWithProxy.remove(id);
        p.tell(new HomeProxy.Admit());
      } else {
        spawn(q.spec, q.submittedAt, null, -1, subscriberOf.get(id)); // writes its record
      }
    }
    return this;
  }

  private Behavior<Command> onSetQueuePriority(SetQueuePriority s) {
    QueuedJob q = queued(s.id());
    if (q == null) {
      Object j = jobs.get(s.id());
      s.replyTo().tell(new QueueChanged(j == null ? "no job " + s.id() + " is homed at "
          + homeNode : "job " + s.id() + " is " + info(j).state() + ", not in the queue",
          queue()));
      return this;
    }
    if (s.priority() < 0) {
      s.replyTo().tell(new QueueChanged("a queue priority is >= 0 (lower first), not "
          + s.priority(), queue()));
      return this;
    }
    queue.remove(q);
    q.priority = s.priority();
    queue.add(q);
    ActorRef<HomeProxy.Command> p = proxies.get(s.id());
    if (p != null) {
      p.tell(new HomeProxy.Requeue(s.priority())); // its proxy writes its record
    } else {
      write(q);
    }
    s.replyTo().tell(new QueueChanged(null, queue()));
    return this;
  }

  private Behavior<Command> onBringHome(BringHome b) {
    List<JobId> away = new java.util.ArrayList<>();
    for (Object entry : jobs.values()) {
      if (!(entry instanceof JobInfo j)) {
        continue; // queued
      }
      if (j.state() == JobState.RUNNING && !j.host().isEmpty() && !j.host().equals(homeNode)
          && b.from().test(j.host())) {
        away.add(j.id());
      }
    }
    if (away.isEmpty()) {
      b.replyTo().tell(new Brought(List.of(), java.util.Map.of()));
      return this;
    }
    // one asker collects the answers: each move ends, or says why not, within its own timeout
    ActorRef<HomeProxy.MigrateAnswer> collector = getContext().spawnAnonymous(
        org.apache.pekko.actor.typed.javadsl.Behaviors.setup(ctx -> {
          List<String> moved = new java.util.ArrayList<>();
          java.util.Map<String, String> notMoved = new java.util.TreeMap<>();
          return org.apache.pekko.actor.typed.javadsl.Behaviors.receiveMessage(a -> {
            if (a.moved()) {
              moved.add(a.jobId().value());
            } else {
              notMoved.put(a.jobId().value(), a.message());
            }
            if (moved.size() + notMoved.size() < away.size()) {
              return org.apache.pekko.actor.typed.javadsl.Behaviors.same();
            }
            b.replyTo().tell(new Brought(List.copyOf(moved), java.util.Map.copyOf(notMoved)));
            return org.apache.pekko.actor.typed.javadsl.Behaviors.stopped();
          });
        }));
    for (JobId id : away) {
      proxies.get(id).tell(new HomeProxy.Migrate("home", collector));
    }
    return this;
  }

  private Behavior<Command> onCreate(Create c) {
    int unfinished = jobs.size() - finishedOrder.size();
    if (unfinished >= settings.maxJobs()) {
      c.replyTo().tell(new Created(c.spec().id(), homeNode, null, "node " + homeNode
          + " is home to " + unfinished + " jobs that have not ended, its most"
          + " (drift.home.max-jobs = " + settings.maxJobs() + "); submit again when some have"
          + " ended, or to another node"));
      return this;
    }
    HomeProxy.Spec spec = c.spec();
    if (c.idGiven() && jobs.containsKey(spec.id())) {
      c.replyTo().tell(new Created(spec.id(), homeNode, null, "node " + homeNode + " is home to"
          + " a job " + spec.id() + " already; submit again (a client picks a new id)"));
      return this;
    }
    while (jobs.containsKey(spec.id())) { // random ids: a clash is rare, and never fatal
      spec = new HomeProxy.Spec(JobId.random(), spec.name(), spec.unitClass(), spec.memoryMb(),
          spec.migratable(), spec.unit(), spec.workspace(), spec.code(), spec.startOn());
    }
    if (c.subscriber() != null) {
      follow(c.subscriber(), spec.id());
    }
    if (c.queue() >= 0) {
      QueuedJob q = new QueuedJob(spec, System.currentTimeMillis(), c.queue());
      enqueue(q);
      write(q);
      c.replyTo().tell(new Created(spec.id(), homeNode, null)); // no proxy yet: GetHome
      return this;
    }
    ActorRef<HomeProxy.Command> proxy = spawn(spec, System.currentTimeMillis(), null, -1,
        c.subscriber());
    c.replyTo().tell(new Created(spec.id(), homeNode, proxy));
    return this;
  }

  /**
   * One watch per subscriber for all its jobs here, not one per job: a client's jobs all tell
   * the same actor, and a watch per job costs a pair of system messages each way.
   */
  private void follow(ActorRef<HomeProxy.JobEvent> subscriber, JobId job) {
    Set<JobId> followed = subscribers.get(subscriber);
    if (followed == null) {
      followed = new HashSet<>();
      subscribers.put(subscriber, followed);
      getContext().watchWith(subscriber, new SubscriberLost(subscriber));
    }
    followed.add(job);
    subscriberOf.put(job, subscriber);
  }

  private Behavior<Command> onSubscriberLost(SubscriberLost l) {
    Set<JobId> followed = subscribers.remove(l.subscriber());
    if (followed != null) {
      for (JobId id : followed) {
        subscriberOf.remove(id);
        ActorRef<HomeProxy.Command> p = proxies.get(id);
        if (p != null) {
          p.tell(new HomeProxy.SubscriberGone(l.subscriber()));
        }
      }
    }
    return this;
  }

  /** A job ended: its subscriber stops following it here (and is unwatched with its last). */
  private void unfollow(JobId job) {
    ActorRef<HomeProxy.JobEvent> subscriber = subscriberOf.remove(job);
    if (subscriber == null) {
      return;
    }
    Set<JobId> followed = subscribers.get(subscriber);
    followed.remove(job);
    if (followed.isEmpty()) {
      subscribers.remove(subscriber);
      getContext().unwatch(subscriber);
    }
  }

  private Behavior<Command> onUpdated(Updated u) {
    Object old = jobs.get(u.info().id());
    if (old == null) {
      return this; // forgotten already
    }
    jobs.put(u.info().id(), u.info());
    if (u.info().state() != JobState.QUEUED) {
      QueuedJob q = queuedWithProxy.remove(u.info().id());
      if (q != null) {
        queue.remove(q); // cancelled while it waited
      }
    }
    if (u.info().state().isFinal() && !info(old).state().isFinal()) {
      unfollow(u.info().id());
      finishedOrder.add(u.info().id());
      forgetOldFinished();
    }
    return this;
  }

  /** Forgets the jobs that finished earliest, past drift.home.retain-finished. */
  private void forgetOldFinished() {
    while (finishedOrder.size() > settings.retainFinished()) {
      JobId id = finishedOrder.iterator().next();
      finishedOrder.remove(id);
      jobs.remove(id);
      ActorRef<HomeProxy.Command> p = proxies.remove(id);
      if (p != null) {
        getContext().stop(p);
      }
    }
  }
}
