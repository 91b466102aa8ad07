package io.drift.node.client;

import io.drift.api.DriftException;
import io.drift.api.JobCancelledException;
import io.drift.api.JobFailedException;
import io.drift.api.JobHandle;
import io.drift.api.JobId;
import io.drift.api.JobInfo;
import io.drift.api.JobState;
import io.drift.api.MigrationRefusedException;
import io.drift.api.OutputLine;
import io.drift.home.HomeManager;
import io.drift.home.HomeProxy;
import io.drift.node.Gateway;
import io.drift.migration.codec.Payload;
import io.drift.migration.codec.StateCodec;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A job seen from a {@link DriftClient}; fed by the client's {@link ClientInbox}. */
final class RemoteJobHandle<R> implements JobHandle<R> {

  private static final Logger log = LoggerFactory.getLogger(RemoteJobHandle.class);

  private final JobId id;
  // set by the answer to the submission, before the handle is given out; null while the job
  // waits in its home's batch queue without an actor there (decision 0028): asked for by id
  // through the gateway, and kept once known
  private volatile ActorRef<HomeProxy.Command> home;
  // the answer's reference to the home actor, resolved at its first use (most jobs end
  // without one): resolving a new path was 6% of a client's CPU in issue 9's workload (a)
  private volatile String homePath;
  private final ActorRefResolver refs;
  private final ActorRef<Gateway.Command> gateway;
  private volatile String homeNode;
  private final ClassLoader resultLoader;
  private final StateCodec codec;
  private final Duration timeout;
  private final Scheduler scheduler;
  private final CompletableFuture<R> result = new CompletableFuture<>();
  private final int maxBufferedLines;
  private final Duration migrateTimeout;
  private final BooleanSupplier clientClosing;
  private final ArrayDeque<OutputLine> lines = new ArrayDeque<>(); // guarded by this
  private final List<Consumer<OutputLine>> listeners = new ArrayList<>(); // guarded by this
  private volatile double progress;

  /** @param homeNode the node it is submitted to, until its answer names it */
  RemoteJobHandle(JobId id, String homeNode, ActorRef<Gateway.Command> gateway,
      ClassLoader resultLoader, StateCodec codec, Duration timeout, Scheduler scheduler,
      int maxBufferedLines, Duration migrateTimeout, BooleanSupplier clientClosing,
      ActorRefResolver refs) {
    this.id = id;
    this.refs = refs;
    this.gateway = gateway;
    this.clientClosing = clientClosing;
    this.migrateTimeout = migrateTimeout;
    this.maxBufferedLines = maxBufferedLines;
    this.homeNode = homeNode;
    this.resultLoader = resultLoader;
    this.codec = codec;
    this.timeout = timeout;
    this.scheduler = scheduler;
  }

  @Override
  public JobId id() {
    return id;
  }

  @Override
  public CompletionStage<JobInfo> status() {
    ActorRef<HomeProxy.Command> h = knownHome();
    if (h == null) { // queued: its home's manager has the record, no actor needs making
      return Ask.<Gateway.Command, HomeManager.JobLookup>ask(gateway,
          r -> new Gateway.GetJob(id, r), timeout, scheduler).thenApply(l -> {
            if (l.info() == null) {
              throw new DriftException("no job " + id + " is homed at " + homeNode);
            }
            if (l.home() != null) {
              home = l.home(); // admitted meanwhile
            }
            return l.info();
          });
    }
    return Ask.<HomeProxy.Command, HomeProxy.InfoReply>ask(h, HomeProxy.GetInfo::new,
        timeout, scheduler).thenApply(HomeProxy.InfoReply::info);
  }

  /** The job's home actor if the answer to the submission named it, else null. */
  private ActorRef<HomeProxy.Command> knownHome() {
    ActorRef<HomeProxy.Command> h = home;
    String path = homePath;
    if (h == null && path != null) {
      h = refs.resolveActorRef(path);
      home = h; // a race resolves it twice, to equal references
    }
    return h;
  }

  /** The job's home actor: known, or asked for (a queued job gets one made). */
  private CompletionStage<ActorRef<HomeProxy.Command>> home() {
    ActorRef<HomeProxy.Command> h = knownHome();
    if (h != null) {
      return CompletableFuture.completedFuture(h);
    }
    return Ask.<Gateway.Command, HomeManager.JobLookup>ask(gateway,
        r -> new Gateway.GetHome(id, r), timeout, scheduler).thenApply(l -> {
          if (l.home() == null) {
            throw new DriftException("no job " + id + " is homed at " + homeNode);
          }
          home = l.home();
          return l.home();
        });
  }

  @Override
  public synchronized void onOutput(Consumer<OutputLine> listener) {
    // the lines so far are replayed on the caller's thread, but as the API promises: an
    // exception is logged and the listener still gets every later line (whether a line came
    // before or after this call is a race the caller cannot see)
    for (OutputLine line : lines) {
      deliver(listener, line);
    }
    listeners.add(listener);
  }

  @Override
  public double progress() {
    return progress;
  }

  @Override
  public CompletionStage<R> result() {
    return result;
  }

