package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.api.JobId;
import io.drift.api.units.BurnCpu;
import io.drift.balancer.Balancer;
import io.drift.home.HomeManager;
import io.drift.migration.codec.Payload;
import io.drift.migration.codec.StateCodec;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway alone, its home manager a probe: every submission gets one answer, the manager's
 * or, when the manager keeps silent, a refusal once drift.gateway.create-timeout has passed.
 */
class GatewayTest {

  private static final ActorTestKit KIT = ActorTestKit.create("gateway");
  private static final StateCodec CODEC = new StateCodec();
  private static final Duration TIMEOUT = Duration.ofMillis(400);

  @AfterAll
  static void stop() {
    KIT.shutdownTestKit();
  }

  private static Gateway.Submit submit(JobId id, ActorRef<Gateway.SubmitReply> client)
      throws Exception {
    Payload unit = CODEC.encode(new BurnCpu(1));
    return new Gateway.Submit("burn", unit, 0, true, null, null, null, null, client, id, null);
  }

  @Test
  void aSilentHomeManagerGetsEachSubmissionRefusedOnceItsTimeIsUp() throws Exception {
    TestProbe<HomeManager.Command> homes = KIT.createTestProbe();
    TestProbe<Balancer.Command> balancer = KIT.createTestProbe();
    TestProbe<Gateway.SubmitReply> client = KIT.createTestProbe();
    ActorRef<Gateway.Command> gateway = KIT.spawn(Gateway.create(homes.ref(), balancer.ref(),
        CODEC, null, "n:1", 1 << 20, TIMEOUT));

    JobId answered = JobId.of("a1");
    JobId first = JobId.of("s1");
    JobId second = JobId.of("s2");
    long firstAt = System.nanoTime();
    gateway.tell(submit(first, client.ref()));
    HomeManager.Create c1 = homes.expectMessageClass(HomeManager.Create.class);
    gateway.tell(submit(answered, client.ref()));
    HomeManager.Create ca = homes.expectMessageClass(HomeManager.Create.class);
    ca.replyTo().tell(new HomeManager.Created(answered, "n:1", null));
    Gateway.Submitted ok = client.expectMessageClass(Gateway.Submitted.class);
    assertEquals(answered, ok.jobId());
    // the second comes a while after the first (and nothing is refused early meanwhile)
    client.expectNoMessage(TIMEOUT.dividedBy(2));
    long secondAt = System.nanoTime();
    gateway.tell(submit(second, client.ref()));
    homes.expectMessageClass(HomeManager.Create.class);

    Gateway.Rejected r1 = client.expectMessageClass(Gateway.Rejected.class,
        TIMEOUT.multipliedBy(5));
    long r1At = System.nanoTime();
    assertEquals(first, r1.jobId());
    assertTrue(r1.reason().contains("did not answer within 400 ms"), r1.reason());
    assertTrue(r1At - firstAt >= TIMEOUT.toNanos(), "refused before its time was up");
    // the sweep that refused the first leaves the second for its own time
    Gateway.Rejected r2 = client.expectMessageClass(Gateway.Rejected.class,
        TIMEOUT.multipliedBy(5));
    assertEquals(second, r2.jobId());
    assertTrue(System.nanoTime() - secondAt >= TIMEOUT.toNanos(),
        "refused before its time was up");

    // an answer after the refusal is dropped: the client hears of each job once
    c1.replyTo().tell(new HomeManager.Created(first, "n:1", null));
    client.expectNoMessage(Duration.ofMillis(200));
  }
}
