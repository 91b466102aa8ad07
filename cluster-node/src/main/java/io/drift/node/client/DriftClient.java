package io.drift.node.client;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.drift.api.DriftException;
import io.drift.api.JobClient;
import io.drift.api.JobHandle;
import io.drift.api.JobId;
import io.drift.api.JobInfo;
import io.drift.api.JobSpec;
import io.drift.api.SubmissionRejectedException;
import io.drift.balancer.Balancer;
import io.drift.home.HomeManager;
import io.drift.home.HomeProxy;
import io.drift.migration.code.CodeStore;
import io.drift.migration.codec.Payload;
import io.drift.migration.codec.StateCodec;
import io.drift.migration.codec.StateCodecException;
import io.drift.node.DriftConfig;
import io.drift.node.DriftNode;
import io.drift.node.Gateway;
import io.drift.node.NodeGuardian;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.LoggerFactory;

/**
 * A Java program's connection to a Drift cluster from outside it: a small remote actor system
 * that talks to one node's gateway over Artery. The node it connects to becomes the home of the
 * jobs it submits.
 */
public final class DriftClient implements JobClient {

  private static final Pattern HOST_PORT = Pattern.compile("[^:/\\s]+:\\d{1,5}");

  private final ActorSystem<Void> system;
  private final org.apache.pekko.actor.typed.ActorRefResolver refs;
  private final ActorRef<Gateway.Command> gateway;
  private final String node;
  private final Duration timeout;
  private final int maxBufferedLines;
  private final Duration migrateTimeout;
  private final StateCodec codec = new StateCodec();
  private volatile boolean closing;
  private final Map<JobId, ClientInbox.Job> jobs = new ConcurrentHashMap<>();
  private final ActorRef<Object> inbox;

  private DriftClient(ActorSystem<Void> system, ActorRef<Gateway.Command> gateway, String node,
      Duration timeout, int maxBufferedLines, Duration migrateTimeout) {
    this.system = system;
    this.refs = org.apache.pekko.actor.typed.ActorRefResolver.get(system);
    this.gateway = gateway;
    this.node = node;
    this.timeout = timeout;
    this.maxBufferedLines = maxBufferedLines;
    this.migrateTimeout = migrateTimeout;
    this.inbox = system.systemActorOf(ClientInbox.create(gateway, jobs), "inbox", Props.empty());
  }

  /** Connects to the node at {@code host:port} (its cluster port) with default settings. */
  public static DriftClient connect(String node) {
    return connect(DriftConfig.forClient(null, Map.of("drift.client.node", node)));
  }

