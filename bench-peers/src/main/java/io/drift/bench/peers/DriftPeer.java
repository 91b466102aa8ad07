package io.drift.bench.peers;

import io.drift.api.JobHandle;
import io.drift.api.JobInfo;
import io.drift.api.JobSpec;
import io.drift.api.WorkUnit;
import io.drift.bench.EmulatedWork;
import io.drift.bench.NodeProcs;
import io.drift.bench.NodeProcs.Spec;
import io.drift.bench.Stamp;
import io.drift.node.client.DriftClient;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Drift: node processes as an operator starts them, clients through {@link DriftClient}. */
final class DriftPeer implements Peer {

  /** A running unit that never ends by itself (the memory workload cancels it). */
  static final long FOREVER_MILLIS = Long.MAX_VALUE / 4;

  private final String name;
  private final boolean migrate;
  private final List<String> javaOpts;
  private final List<String> extra;
  private final Integer queue;
  private NodeProcs nodes;
  private final List<DriftClient> clients = new ArrayList<>();
  private final ConcurrentLinkedQueue<JobHandle<Long>> kept = new ConcurrentLinkedQueue<>();
  private long restartsSeen;

  /**
   * @param migrate Drift with migration, or placement only
   * @param javaOpts each node's JVM options (the memory workload: conf/jvm.options, as
   *     bin/drift starts a node)
   * @param extra more {@code -D} settings of the nodes
   * @param queue submit to the batch queue at this priority (null: run at once)
   */
  DriftPeer(String name, boolean migrate, List<String> javaOpts, List<String> extra,
      Integer queue) {
    this.name = name;
    this.migrate = migrate;
    this.javaOpts = javaOpts;
    this.extra = extra;
    this.queue = queue;
  }

  @Override
  public String name() {
    return name;
  }

  /** The runner's class path without Ignite and this module: Drift's nodes never see them. */
  static String driftClassPath() {
    return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(e -> {
          String f = new File(e).getName();
          return !f.startsWith("ignite-") && !f.startsWith("cache-api")
              && !f.startsWith("annotations-") && !f.startsWith("drift-bench-peers");
        })
        .collect(Collectors.joining(File.pathSeparator));
  }

  @Override
  public void start(List<Spec> specs, int clientCount) throws Exception {
    List<String> settings = new ArrayList<>(List.of(
        "-Ddrift.balancer.migrate=" + (migrate ? "on" : "off"),
        // Drift's default, home-first (decision 0035); -Ddrift.bench.peers.placement=cost for
        // the cost rule alone
        "-Ddrift.balancer.placement=" + PLACEMENT,
        // one gossip and decision interval a second, as MOSIX (and Ignite's metrics below)
        "-Ddrift.balancer.gossip.interval=1s",
        "-Ddrift.load.interval=100ms",
        // the drain workload posts /drift/drain (loopback only), with the token that needs
        "-Dpekko.management.http.route-providers-read-only=false",
        "-Ddrift.management.token=" + TOKEN));
    settings.addAll(extra);
    // a log per system: Drift and Drift placing only run in turn on the same node indexes
    nodes = NodeProcs.start(specs, javaOpts, settings, driftClassPath(), name + "-node-");
    nodes.awaitCluster(Duration.ofSeconds(180));
    awaitGossip(Duration.ofSeconds(60));
    for (int k = 0; k < clientCount; k++) {
      // client k submits at node k: four users on four nodes, each node home to its own jobs
      clients.add(DriftClient.connect(nodes.node(k % specs.size())));
    }
  }

  @Override
  public CompletableFuture<Long> submit(int client, Kind kind, long workMillis) {
    WorkUnit<Long> unit = switch (kind) {
      case STAMP -> new Stamp();
      case EMULATED -> new EmulatedWork(workMillis);
      case HOLD -> new EmulatedWork(FOREVER_MILLIS);
    };
    JobSpec<Long> spec = JobSpec.of(unit);
    if (queue != null) {
      spec = spec.withQueue(queue);
    }
    return clients.get(client).submitAsync(spec).toCompletableFuture().thenCompose(h -> {
      if (kind != Kind.STAMP) { // 100,000 stamps need no handle kept
        kept.add(h);
      }
      return kind == Kind.HOLD ? CompletableFuture.completedFuture(0L)
          : h.result().toCompletableFuture();
    });
  }

  @Override
  public void cancelAll() {
    for (JobHandle<Long> h : kept) {
      h.cancel();
    }
    kept.clear();
  }

  @Override
  public int add(Spec spec) throws Exception {
    int i = nodes.add(spec);
    nodes.awaitCluster(Duration.ofSeconds(120));
    return i;
  }

