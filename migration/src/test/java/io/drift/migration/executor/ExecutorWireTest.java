package io.drift.migration.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.drift.api.JobId;
import io.drift.api.OutputLine;
import io.drift.api.units.PrimeCount;
import io.drift.migration.codec.Payload;
import io.drift.migration.codec.StateCodec;
import io.drift.migration.executor.Executor.Command;
import io.drift.migration.executor.Executor.HostEvent;
import io.drift.migration.executor.Executor.PauseReply;
import io.drift.migration.executor.Executor.StartReply;
import io.drift.migration.executor.Executor.Units;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The executor's messages cross the network: each must survive Pekko serialization as is. */
class ExecutorWireTest {

  private static ActorTestKit testKit;

  @BeforeAll
  static void startTestKit() {
    testKit = ActorTestKit.create("ExecutorWireTest");
  }

  @AfterAll
  static void stopTestKit() {
    testKit.shutdownTestKit();
  }

  @Test
  void everyWireMessageRoundTripsThroughJacksonCbor() throws Exception {
    JobId job = JobId.of("wire-1");
    Payload unit = new StateCodec().encode(new PrimeCount(0, 1_000));
    Payload result = new StateCodec().encode(168L);
    var home = testKit.<HostEvent>createTestProbe().ref();
    var replyTo = testKit.<StartReply>createTestProbe().ref();
    var pauser = testKit.<PauseReply>createTestProbe().ref();
    var units = testKit.<Units>createTestProbe().ref();
    var executor = testKit.<Command>createTestProbe().ref();

    List<Object> messages = List.of(
        new Executor.Start(job, 3, "primes", "10.0.0.1:2552", unit, 17, 1_000, 5, home, replyTo),
        new Executor.Accepted(job, 3, "10.0.0.2:2552"),
        new Executor.Refused(job, 3, "10.0.0.2:2552", "node is full"),
        new Executor.Start(job, 4, "primes", "10.0.0.1:2552", unit, 1, 0, 0, 2, home, replyTo),
        new Executor.Refused(job, 4, "10.0.0.2:2552", "runs 4 units; believed 2", 4),
        new Executor.Cancel(job, 3),
        new Executor.OutputAck(job, 3, 99),
        new Executor.Pause(job, pauser),
        new Executor.Paused(job, 3, 12_345, 6),
        new Executor.NotHere(job),
        new Executor.Resume(job),
        new Executor.GetUnits(units),
        new Executor.Units("10.0.0.2:2552", 4,
            List.of(new Executor.UnitInfo(job, "primes", 3, true, "RUNNING", "10.0.0.9:2552"))),
        new Executor.OutputBatch(job, 3, List.of(
            new OutputLine(17, OutputLine.Stream.OUT, "héllo"),
            new OutputLine(18, OutputLine.Stream.ERR, "")), executor),
        new Executor.Report(job, 3, 0.5, 1_000_000, 7),
        new Executor.Finished(job, 3, result, 2_000_000, 8),
        new Executor.Finished(job, 3, Payload.NULL, 2_000_000, 8),
        new Executor.Failed(job, 3, "java.lang.IllegalStateException: boom", "trace", 1, 2),
        new Executor.Cancelled(job, 3, 1, 2));

    SerializationTestKit serialization = testKit.serializationTestKit();
    var extension = SerializationExtension.get(testKit.system());
    for (Object m : messages) {
      assertEquals("JacksonCborSerializer",
          extension.findSerializerFor(m).getClass().getSimpleName(), m.getClass().getName());
      serialization.verifySerialization(m, true);
    }
  }
}