  /**
   * Connects as {@code drift.client} in this configuration says.
   *
   * @throws IllegalArgumentException the node address is not {@code host:port}
   * @throws DriftException no node answered there in time
   */
  public static DriftClient connect(Config config) {
    String node = config.getString("drift.client.node");
    if (!HOST_PORT.matcher(node).matches()) {
      throw new IllegalArgumentException(
          "a node address is host:port (its cluster port, e.g. 127.0.0.1:2551), not '" + node + "'");
    }
    Duration timeout = config.getDuration("drift.client.timeout");
    int maxBuffered = config.getInt("drift.client.max-buffered-lines");
    if (maxBuffered < 0) {
      throw new ConfigException.BadValue("drift.client.max-buffered-lines", "must be >= 0");
    }
    LoggerFactory.getILoggerFactory(); // see DriftNode.start
    // TLS (decision 0020): unreadable key or trust stores fail here, not as a timeout
    boolean tls = io.drift.migration.executor.SideChannelTls.fromConfig(config) != null;
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "drift-client", config);
    String path = "pekko://" + DriftNode.SYSTEM_NAME + "@" + node + "/user/" + NodeGuardian.GATEWAY;
    try {
      org.apache.pekko.actor.ActorRef classic = Adapter.toClassic(system).actorSelection(path)
          .resolveOne(timeout).toCompletableFuture()
          .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
      return new DriftClient(system, Adapter.toTyped(classic), node, timeout, maxBuffered,
          config.getDuration("drift.client.migrate-timeout"));
    } catch (InterruptedException | ExecutionException | TimeoutException e) {
      system.terminate();
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new DriftException("no Drift node answered at " + node + " within "
          + timeout.toSeconds() + "s (drift.client.timeout): is a node running there, and is "
          + node.substring(node.indexOf(':') + 1) + " its cluster port?"
          // a TLS handshake refused looks like silence from here
          + (tls ? " Is this client's TLS certificate one of the cluster's CA, and its trust"
              + " store that CA (pekko.remote.artery.ssl)?"
              : " If the cluster runs TLS, give this client its key and trust stores:"
              + " --config FILE (docs/security.md)."), e);
    }
  }

  /** The node this client is connected to ({@code host:port}). */
  public String node() {
    return node;
  }

  @Override
  public <R> JobHandle<R> submit(JobSpec<R> spec) {
    return await(submitAsync(spec), "the submission");
  }

  /**
   * Submits without waiting for the node's answer, so that one client can keep many submissions
   * in flight (the ask's round trip, not the node, would bound a loop of {@link #submit}). The
   * stage fails with {@link SubmissionRejectedException} when the node refuses the job, and with
   * {@link DriftException} when it does not answer within {@code drift.client.timeout}. A jar is
   * still uploaded before this returns.
   */
  public <R> CompletionStage<JobHandle<R>> submitAsync(JobSpec<R> spec) {
    ClassLoader loader = spec.unit().getClass().getClassLoader();
    Payload unit;
    try {
      unit = codec.encodeChecked(spec.unit(), loader);
    } catch (StateCodecException e) {
      throw new SubmissionRejectedException("the unit's state cannot be encoded, so it could"
          + " never be checkpointed or moved: " + e.getMessage(), e);
    }
    String code = spec.jar() == null ? null : upload(spec.jar());
    JobId id = JobId.random();
    RemoteJobHandle<R> handle = new RemoteJobHandle<>(id, node, gateway, loader, codec, timeout,
        system.scheduler(), maxBufferedLines, migrateTimeout, () -> closing, refs);
    ClientInbox.Job job = new ClientInbox.Job(handle, new CompletableFuture<>());
    if (jobs.putIfAbsent(id, job) != null) {
      // ids are random: a clash with one of our own jobs in flight is as rare as one at home
      throw new SubmissionRejectedException("job id " + id + " is in flight already; submit"
          + " again");
    }
    // the answer and every event of the job come to the inbox: no actor, ask or subscription
    // of its own (ClientInbox)
    gateway.tell(new Gateway.Submit(spec.name(), unit, spec.memoryMb(), spec.migratable(),
        spec.workspace(), code, spec.startOn(), spec.queue(), inbox.narrow(), id,
        inbox.narrow()));
    return job.answer().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle((reply, failure) -> {
          if (failure != null) {
            jobs.remove(id, job);
            if (failure instanceof DriftException d) {
              throw d;
            }
            throw new DriftException("node " + node + " did not answer the submission within "
                + timeout.toSeconds() + "s (drift.client.timeout)", failure);
          }
          if (reply instanceof Gateway.Rejected rejected) {
            throw new SubmissionRejectedException(rejected.reason());
          }
          return handle;
        });
  }

  /** Sends a jar to the node, piece by piece, unless it has it; returns its SHA-256. */
  private String upload(java.nio.file.Path jar) {
    String hash;
    long total;
    try {
      hash = CodeStore.hash(jar);
      total = java.nio.file.Files.size(jar);
    } catch (java.io.IOException e) {
      throw new SubmissionRejectedException("cannot read the jar " + jar + ": " + e, e);
    }
    try (java.io.InputStream in = java.nio.file.Files.newInputStream(jar)) {
      long offset = 0;
      do {
        byte[] data = in.readNBytes(CodeStore.CHUNK);
        long at = offset;
        Gateway.CodeAck ack = await(Ask.<Gateway.Command, Gateway.CodeAck>ask(gateway,
            r -> new Gateway.PutCode(hash, at, data, total, r), timeout, system.scheduler()),
            "the upload of " + jar);
        if (ack.error() != null) {
          throw new SubmissionRejectedException("the jar " + jar + ": " + ack.error());
        }
        if (ack.stored()) {
          return hash;
        }
        offset += data.length;
        if (data.length == 0 || ack.received() != offset) {
          throw new SubmissionRejectedException("node " + node + " took " + ack.received()
              + " bytes of the jar " + jar + " where " + offset + " were sent");
        }
      } while (true);
    } catch (java.io.IOException e) {
      throw new SubmissionRejectedException("cannot read the jar " + jar + ": " + e, e);
    }
  }

  @Override
  public CompletionStage<List<JobInfo>> jobs() {
    return jobsFrom(gateway, 0, new ArrayList<>());
  }

  /** The jobs homed at another node of the cluster ({@code host:port}). */
  public CompletionStage<List<JobInfo>> jobsAt(String otherNode) {
    return gatewayAt(otherNode).thenCompose(g -> jobsFrom(g, 0, new ArrayList<>()));
  }

  /** Page by page: one reply must stay under Artery's frame. */
  private CompletionStage<List<JobInfo>> jobsFrom(ActorRef<Gateway.Command> at, int from,
      List<JobInfo> acc) {
    return Ask.<Gateway.Command, HomeManager.JobList>ask(at,
            r -> new Gateway.ListJobs(from, r), timeout, system.scheduler())
        .thenCompose(page -> {
          acc.addAll(page.jobs());
          int next = from + page.jobs().size();
          return page.jobs().isEmpty() || next >= page.total()
              ? CompletableFuture.completedFuture(List.copyOf(acc))
              : jobsFrom(at, next, acc);
        });
  }

  /** The cluster's members that are Up, as the connected node sees them. */
  public CompletionStage<Gateway.Members> members() {
    return Ask.ask(gateway, Gateway.GetMembers::new, timeout, system.scheduler());
  }

  /** Every node the connected node knows, with its load, as its balancer sees them. */
  public CompletionStage<Balancer.Nodes> nodes() {
    return Ask.ask(gateway, Gateway.GetNodes::new, timeout, system.scheduler());
  }

  /** A node's balancing decisions about one job. */
  public CompletionStage<Balancer.Decisions> decisionsAt(String atNode, JobId job) {
    return gatewayAt(atNode).thenCompose(g -> Ask.<Gateway.Command, Balancer.Decisions>ask(
        g, r -> new Gateway.GetDecisions(job.value(), r), timeout, system.scheduler()));
  }

  private final java.util.concurrent.ConcurrentHashMap<String, ActorRef<Gateway.Command>>
      gateways = new java.util.concurrent.ConcurrentHashMap<>();

  /** Another node's gateway, found once. */
  private CompletionStage<ActorRef<Gateway.Command>> gatewayAt(String otherNode) {
    if (otherNode.equals(node)) {
      return CompletableFuture.completedFuture(gateway);
    }
    ActorRef<Gateway.Command> known = gateways.get(otherNode);
    if (known != null) {
      return CompletableFuture.completedFuture(known);
    }
    if (!HOST_PORT.matcher(otherNode).matches()) {
      return CompletableFuture.failedFuture(new IllegalArgumentException(
          "a node address is host:port, not '" + otherNode + "'"));
    }
    String path = "pekko://" + DriftNode.SYSTEM_NAME + "@" + otherNode + "/user/"
        + NodeGuardian.GATEWAY;
    return Adapter.toClassic(system).actorSelection(path).resolveOne(timeout)
        .<ActorRef<Gateway.Command>>thenApply(Adapter::toTyped)
        .thenApply(g -> {
          gateways.put(otherNode, g);
          return g;
        })
        .exceptionally(e -> {
          throw new DriftException("no Drift node answered at " + otherNode, e);
        });
  }

  @Override
  public CompletionStage<JobInfo> job(JobId id) {
    return Ask.<Gateway.Command, HomeManager.JobLookup>ask(gateway,
        r -> new Gateway.GetJob(id, r), timeout, system.scheduler())
        .thenApply(l -> {
          if (l.info() == null) {
            throw new DriftException("no job " + id + " is homed at " + node);
          }
          return l.info();
        });
  }

  @Override
  public CompletionStage<JobInfo> migrate(JobId id, String target) {
    return RemoteJobHandle.answer(Ask.<Gateway.Command, HomeProxy.MigrateAnswer>ask(
        gateway, r -> new Gateway.Migrate(id, target, r), migrateTimeout, system.scheduler()));
  }

  private <T> T await(CompletionStage<T> stage, String what) {
    try {
      return stage.toCompletableFuture().get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DriftException("interrupted while waiting for " + what, e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof DriftException d) { // a refusal or a timeout, said already
        throw d;
      }
      throw new DriftException("node " + node + " did not answer " + what + " within "
          + timeout.toSeconds() + "s (drift.client.timeout)", e);
    } catch (TimeoutException e) {
      throw new DriftException("node " + node + " did not answer " + what + " within "
          + timeout.toSeconds() + "s (drift.client.timeout)", e);
    }
  }

  @Override
  public void close() {
    closing = true;
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // stopping anyway
    }
  }
}
