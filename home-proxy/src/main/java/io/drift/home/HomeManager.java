package io.drift.home;

import io.drift.api.JobId;
import io.drift.api.JobInfo;
import io.drift.api.JobState;
import io.drift.balancer.Balancer;
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

  /** {@code info} and {@code home} are null when no such job is homed here (any more). */
  public record JobLookup(JobId jobId, JobInfo info, ActorRef<HomeProxy.Command> home)
      implements HomeWire {}

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
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(QueueTick.INSTANCE, settings.queueInterval());
      return new HomeManager(ctx, settings, balancer, homeNode, code, side, store);
    }));
  }

  private final HomeSettings settings;
  private final StateCodec codec = new StateCodec();
  private final ActorRef<Balancer.Command> balancer;
  private final String homeNode;
  private final CodeStore code;
  private final SideChannel side;
  private final JobStore store;
  private final LinkedHashMap<JobId, JobInfo> jobs = new LinkedHashMap<>(); // in submission order
  private final Map<JobId, ActorRef<HomeProxy.Command>> proxies = new HashMap<>();
  private final LinkedHashSet<JobId> finishedOrder = new LinkedHashSet<>(); // in finishing order
  private final ExecutorRefs executors;
  /** Each host executor watched, once, with the proxies following it and what to tell them. */
  private final Map<ActorRef<?>, Map<ActorRef<HomeProxy.Command>, HomeProxy.HostGone>> hosts =
      new HashMap<>();
  /** Subscribers given at creation, each watched once, with their jobs that have not ended. */
  private final Map<ActorRef<HomeProxy.JobEvent>, Set<JobId>> subscribers = new HashMap<>();
  /** The same, by job: a job has at most one subscriber given at creation. */
  private final Map<JobId, ActorRef<HomeProxy.JobEvent>> subscriberOf = new HashMap<>();
  /** The batch queue: each queued job's priority; admitted in {@link #queueOrder()}. */
  private final Map<JobId, Integer> queued = new HashMap<>();
  private boolean askingRoom; // one question to the balancer at a time

  private HomeManager(ActorContext<Command> ctx, HomeSettings settings,
      ActorRef<Balancer.Command> balancer, String homeNode, CodeStore code, SideChannel side,
      JobStore store) {
    super(ctx);
    this.executors = new ExecutorRefs(org.apache.pekko.actor.typed.ActorRefResolver.get(
        ctx.getSystem()));
    this.code = code;
    this.side = side;
    this.store = store;
    this.settings = settings;
    this.balancer = balancer;
    this.homeNode = homeNode;
    resumeJobs();
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
      spawn(r.spec(), r.submittedAtMillis(), r, r.queue(), null);
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
            codec, code, side, store, resumed, queue, subscriber, executors),
        "job-" + spec.id().value(),
        // a home does its job's file I/O (decision 0012): on the dispatcher meant for blocking
        org.apache.pekko.actor.typed.DispatcherSelector.blocking());
    proxies.put(spec.id(), proxy);
    jobs.put(spec.id(), new JobInfo(spec.id(), spec.name(), spec.unitClass(), homeNode, "",
        queue >= 0 ? JobState.QUEUED : JobState.PENDING, 0, 0, 0, 0.0, 0, submittedAt, null,
        null, 0, 0, 0));
    if (queue >= 0) {
      queued.put(spec.id(), queue);
    }
    return proxy;
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
        .onMessage(ListJobs.class, l -> {
          l.replyTo().tell(new JobList(homeNode, jobs.size(), l.from(), jobs.values().stream()
              .skip(Math.max(0, l.from())).limit(Math.max(0, l.max())).toList()));
          return this;
        })
        .onMessage(MigrateJob.class, m -> {
          ActorRef<HomeProxy.Command> p = proxies.get(m.jobId());
          if (p == null) {
            m.replyTo().tell(new HomeProxy.MigrateAnswer(m.jobId(), false,
                "no job " + m.jobId() + " is homed at " + homeNode, null));
          } else {
            p.tell(new HomeProxy.Migrate(m.target(), m.replyTo()));
          }
          return this;
        })
        .onMessage(BringHome.class, this::onBringHome)
        .onMessageEquals(QueueTick.INSTANCE, () -> {
          if (!queued.isEmpty() && !askingRoom) {
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
          for (JobInfo j : jobs.values()) {
            byState.merge(j.state(), 1, Integer::sum);
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
          g.replyTo().tell(new JobLookup(g.jobId(), jobs.get(g.jobId()), proxies.get(g.jobId())));
          return this;
        })
        .build();
  }

  /** Lower priority first, then the earlier submission, then the id (a total order). */
  private List<JobId> queueOrder() {
    List<JobId> order = new ArrayList<>(queued.keySet());
    order.sort(java.util.Comparator.<JobId>comparingInt(queued::get)
        .thenComparingLong(id -> jobs.get(id).submittedAtMillis())
        .thenComparing(JobId::value));
    return order;
  }

  private Queue queue() {
    List<Queued> out = new ArrayList<>();
    int position = 0;
    for (JobId id : queueOrder()) {
      JobInfo j = jobs.get(id);
      out.add(new Queued(id, j.name(), queued.get(id), j.submittedAtMillis(), ++position));
    }
    return new Queue(homeNode, out);
  }

  /** Admits as many queued jobs, first in order, as the grid has free slots. */
  private Behavior<Command> onRoom(RoomIs r) {
    askingRoom = false;
    if (r.room() == null) {
      return this; // the balancer did not answer: the next tick asks again
    }
    int free = r.room().freeSlots();
    for (JobId id : queueOrder()) {
      if (free <= 0) {
        break;
      }
      queued.remove(id);
      getContext().getLog().info("job {} leaves the batch queue: the grid has room", id);
      proxies.get(id).tell(new HomeProxy.Admit());
      free--;
    }
    return this;
  }

  private Behavior<Command> onSetQueuePriority(SetQueuePriority s) {
    if (!queued.containsKey(s.id())) {
      JobInfo j = jobs.get(s.id());
      s.replyTo().tell(new QueueChanged(j == null ? "no job " + s.id() + " is homed at "
          + homeNode : "job " + s.id() + " is " + j.state() + ", not in the queue", queue()));
      return this;
    }
    if (s.priority() < 0) {
      s.replyTo().tell(new QueueChanged("a queue priority is >= 0 (lower first), not "
          + s.priority(), queue()));
      return this;
    }
    queued.put(s.id(), s.priority());
    proxies.get(s.id()).tell(new HomeProxy.Requeue(s.priority()));
    s.replyTo().tell(new QueueChanged(null, queue()));
    return this;
  }

  private Behavior<Command> onBringHome(BringHome b) {
    List<JobId> away = new java.util.ArrayList<>();
    for (JobInfo j : jobs.values()) {
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
    ActorRef<HomeProxy.Command> proxy = spawn(spec, System.currentTimeMillis(), null,
        c.queue(), c.subscriber());
    if (c.subscriber() != null) {
      follow(c.subscriber(), spec.id());
    }
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
    JobInfo old = jobs.get(u.info().id());
    if (old == null) {
      return this; // forgotten already
    }
    jobs.put(u.info().id(), u.info());
    if (u.info().state() != JobState.QUEUED) {
      queued.remove(u.info().id()); // cancelled while it waited
    }
    if (u.info().state().isFinal() && !old.state().isFinal()) {
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
