package io.drift.node;

import io.drift.api.DriftException;
import io.drift.balancer.Balancer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Several nodes in this JVM on loopback, joined through the first: the demo's cluster and the
 * multi-node tests'. Each node is a full {@link DriftNode} with production wiring.
 */
public final class LocalCluster implements AutoCloseable {

  public static final String HOST = "127.0.0.1";
  private static final String FROZEN_DIR = "drift.home.frozen-dir";
  private static final String CODE_DIR = "drift.home.code-dir";
  private static final String JOBS_DIR = "drift.home.jobs-dir";

  private final List<DriftNode> nodes;
  // frozen units and jars of job code under frozenDir/frozen and frozenDir/code, unless
  // configured; made for this cluster and deleted with it
  private final Path frozenDir;
  private final Map<String, ?> extra;

  private LocalCluster(List<DriftNode> nodes, Path frozenDir, Map<String, ?> extra) {
    this.nodes = new java.util.concurrent.CopyOnWriteArrayList<>(nodes);
    this.frozenDir = frozenDir;
    this.extra = extra;
  }

  /**
   * Starts {@code slots.size()} nodes, node i with {@code slots.get(i)} slots, on free loopback
   * ports; management HTTP on free ports too. {@code extra} overrides settings on every node.
   */
  public static LocalCluster start(List<Integer> slots, Map<String, ?> extra) {
    return start(slots, extra, Map.of());
  }

  /** The same, with settings for some nodes only: {@code perNode} by node index. */
  public static LocalCluster start(List<Integer> slots, Map<String, ?> extra,
      Map<Integer, Map<String, ?>> perNode) {
    List<Integer> ports = freePorts(slots.size());
    String seed = "pekko://" + DriftNode.SYSTEM_NAME + "@" + HOST + ":" + ports.get(0);
    List<DriftNode> started = new ArrayList<>();
    Path frozen = null;
    try {
      if (!extra.containsKey(FROZEN_DIR)) {
        // a local cluster is for demos and tests: its frozen jobs and jars go when it goes
        frozen = Files.createTempDirectory("drift-local-");
      }
      for (int i = 0; i < slots.size(); i++) {
        started.add(startNode(ports.get(i), seed, slots.get(i), frozen, extra,
            perNode.getOrDefault(i, Map.of())));
      }
    } catch (RuntimeException | IOException e) {
      new LocalCluster(started, frozen, extra).close();
      throw e instanceof IOException io
          ? new DriftException("cannot make a directory for frozen jobs: " + io.getMessage(), io)
          : (RuntimeException) e;
    }
    return new LocalCluster(started, frozen, extra);
  }

  private static DriftNode startNode(int port, String seed, int slots, Path frozen,
      Map<String, ?> extra, Map<String, ?> own) {
    Map<String, Object> o = new HashMap<>();
    // all nodes of a local cluster stop together with their JVM: nowhere to drain to
    o.put("drift.node.drain-on-sigterm", "0s");
    o.putAll(extra);
    if (frozen != null) {
      o.put(FROZEN_DIR, frozen.resolve("frozen").toString());
      if (!extra.containsKey(CODE_DIR)) {
        o.put(CODE_DIR, frozen.resolve("code").toString());
      }
      if (!extra.containsKey(JOBS_DIR)) {
        o.put(JOBS_DIR, frozen.resolve("jobs").toString());
      }
    }
    o.put("pekko.remote.artery.canonical.hostname", HOST);
    o.put("pekko.remote.artery.canonical.port", port);
    o.put("pekko.cluster.seed-nodes", List.of(seed));
    o.put("pekko.management.http.port", 0);
    o.put("drift.node.slots", slots);
    o.putAll(own);
    return DriftNode.start(DriftConfig.forNode(null, o));
  }

  /**
   * Starts one more node, which joins the running cluster (by node 0 as its seed) with the
   * cluster's settings and {@code own} on top; returns it once started (not yet Up).
   */
  public DriftNode addNode(int slots, Map<String, ?> own) {
    DriftNode n = startNode(freePorts(1).get(0), "pekko://" + DriftNode.SYSTEM_NAME + "@"
        + node(0).selfNode(), slots, frozenDir, extra, own);
    nodes.add(n);
    return n;
  }

  /**
   * Stops node {@code i} and starts it again on the same port, with the cluster's settings,
   * {@code own} on top, and the same directories, as an operator restarts a node; it joins by
   * node 0 (node 1 for node 0). Returns the new node, once started (not yet Up).
   */
  public DriftNode restart(int i, int slots, Map<String, ?> own) {
    DriftNode old = nodes.get(i);
    String self = old.selfNode();
    int port = Integer.parseInt(self.substring(self.lastIndexOf(':') + 1));
    String seed = "pekko://" + DriftNode.SYSTEM_NAME + "@" + node(i == 0 ? 1 : 0).selfNode();
    old.close();
    DriftNode n = startNode(port, seed, slots, frozenDir, extra, own);
    nodes.set(i, n);
    return n;
  }