  @Override
  public CompletionStage<JobInfo> migrate(String target) {
    ActorRef<HomeProxy.Command> h = knownHome();
    if (h == null) { // queued: its home's manager answers, or forwards if it was admitted
      return answer(Ask.<Gateway.Command, HomeProxy.MigrateAnswer>ask(gateway,
          r -> new Gateway.Migrate(id, target, r), migrateTimeout, scheduler));
    }
    return answer(Ask.<HomeProxy.Command, HomeProxy.MigrateAnswer>ask(h,
        r -> new HomeProxy.Migrate(target, r), migrateTimeout, scheduler));
  }

  /** A move's answer as the API gives it: the record, or why not. */
  static CompletionStage<JobInfo> answer(CompletionStage<HomeProxy.MigrateAnswer> asked) {
    return asked.thenApply(a -> {
      if (!a.moved()) {
        throw new MigrationRefusedException(a.jobId(), a.message());
      }
      return a.info();
    });
  }

  @Override
  public CompletionStage<JobInfo> cancel() {
    return home().thenCompose(h -> Ask.<HomeProxy.Command, HomeProxy.InfoReply>ask(h,
        r -> new HomeProxy.Cancel("cancelled by the client", r), timeout, scheduler))
        .thenApply(HomeProxy.InfoReply::info);
  }

  @Override
  public CompletionStage<Void> sendLines(List<String> lines) {
    return input(lines, false);
  }

  @Override
  public CompletionStage<Void> closeInput() {
    return input(List.of(), true);
  }

  /** Lines in messages of at most {@link io.drift.migration.Limits#BATCH_CHARS}, in order. */
  private CompletionStage<Void> input(List<String> lines, boolean end) {
    List<String> batch = new java.util.ArrayList<>();
    int chars = 0;
    int i = 0;
    for (; i < lines.size(); i++) {
      String line = java.util.Objects.requireNonNull(lines.get(i), "a line of input");
      if (line.length() > io.drift.migration.Limits.BATCH_CHARS) {
        return java.util.concurrent.CompletableFuture.failedFuture(new DriftException(
            "a line of input is at most " + io.drift.migration.Limits.BATCH_CHARS
                + " characters; this one has " + line.length()));
      }
      if (!batch.isEmpty() && chars + line.length() > io.drift.migration.Limits.BATCH_CHARS) {
        break;
      }
      batch.add(line);
      chars += line.length();
    }
    List<String> rest = lines.subList(i, lines.size());
    boolean last = rest.isEmpty();
    return home().thenCompose(h -> Ask.<HomeProxy.Command, HomeProxy.InputAck>ask(h,
            r -> new HomeProxy.SendInput(List.copyOf(batch), end && last, r), timeout,
            scheduler))
        .thenCompose(ack -> {
          if (ack.error() != null) {
            throw new DriftException(ack.error());
          }
          return last ? java.util.concurrent.CompletableFuture.<Void>completedFuture(null)
              : input(rest, end);
        });
  }

  // ---- fed by the client's ClientInbox, on its actor's thread ----

  void submitted(String homePath, String homeNode) {
    this.homeNode = homeNode;
    this.homePath = homePath;
  }

  synchronized void output(List<OutputLine> batch) {
    for (OutputLine line : batch) {
      if (lines.size() == maxBufferedLines) {
        lines.removeFirst(); // a listener added late misses the oldest lines, memory stays bounded
      }
      lines.addLast(line);
      for (Consumer<OutputLine> l : listeners) {
        deliver(l, line);
      }
    }
  }

  private void deliver(Consumer<OutputLine> listener, OutputLine line) {
    try {
      listener.accept(line);
    } catch (RuntimeException e) {
      log.warn("an output listener of job {} threw; the job goes on", id, e);
    }
  }

  void update(JobInfo info) {
    progress = info.progress();
  }

  @SuppressWarnings("unchecked")
  void completed(JobInfo info, Payload payload) {
    progress = info.progress();
    if (info.state() == JobState.SUCCEEDED) {
      try {
        result.complete((R) codec.decode(payload, resultLoader));
      } catch (Exception | LinkageError e) {
        result.completeExceptionally(new DriftException("job " + id + " succeeded but its result ("
            + payload.className() + ") cannot be decoded here: " + e.getMessage(), e));
      }
    } else if (info.state() == JobState.CANCELLED) {
      result.completeExceptionally(new JobCancelledException(id, info.error()));
    } else {
      result.completeExceptionally(new JobFailedException(id, info.error()));
    }
  }

  void homeLost() {
    if (clientClosing.getAsBoolean()) {
      abandoned(); // our own side went away, not the home
      return;
    }
    result.completeExceptionally(new DriftException(
        "the home node of job " + id + " (" + homeNode + ") is gone; the job's fate is unknown"));
  }

  /** The client stopped following the job (closed) before it ended. */
  void abandoned() {
    result.completeExceptionally(new DriftException("the client was closed before job " + id
        + " ended; the job goes on at its home " + homeNode));
  }

  boolean isDone() {
    return result.isDone();
  }
}
