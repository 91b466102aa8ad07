package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.api.DriftException;
import io.drift.api.JobHandle;
import io.drift.api.JobInfo;
import io.drift.api.JobSpec;
import io.drift.api.JobState;
import io.drift.api.units.PrimeCount;
import io.drift.home.HomeManager;
import io.drift.home.HomeProxy;
import io.drift.migration.executor.SideChannel;
import io.drift.migration.executor.SideChannelTls;
import io.drift.node.cli.Cli;
import io.drift.node.client.DriftClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A cluster on TLS with mutual authentication, run with conf/production/node.conf's settings and
 * certificates made by the commands of docs/security.md (decision 0020): nodes and clients with
 * a certificate of the cluster's CA are in; one of another CA is not, neither on Artery nor on
 * the side channel. Everything on 127.0.0.1.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TlsClusterTest {

  static final String KEY_STORE = "pekko.remote.artery.ssl.config-ssl-engine.key-store";
  static final String TRUST_STORE = "pekko.remote.artery.ssl.config-ssl-engine.trust-store";

  static Path dir;
  static TlsMaterial cluster; // the CA "cluster"
  static TlsMaterial other; // the CA "other"
  static Path node1, node2, node3, client, foreign;
  static LocalCluster nodes;

  @BeforeAll
  static void start() throws Exception {
    Files.createDirectories(Path.of("target"));
    dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "tls-");
    // each keytool is a JVM start: independent ones at once
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      CompletableFuture<TlsMaterial> otherCa = CompletableFuture.supplyAsync(
          () -> unchecked(() -> TlsMaterial.newCa(dir.resolve("other"))), pool);
      cluster = TlsMaterial.newCa(dir.resolve("cluster"));
      // hostname verification is on: every certificate names 127.0.0.1, the address dialled
      List<CompletableFuture<Path>> stores = List.of("node1", "node2", "node3", "client-alice")
          .stream().map(name -> CompletableFuture.supplyAsync(
              () -> unchecked(() -> cluster.node(name, "ip:127.0.0.1")), pool)).toList();
      other = otherCa.join();
      foreign = other.node("intruder", "ip:127.0.0.1");
      node1 = stores.get(0).join();
      node2 = stores.get(1).join();
      node3 = stores.get(2).join();
      client = stores.get(3).join();
    } finally {
      pool.shutdownNow();
    }
    nodes = TestClusters.startReady(List.of(1, 1), production(node1),
        Map.of(1, Map.of(KEY_STORE, node2.toString())));
  }

  static <T> T unchecked(java.util.concurrent.Callable<T> step) {
    try {
      return step.call();
    } catch (Exception e) {
      throw new java.util.concurrent.CompletionException(e);
    }
  }

  @AfterAll
  static void stop() {
    if (nodes != null) {
      nodes.close();
    }
  }

  /** conf/production/node.conf as a node with this key store sees it. */
  static Map<String, Object> production(Path keystore) {
    return TlsMaterial.production("node.conf", cluster.env(keystore));
  }

  /**
   * The intruder's stores: a certificate of the other CA, and trust in the cluster's CA (the
   * worst case: it accepts the cluster, so only the cluster can refuse it).
   */
  static Map<String, Object> intruder() {
    return Map.of(KEY_STORE, foreign.toString(), TRUST_STORE, cluster.truststore().toString());
  }

  /** conf/production/client.conf for a client of {@code node} with this key store. */
  static Map<String, Object> clientConfig(Path keystore, String node) {
    Map<String, Object> c = new HashMap<>(TlsMaterial.production("client.conf",
        cluster.env(keystore)));
    c.put("drift.client.node", node);
    return c;
  }

  @Test
  @Order(1)
  void theClusterRunsOnTlsAndAClientWithTheClusterMaterialRunsAJob() throws Exception {
    for (DriftNode n : nodes.nodes()) {
      assertEquals("tls-tcp", n.system().settings().config().getString(
          "pekko.remote.artery.transport"));
    }
    String a = nodes.node(0).selfNode();
    try (DriftClient c = DriftClient.connect(DriftConfig.forClient(null,
        clientConfig(client, a)))) {
      JobHandle<Long> h = c.submit(JobSpec.of(new PrimeCount(0, 100_000)));
      assertEquals(9592L, h.result().toCompletableFuture().get(30, TimeUnit.SECONDS));
      assertEquals(JobState.SUCCEEDED, h.status().toCompletableFuture().get(5, TimeUnit.SECONDS)
          .state());
    }
    // bin/drift run with --config: the same material from a file
    Path conf = dir.resolve("client.conf");
    Files.writeString(conf, com.typesafe.config.ConfigFactory.parseMap(
        clientConfig(client, a)).root().render());
    Cli.Run run = Cli.drift("run", "--config", conf.toString(), "--node", a, "--progress",
        "lines", "primes", "0", "1000");
    assertEquals(0, run.code(), run.err());
    assertTrue(run.out().contains("result 168"), run.out());
  }

  @Test
  @Order(2)
  void aClientWithoutTheClusterMaterialGetsAClearErrorWithinItsTimeout() {
    String a = nodes.node(0).selfNode();
    // plain TCP, as a client with no --config
    Map<String, Object> plain = Map.of("drift.client.node", a, "drift.client.timeout", "3s");
    // TLS with a certificate of the other CA
    Map<String, Object> stranger = new HashMap<>(clientConfig(foreign, a));
    stranger.putAll(intruder());
    stranger.put("drift.client.timeout", "3s");
    for (Map<String, Object> config : List.of(plain, stranger)) {
      long t0 = System.nanoTime();
      DriftException e = assertThrows(DriftException.class,
          () -> DriftClient.connect(DriftConfig.forClient(null, config)).close());
      long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertTrue(e.getMessage().contains("TLS"), e.getMessage());
      assertTrue(took < 3_000 + 5_000, "refused after " + took + " ms, not bounded by the timeout");
    }
  }

  @Test
  @Order(3)
  void aLargeStateMovesBetweenTlsNodesOverTheSideChannel() throws Exception {
    String a = nodes.node(0).selfNode();
    String b = nodes.node(1).selfNode();
    int mib = 2; // over drift.migration.side-channel.min-bytes (64 KiB): the side channel
    long steps = 4_000;
    try (DriftClient c = DriftClient.connect(DriftConfig.forClient(null,
        clientConfig(client, a)))) {
      JobHandle<Long> h = c.submit(JobSpec.of(new BigState(mib, steps, 500))
          .withStartOn(JobSpec.HOME));
      assertEquals(a, TestClusters.runningHost(nodes, h));
      ActorTestKit kit = ActorTestKit.create(nodes.node(0).system());
      TestProbe<HomeProxy.MigrateAnswer> answer = kit.createTestProbe();
      nodes.node(0).refs().homes().tell(new HomeManager.MigrateJob(h.id(), b, answer.ref()));
      HomeProxy.MigrateAnswer moved = answer.receiveMessage(Duration.ofSeconds(30));
      assertTrue(moved.moved(), moved.message());
      assertTrue(moved.message().contains("over the side channel"), moved.message());
      JobInfo after = h.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertEquals(b, after.host());
      assertTrue(after.bytesMoved() > (mib << 20), "moved " + after.bytesMoved() + " bytes");
      assertEquals(BigState.expected(mib, steps),
          h.result().toCompletableFuture().get(60, TimeUnit.SECONDS));
    }
  }

  @Test
  @Order(4)
  void theSideChannelOnTlsRefusesPlainAndForeignConnections() throws Exception {
    SideChannelTls server = SideChannelTls.fromConfig(DriftConfig.forNode(null, production(node2)));
    SideChannelTls sender = SideChannelTls.fromConfig(DriftConfig.forNode(null, production(node1)));
    Map<String, Object> intruder = new HashMap<>(production(node1));
    intruder.putAll(intruder());
    SideChannelTls stranger = SideChannelTls.fromConfig(DriftConfig.forNode(null, intruder));
    Duration io = Duration.ofSeconds(5);
    byte[] state = new byte[256 << 10]; // 256 KiB, as a large state
    new Random(20).nextBytes(state);
    ExecutorService threads = Executors.newCachedThreadPool();
    try (SideChannel channel = SideChannel.bind(LocalCluster.HOST, 0, io, server)) {
      CompletableFuture<SideChannel.Arrival> arrived = new CompletableFuture<>();
      String token = channel.expect(state.length, arrived::complete);
      // with the right token, but no TLS, then TLS with a certificate of the other CA
      for (SideChannelTls wrong : new SideChannelTls[] {null, stranger}) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> SideChannel.send(
                LocalCluster.HOST, channel.port(), token, "", SideChannel.PLAIN, state.length,
                out -> out.write(state), io, 0, threads, wrong)
            .done().get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof java.io.IOException, e.toString());
      }
      assertTrue(!arrived.isDone(), "nothing arrived from the refused connections");
      // the token was never read, so it still serves the node with the right certificate
      long crc = SideChannel.send(LocalCluster.HOST, channel.port(), token, "", SideChannel.PLAIN,
          state.length, out -> out.write(state), io, 0, threads, sender)
          .done().get(10, TimeUnit.SECONDS);
      SideChannel.Arrived got = (SideChannel.Arrived) arrived.get(10, TimeUnit.SECONDS);
      assertArrayEquals(state, (byte[]) got.value());
      assertEquals(crc, got.crc32c());
    } finally {
      threads.shutdownNow();
    }
  }

  /**
   * Last, as it changes the membership. The refused node is judged by what can be seen: it
   * logs that its join attempts to our seed went unanswered, and meanwhile the cluster has no
   * member event and the intruder knows no member. Absence can only be watched for a bounded
   * time: 5 s is several join attempts at the intruder's seed-node-timeout of 1 s, each refused
   * in the TLS handshake. The control: a node that differs only by its certificate then joins.
   */
  @Test
  @Order(5)
  void aNodeWithACertificateOfAnotherCaIsRefusedAndOneOfTheClusterCaJoins() {
    ActorTestKit kit = ActorTestKit.create(nodes.node(0).system());
    TestProbe<ClusterEvent.MemberEvent> events = kit.createTestProbe();
    Cluster.get(nodes.node(0).system()).subscriptions().tell(
        Subscribe.create(events.ref(), ClusterEvent.MemberEvent.class));
    // the two members as they are now, replayed to a new subscriber
    events.receiveSeveralMessages(2, Duration.ofSeconds(5));
    Set<String> before = upMembers(nodes.node(0));
    assertEquals(2, before.size(), before.toString());

    // the cluster's settings (LocalCluster: loopback, node 0 as seed) but the intruder's stores
    Map<String, Object> intruder = new HashMap<>(intruder());
    intruder.put("pekko.cluster.seed-node-timeout", "1s");
    String seed = "pekko://" + DriftNode.SYSTEM_NAME + "@" + nodes.node(0).selfNode();
    DriftNode[] started = new DriftNode[1];
    // its second join attempt, to our seed, went unanswered (it logs each from the second on)
    LoggingTestKit.warn("Couldn't join seed nodes after [2] attempts")
        .withMessageRegex(".*seed-nodes=\\[" + java.util.regex.Pattern.quote(seed) + "\\].*")
        .expect(nodes.node(0).system(), () -> {
          started[0] = nodes.addNode(1, intruder);
          nodes.nodes().remove(started[0]); // not one of ours, whatever happens
          // meanwhile, and for several attempts at 1 s, nothing happens to the membership
          events.expectNoMessage(Duration.ofSeconds(5));
          return null;
        });
    DriftNode stranger = started[0];
    try {
      ActorTestKit theirs = ActorTestKit.create(stranger.system());
      TestProbe<ClusterEvent.MemberEvent> seen = theirs.createTestProbe();
      Cluster.get(stranger.system()).subscriptions().tell(
          Subscribe.create(seen.ref(), ClusterEvent.MemberEvent.class));
      seen.expectNoMessage(Duration.ofMillis(200)); // its own state: no member, itself neither
      assertEquals(before, upMembers(nodes.node(0)));
      assertEquals(before, upMembers(nodes.node(1)));
      assertTrue(Cluster.get(stranger.system()).state().getMembers().iterator().hasNext() == false,
          "the intruder sees no members");
    } finally {
      stranger.close();
    }

    DriftNode joiner = nodes.addNode(1, Map.of(KEY_STORE, node3.toString()));
    kit.createTestProbe().awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(200), () -> {
      Set<String> up = upMembers(nodes.node(0));
      assertEquals(3, up.size(), up.toString());
      assertTrue(up.contains(joiner.selfNode()), up.toString());
      return null;
    });
  }

  static Set<String> upMembers(DriftNode n) {
    return java.util.stream.StreamSupport.stream(
            Cluster.get(n.system()).state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up())
        .map(m -> m.address().host().get() + ":" + m.address().port().get())
        .collect(Collectors.toSet());
  }
}