  public List<DriftNode> nodes() {
    return nodes;
  }

  public DriftNode node(int i) {
    return nodes.get(i);
  }

  /** True when every node sees every node Up and every node's balancer has every node's sample. */
  public boolean isReady() {
    for (DriftNode n : nodes) {
      var members = Cluster.get(n.system()).state().getMembers();
      int up = 0;
      for (var m : members) {
        if (m.status() == MemberStatus.up()) {
          up++;
        }
      }
      if (up != nodes.size()) {
        return false;
      }
    }
    // every node's balancer, not one: a node that knows only itself places all its jobs at
    // home until the others' samples come (QueueTest saw its home, node 1, do so while node 0
    // already knew both)
    try {
      for (DriftNode n : nodes) {
        Balancer.Nodes known = AskPattern.<Balancer.Command, Balancer.Nodes>ask(
                n.refs().balancer(), Balancer.GetNodes::new, Duration.ofSeconds(3),
                n.system().scheduler())
            .toCompletableFuture().get(4, TimeUnit.SECONDS);
        if (known.nodes().size() != nodes.size()) {
          return false;
        }
      }
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  /** Waits until {@link #isReady()}, checking every 100 ms; for the demo (tests use probes). */
  public void awaitReady(Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    while (!isReady()) {
      if (System.nanoTime() > deadline) {
        throw new DriftException("the local cluster did not form within " + max.toSeconds() + "s");
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new DriftException("interrupted while the local cluster formed", e);
      }
    }
  }

  /** Stops every node, all at once (one by one is slow). */
  @Override
  public void close() {
    CompletableFuture.allOf(nodes.stream()
            .map(n -> CompletableFuture.runAsync(n::close))
            .toArray(CompletableFuture[]::new))
        .join();
    if (frozenDir != null) {
      try (Stream<Path> files = Files.walk(frozenDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      } catch (IOException ignored) {
        // a temporary directory: the OS cleans up what is left
      }
    }
  }

  /** Where {@link #freePorts} starts looking: below it lie well-known and registered services. */
  private static final int LOWEST_PORT = 10_000;
  /** Ports handed out by this JVM: two clusters started back to back must not share one. */
  private static final java.util.Set<Integer> HANDED_OUT =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * Ports free on loopback now, below the OS's ephemeral range where the system can find one.
   * A port the OS hands out for "any port" is one it may give next to an outgoing connection
   * (another node's, a client's) before the node that was to listen on it has bound it: that
   * node then dies on "Address already in use". Below the ephemeral range only another
   * listener can take it. Where the range is unknown or leaves no room below it, the OS picks.
   */
  public static List<Integer> freePorts(int n) {
    int below = ephemeralLow();
    if (below - LOWEST_PORT < 1_000) {
      return anyFreePorts(n);
    }
    List<Integer> out = new ArrayList<>(n);
    int span = below - LOWEST_PORT;
    int next = LOWEST_PORT + java.util.concurrent.ThreadLocalRandom.current().nextInt(span);
    for (int tried = 0; tried < span && out.size() < n; tried++) {
      int port = next;
      next = next + 1 == below ? LOWEST_PORT : next + 1;
      if (!HANDED_OUT.contains(port) && bindable(port) && HANDED_OUT.add(port)) {
        out.add(port);
      }
    }
    if (out.size() < n) {
      throw new DriftException("cannot find " + n + " free ports on " + HOST + " between "
          + LOWEST_PORT + " and " + below);
    }
    return out;
  }

  /** The first port of Linux's ephemeral range, or 0 where it cannot be read. */
  static int ephemeralLow() {
    // a reader, not Files.readString: /proc files report size 0 and readString then returns
    // a prefix of the line ("3")
    try (var in = Files.newBufferedReader(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
      return Integer.parseInt(in.readLine().trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  private static boolean bindable(int port) {
    try (ServerSocket s = new ServerSocket()) {
      // not reusing: a port with connections still in TIME_WAIT is passed over, so a node
      // binds it whatever its own server's reuse setting
      s.setReuseAddress(false);
      s.bind(new java.net.InetSocketAddress(InetAddress.getByName(HOST), port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Ports the OS picks: free now, though an outgoing connection may take one before we bind. */
  private static List<Integer> anyFreePorts(int n) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        sockets.add(new ServerSocket(0, 0, InetAddress.getByName(HOST)));
      }
      return sockets.stream().map(ServerSocket::getLocalPort).toList();
    } catch (IOException e) {
      throw new DriftException("cannot find free ports on " + HOST + ": " + e.getMessage(), e);
    } finally {
      for (ServerSocket s : sockets) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing a probe socket
        }
      }
    }
  }
}
