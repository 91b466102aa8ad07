package io.drift.node.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.api.DriftException;
import io.drift.api.JobId;
import io.drift.api.JobInfo;
import io.drift.api.JobState;
import io.drift.home.HomeProxy;
import io.drift.migration.codec.StateCodec;
import io.drift.node.Gateway;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The client's one inbox: answers and events by job id, whatever order they come in. */
class ClientInboxTest {
  private static final ActorTestKit KIT = ActorTestKit.create();
  private static final StateCodec CODEC = new StateCodec();

  @AfterAll
  static void stop() {
    KIT.shutdownTestKit();
  }

  private static Behavior<String> idle() {
    return Behaviors.receiveMessage(m -> m.equals("stop") ? Behaviors.stopped() : Behaviors.same());
  }

  /** An inbox under test, its gateway and the jobs it shares with its client. */
  private static final class Fixture {
    final Map<JobId, ClientInbox.Job> jobs = new ConcurrentHashMap<>();
    final ActorRef<String> gateway = KIT.spawn(idle());
    final ActorRef<Object> inbox = KIT.spawn(ClientInbox.create(gateway, jobs));

    /** A job the client is about to submit, added as the client adds it. */
    ClientInbox.Job add(JobId id) {
      RemoteJobHandle<Long> h = new RemoteJobHandle<>(id, "n:1", null, ClientInboxTest.class
          .getClassLoader(), CODEC, Duration.ofSeconds(5), KIT.system().scheduler(), 100,
          Duration.ofSeconds(5), () -> false, ActorRefResolver.get(KIT.system()));
      ClientInbox.Job j = new ClientInbox.Job(h, new CompletableFuture<>());
      jobs.put(id, j);
      return j;
    }
  }

  private static JobInfo info(JobId id, JobState state) {
    return new JobInfo(id, "t", "x.Unit", "n:1", "n:2", state, 1, 0, 0, 0.5, 0, 0L, null, null,
        0, 0, 0);
  }

  /** A reference as a node's answer carries it. */
  private static String path(ActorRef<?> ref) {
    return ActorRefResolver.get(KIT.system()).toSerializationFormat(ref);
  }

  @Test
  void theAnswersHomeIsWhereTheHandleAsks() {
    Fixture f = new Fixture();
    JobId id = JobId.of("h1");
    ClientInbox.Job j = f.add(id);
    TestProbe<HomeProxy.Command> home = KIT.createTestProbe();
    f.inbox.tell(new Gateway.Submitted(id, "n:1", path(home.getRef())));
    // resolved from its path only now, at the handle's first word to its home
    KIT.createTestProbe().awaitAssert(() -> {
      assertTrue(j.answer().isDone());
      return null;
    });
    handle(j).status();
    home.expectMessageClass(HomeProxy.GetInfo.class);
    handle(j).status(); // and the next, from the kept reference
    home.expectMessageClass(HomeProxy.GetInfo.class);
  }

  @SuppressWarnings("unchecked")
  private static RemoteJobHandle<Long> handle(ClientInbox.Job j) {
    return (RemoteJobHandle<Long>) j.handle();
  }

  @Test
  void anEndThatOvertakesTheAnswerStillReachesItsHandle() throws Exception {
    Fixture f = new Fixture();
    ActorRef<Object> inbox = f.inbox;
    JobId a = JobId.of("a1");
    JobId b = JobId.of("b2");
    ClientInbox.Job ja = f.add(a);
    ClientInbox.Job jb = f.add(b);
    TestProbe<HomeProxy.Command> home = KIT.createTestProbe();

    // a's events and end come before its answer; b's answer comes first
    inbox.tell(new HomeProxy.Update(info(a, JobState.RUNNING)));
    inbox.tell(new HomeProxy.Completed(info(a, JobState.SUCCEEDED), CODEC.encode(41L)));
    inbox.tell(new Gateway.Submitted(b, "n:1", path(home.getRef())));
    inbox.tell(new Gateway.Submitted(a, "n:1", path(home.getRef())));
    inbox.tell(new HomeProxy.Completed(info(b, JobState.SUCCEEDED), CODEC.encode(42L)));

    assertEquals(41L, handle(ja).result().toCompletableFuture().get(5, TimeUnit.SECONDS));
    assertEquals(42L, handle(jb).result().toCompletableFuture().get(5, TimeUnit.SECONDS));
    assertInstanceOf(Gateway.Submitted.class, ja.answer().get(5, TimeUnit.SECONDS));
    assertInstanceOf(Gateway.Submitted.class, jb.answer().get(5, TimeUnit.SECONDS));
    // each leaves once it has both its answer and its end
    KIT.createTestProbe().awaitAssert(() -> {
      assertTrue(f.jobs.isEmpty(), () -> "still followed: " + f.jobs.keySet());
      return null;
    });
  }

  @Test
  void aRefusalAnswersItsSubmissionAndForgetsTheJob() throws Exception {
    Fixture f = new Fixture();
    JobId id = JobId.of("r1");
    ClientInbox.Job j = f.add(id);
    f.inbox.tell(new Gateway.Rejected("no room", id));
    Gateway.SubmitReply reply = j.answer().get(5, TimeUnit.SECONDS);
    assertEquals("no room", ((Gateway.Rejected) reply).reason());
    assertFalse(f.jobs.containsKey(id));
  }

  @Test
  void whenTheGatewayGoesEveryOpenJobAndSubmissionFails() {
    Fixture f = new Fixture();
    JobId running = JobId.of("g1");
    ClientInbox.Job jr = f.add(running);
    ClientInbox.Job ju = f.add(JobId.of("g2"));
    f.inbox.tell(new Gateway.Submitted(running, "n:1", path(KIT.createTestProbe()
        .getRef())));
    f.gateway.tell("stop");

    ExecutionException lost = org.junit.jupiter.api.Assertions.assertThrows(
        ExecutionException.class,
        () -> handle(jr).result().toCompletableFuture().get(5, TimeUnit.SECONDS));
    assertInstanceOf(DriftException.class, lost.getCause());
    assertTrue(lost.getCause().getMessage().contains("is gone"), lost.getCause().getMessage());
    ExecutionException noAnswer = org.junit.jupiter.api.Assertions.assertThrows(
        ExecutionException.class, () -> ju.answer().get(5, TimeUnit.SECONDS));
    assertInstanceOf(DriftException.class, noAnswer.getCause());
    // cleared right after the failures it told, on the inbox's thread
    KIT.createTestProbe().awaitAssert(() -> {
      assertTrue(f.jobs.isEmpty());
      return null;
    });
  }

  @Test
  void aClosingClientAbandonsItsOpenJobs() {
    Fixture f = new Fixture();
    JobId id = JobId.of("c1");
    ClientInbox.Job j = f.add(id);
    f.inbox.tell(new Gateway.Submitted(id, "n:1", path(KIT.createTestProbe()
        .getRef())));
    f.inbox.tell(new HomeProxy.Output(id, List.of()));
    KIT.stop(f.inbox);
    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
        ExecutionException.class,
        () -> handle(j).result().toCompletableFuture().get(5, TimeUnit.SECONDS));
    assertTrue(e.getCause().getMessage().contains("client was closed"),
        e.getCause().getMessage());
  }
}