  private static final Pattern RUNNABLE = Pattern.compile("\"runnable\"\\s*:\\s*(\\d+)");

  @Override
  public int busy(int i) throws Exception {
    HttpResponse<String> r;
    try {
      r = get(i, "/drift/nodes");
    } catch (java.io.IOException notYet) {
      return 0; // its management port may open a moment after the others see it Up
    }
    int at = r.body().indexOf("\"node\" : \"" + nodes.node(i) + "\"");
    if (at < 0) {
      return 0;
    }
    Matcher m = RUNNABLE.matcher(r.body());
    return m.find(at) ? Integer.parseInt(m.group(1)) : 0;
  }

  @Override
  public Drained drain(int i) throws Exception {
    long t = System.nanoTime();
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + nodes.httpPort(i) + "/drift/drain?within=120s"))
        .header("Authorization", "Bearer " + TOKEN)
        .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofMinutes(3)).build(),
        HttpResponse.BodyHandlers.ofString());
    double s = (System.nanoTime() - t) / 1e9;
    if (r.statusCode() != 200) {
      throw new IllegalStateException("drain of " + nodes.node(i) + ": HTTP " + r.statusCode()
          + " " + r.body());
    }
    nodes.retire(i);
    if (!nodes.process(i).waitFor(60, TimeUnit.SECONDS)) {
      nodes.process(i).destroy(); // it left the cluster; its JVM may linger
    }
    // a unit that had to start again from its last checkpoint lost the work since (at most
    // drift.executor.checkpoint-interval); a unit that moved lost none
    long restarts = nodes.logLines().stream().filter(l -> l.contains("starts again")).count();
    long fresh = restarts - restartsSeen;
    restartsSeen = restarts;
    return new Drained(s, fresh == 0 ? 0 : -1, fresh, "POST /drift/drain: every unit moves"
        + " away with its state, then the node leaves");
  }

  @Override
  public long runningMoves() throws Exception {
    long moves = 0;
    StringBuilder jobs = new StringBuilder();
    for (JobHandle<Long> h : kept) {
      JobInfo info = h.status().toCompletableFuture().get(10, TimeUnit.SECONDS);
      moves += info.migrations();
      jobs.append(info.id()).append(' ').append(info.host()).append(' ')
          .append(info.migrations()).append(' ').append(info.cpuNanos() / 1_000_000)
          .append('\n');
    }
    kept.clear();
    keepDecisions(jobs.toString());
    return moves;
  }

  /** The placement rule of Drift's nodes ({@code drift.balancer.placement}). */
  private static final String PLACEMENT =
      System.getProperty("drift.bench.peers.placement", "home-first");

  /** For the summary: what the figures were measured with. */
  static String placement() {
    return PLACEMENT;
  }

  /** Where {@link #keepDecisions} writes, if anywhere: an aid to read a slow run after it. */
  private static final String DECISIONS_DIR = System.getProperty("drift.bench.peers.decisions");
  private int batches;

  /**
   * With {@code -Ddrift.bench.peers.decisions=DIR}: after each batch workload, every job's end
   * (id, host, moves, CPU ms) and every node's last balancing decisions, in
   * {@code DIR/NAME-batch-K-*}: which units moved, where, and why.
   */
  private void keepDecisions(String jobs) throws Exception {
    if (DECISIONS_DIR == null) {
      return;
    }
    java.nio.file.Path dir = java.nio.file.Path.of(DECISIONS_DIR);
    java.nio.file.Files.createDirectories(dir);
    String prefix = name + "-batch-" + (++batches);
    java.nio.file.Files.writeString(dir.resolve(prefix + "-jobs.txt"), jobs);
    for (int i = 0; i < nodes.size(); i++) {
      if (!nodes.process(i).isAlive()) {
        continue; // drained and gone
      }
      java.nio.file.Files.writeString(dir.resolve(prefix + "-node-" + i + ".json"),
          get(i, "/drift/decisions").body());
    }
  }

  @Override
  public List<ProcessHandle> processes() {
    List<ProcessHandle> p = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      p.add(nodes.process(i).toHandle());
    }
    return p;
  }

  private void awaitGossip(Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      String body = get(0, "/drift/nodes").body();
      if (!body.contains("\"gossipAge\" : -1")
          && body.split("\"gossipAge\"", -1).length - 1 == nodes.size()) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("node 0 did not hear of every node within " + within);
  }

  private HttpResponse<String> get(int i, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nodes.httpPort(i)
        + path)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** This run's management token (the nodes' routes are writable, for the drain). */
  private static final String TOKEN = NodeProcs.token();

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Override
  public void close() throws Exception {
    for (DriftClient c : clients) {
      c.close();
    }
    clients.clear();
    if (nodes != null) {
      nodes.close();
    }
  }
}
