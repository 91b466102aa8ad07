package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigException;
import io.drift.api.DriftException;
import io.drift.api.JobFailedException;
import io.drift.api.JobHandle;
import io.drift.api.JobSpec;
import io.drift.api.Step;
import io.drift.api.SubmissionRejectedException;
import io.drift.api.WorkContext;
import io.drift.api.WorkUnit;
import io.drift.api.units.PrimeCount;
import io.drift.migration.codec.Payload;
import io.drift.migration.codec.StateCodec;
import io.drift.node.client.DriftClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bad input gets a clear error, and the node stays up. */
class BadInputTest {

  static LocalCluster cluster;
  static DriftClient client;

  @BeforeAll
  static void start() {
    cluster = TestClusters.startReady(List.of(2));
    client = DriftClient.connect(cluster.node(0).selfNode());
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  /** A unit whose step throws on its third call. */
  static final class Exploding implements WorkUnit<Long> {
    private int calls;

    @Override
    public Step<Long> step(WorkContext ctx) {
      if (++calls == 3) {
        throw new IllegalStateException("disk on fire at step " + calls);
      }
      ctx.out("step " + calls);
      return Step.more();
    }
  }

  /** A unit holding something that is not state: a lock object Jackson cannot encode. */
  static final class HoldsALock implements WorkUnit<Long> {
    private final Object lock = new Object();

    @Override
    public Step<Long> step(WorkContext ctx) {
      synchronized (lock) {
        return Step.done(1L);
      }
    }
  }

  @Test
  void aStepThatThrowsFailsTheJobWithItsMessageAndTheNodeStaysUp() throws Exception {
    JobHandle<Long> h = client.submit(JobSpec.of(new Exploding()));
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> h.result().toCompletableFuture().get(20, TimeUnit.SECONDS));
    JobFailedException failed = assertInstanceOf(JobFailedException.class, e.getCause());
    assertTrue(failed.getMessage().contains(
        "java.lang.IllegalStateException: disk on fire at step 3"), failed.getMessage());
    assertEquals(2, h.status().toCompletableFuture().get(5, TimeUnit.SECONDS).outputLines(),
        "the output written before the failure reached home");

    // the same node still runs work
    JobHandle<Long> ok = client.submit(JobSpec.of(new PrimeCount(0, 1000)));
    assertEquals(168L, ok.result().toCompletableFuture().get(20, TimeUnit.SECONDS));
  }

  @Test
  void aUnitWhoseStateCannotBeEncodedIsRefusedAtSubmission() throws Exception {
    SubmissionRejectedException e = assertThrows(SubmissionRejectedException.class,
        () -> client.submit(JobSpec.of(new HoldsALock())));
    assertTrue(e.getMessage().contains("cannot be encoded"), e.getMessage());
    assertTrue(e.getMessage().contains(HoldsALock.class.getName()), e.getMessage());
    assertTrue(client.jobs().toCompletableFuture().get(5, TimeUnit.SECONDS).stream()
        .noneMatch(j -> j.unitClass().equals(HoldsALock.class.getName())), "nothing was recorded");
  }

  @Test
  void aUnitClassTheNodeCannotLoadIsRejectedWithItsName() throws Exception {
    ActorTestKit kit = ActorTestKit.create(cluster.node(0).system());
    TestProbe<Gateway.SubmitReply> probe = kit.createTestProbe();
    Payload bytes = new StateCodec().encode(Map.of("from", 1));
    cluster.node(0).refs().gateway().tell(new Gateway.Submit("ghost",
        new Payload("com.example.NotOnTheClassPath", bytes.bytes()), 0, true, probe.ref()));
    Gateway.Rejected r = probe.expectMessageClass(Gateway.Rejected.class);
    assertEquals("unit class com.example.NotOnTheClassPath is not on the class path of node "
        + cluster.node(0).selfNode(), r.reason());

    // a class that loads but is no WorkUnit
    cluster.node(0).refs().gateway().tell(new Gateway.Submit("not-a-unit",
        new StateCodec().encode("just a string"), 0, true, probe.ref()));
    assertTrue(probe.expectMessageClass(Gateway.Rejected.class).reason()
        .contains("is not a io.drift.api.WorkUnit"));

    // a workspace outside the root, from a client that skipped JobSpec's own check
    cluster.node(0).refs().gateway().tell(new Gateway.Submit("escape",
        new StateCodec().encode(new io.drift.api.units.PrintLines(1)), 0, true, "a/../../b",
        null, probe.ref()));
    String why = probe.expectMessageClass(Gateway.Rejected.class).reason();
    assertTrue(why.startsWith("workspace ") && why.contains("'..'"), why);
  }

  @Test
  void aNodeAddressThatDoesNotAnswerTimesOutWithAClearMessage() {
    int nobody = LocalCluster.freePorts(1).get(0);
    DriftException e = assertThrows(DriftException.class, () -> DriftClient.connect(
        DriftConfig.forClient(null, Map.of("drift.client.node", "127.0.0.1:" + nobody,
            "drift.client.timeout", "2s"))));
    assertTrue(e.getMessage().startsWith("no Drift node answered at 127.0.0.1:" + nobody
        + " within 2s"), e.getMessage());

    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> DriftClient.connect("no-port-here"));
    assertTrue(bad.getMessage().contains("host:port"), bad.getMessage());
  }

  @Test
  void aMalformedConfigValueStopsStartUpNamingItsKey() {
    ConfigException wrongType = assertThrows(ConfigException.class,
        () -> DriftNode.start(DriftConfig.forNode(null, Map.of("drift.node.slots", "many"))));
    assertTrue(wrongType.getMessage().contains("drift.node.slots"), wrongType.getMessage());

    ConfigException badValue = assertThrows(ConfigException.class,
        () -> DriftNode.start(DriftConfig.forNode(null, Map.of("drift.node.speed", -2))));
    assertTrue(badValue.getMessage().contains("drift.node.speed"), badValue.getMessage());
    ConfigException notASpeed = assertThrows(ConfigException.class,
        () -> DriftNode.start(DriftConfig.forNode(null, Map.of("drift.node.speed", "fast"))));
    assertTrue(notASpeed.getMessage().contains("number > 0 or auto, was fast"),
        notASpeed.getMessage());

    ConfigException badPlacement = assertThrows(ConfigException.class, () -> DriftNode.start(
        DriftConfig.forNode(null, Map.of("drift.balancer.placement", "nearest"))));
    assertTrue(badPlacement.getMessage().contains(
        "must be cost, home-first or round-robin, was nearest"), badPlacement.getMessage());

    ConfigException badDuration = assertThrows(ConfigException.class,
        () -> DriftNode.start(DriftConfig.forNode(null, Map.of("drift.executor.time-slice", "soon"))));
    assertTrue(badDuration.getMessage().contains("drift.executor.time-slice"),
        badDuration.getMessage());
  }
}
