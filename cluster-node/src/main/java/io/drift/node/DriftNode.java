package io.drift.node;

import com.typesafe.config.Config;
import io.drift.api.DriftException;
import io.drift.node.http.DriftRoutes;
import io.drift.node.http.ManagementAuth;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.LoggerFactory;

/**
 * One running Drift node: its actor system named {@code drift}, its actors, and its management
 * HTTP endpoint. {@link #start} is what {@code drift node}, the demo and the tests all call.
 */
public final class DriftNode implements AutoCloseable {

  /** The actor system name every node of a cluster shares; seed addresses use it. */
  public static final String SYSTEM_NAME = "drift";

  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final NodeSettings settings;
  private final ActorSystem<Void> system;
  private final NodeRefs refs;
  private final ServerBinding http;

  private DriftNode(NodeSettings settings, ActorSystem<Void> system, NodeRefs refs,
      ServerBinding http) {
    this.settings = settings;
    this.system = system;
    this.refs = refs;
    this.http = http;
  }

  /**
   * Starts a node from a full configuration ({@link DriftConfig#forNode}).
   *
   * @throws com.typesafe.config.ConfigException a bad setting; the message names its key
   * @throws DriftException the node could not start (a port in use, say)
   */
  public static DriftNode start(Config config) {
    NodeSettings settings = NodeSettings.fromConfig(config); // fail before anything starts
    ManagementAuth auth = ManagementAuth.fromConfig(config);
    JoinMode join = JoinMode.fromConfig(config);
    // TLS (decision 0020): unreadable key or trust stores fail here; Artery reads them lazily,
    // at the first connection, and would only log each refused one
    io.drift.migration.executor.SideChannelTls.fromConfig(config);
    // start logging on this thread: first log calls from many threads at once are replayed
    // by SLF4J with a warning
    LoggerFactory.getILoggerFactory();
    CompletableFuture<NodeRefs> started = new CompletableFuture<>();
    ActorSystem<Void> system =
        ActorSystem.create(NodeGuardian.create(settings, started), SYSTEM_NAME, config);
    // a guardian that fails in its setup stops the system: say so instead of waiting
    system.getWhenTerminated().thenRun(() -> started.completeExceptionally(
        new IllegalStateException("the actor system stopped while the node was starting")));
    try {
      NodeRefs refs = started.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      join.start(system, config); // seed nodes, itself, or Cluster Bootstrap (JoinMode)
      drainOnSigterm(system, refs, config);
      ServerBinding binding = settings.management() ? bindHttp(system, config, refs, auth) : null;
      return new DriftNode(settings, system, refs, binding);
    } catch (InterruptedException | ExecutionException | TimeoutException | RuntimeException e) {
      system.terminate();
      awaitQuietly(system);
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new DriftException("the node did not start: " + cause.getMessage(), cause);
    }
  }

  /**
   * SIGTERM (the JVM exiting; not a test's or an embedder's terminate) drains the node before
   * it leaves: its units move away, and jobs it is still home to are given
   * {@code drift.node.drain-on-sigterm} to end, then cancelled, saying why.
   */
  private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(DriftNode.class);

  private static void drainOnSigterm(ActorSystem<Void> system, NodeRefs refs, Config config) {
    Duration within = config.getDuration("drift.node.drain-on-sigterm");
    if (within.isZero()) {
      return;
    }
    CoordinatedShutdown cs = CoordinatedShutdown.get(system);
    cs.addTask(CoordinatedShutdown.PhaseBeforeClusterShutdown(), "drift-drain", () -> {
      if (!cs.getShutdownReason().map(r -> r.equals(CoordinatedShutdown.jvmExitReason()))
          .orElse(false)) {
        return CompletableFuture.completedFuture(Done.done());
      }
      LOG.info("SIGTERM: draining node {} (at most {}) before it leaves",
          refs.selfNode(), within);
      return Drainer.drain(system, refs, within, true).handle((r, e) -> {
        if (e != null) {
          LOG.warn("the drain before leaving failed: {}", e.toString());
        } else {
          LOG.info("drained before leaving: {}", r);
        }
        return Done.done();
      });
    });
  }

  private static ServerBinding bindHttp(ActorSystem<Void> system, Config config, NodeRefs refs,
      ManagementAuth auth) throws InterruptedException, ExecutionException, TimeoutException {
    String host = JoinMode.bindHostname(config);
    int port = config.getInt("pekko.management.http.port");
    // Pekko's management routes (/cluster/members, /ready, /alive) and ours on one port
    // one guard in front of both: no mutating route of either is reachable without the token
    Route route = auth.guard(Directives.concat(
        new DriftRoutes(system, refs,
            config.getBoolean("pekko.management.http.route-providers-read-only")).route(),
        new io.drift.node.http.NodeMetrics(system, refs).route(),
        PekkoManagement.get(system).getRoutes()));
    try {
      // a body past drift.management.max-request-body is a 413 before any route reads it
      org.apache.pekko.http.javadsl.settings.ServerSettings server =
          org.apache.pekko.http.javadsl.settings.ServerSettings.create(
              org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(system));
      server = server.withParserSettings(server.getParserSettings().withMaxContentLength(
          config.getBytes("drift.management.max-request-body")));
      return Http.get(system).newServerAt(host, port).withSettings(server).bind(route)
          .toCompletableFuture().get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new ExecutionException("cannot serve management HTTP on " + host + ":" + port
          + " (pekko.management.http.port): " + e.getCause().getMessage(), e.getCause());
    }
  }

  public NodeSettings settings() {
    return settings;
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public NodeRefs refs() {
    return refs;
  }

  /** This node as {@code host:port}. */
  public String selfNode() {
    return refs.selfNode();
  }

  /** The management HTTP port, or -1 when it is off. */
  public int httpPort() {
    return http == null ? -1 : http.localAddress().getPort();
  }

  public CompletableFuture<Done> whenTerminated() {
    return system.getWhenTerminated().toCompletableFuture();
  }

  /** Leaves the cluster (CoordinatedShutdown) and waits until the system has stopped. */
  @Override
  public void close() {
    system.terminate();
    awaitQuietly(system);
  }

  private static void awaitQuietly(ActorSystem<?> system) {
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // gone or going: nothing more to do
    }
  }
}
