package io.drift.home;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.drift.api.JobId;
import io.drift.api.JobInfo;
import io.drift.api.JobState;
import io.drift.api.OutputLine;
import io.drift.migration.codec.StateCodec;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The home protocol crosses nodes (clients to homes): it must survive Pekko serialization. */
class HomeWireTest {

  static ActorTestKit testKit;
  static SerializationTestKit serialization;

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create();
    serialization = testKit.serializationTestKit();
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  static JobInfo info(JobState state, String error, String resultJson) {
    return new JobInfo(JobId.of("abc123"), "name", "com.example.Unit", "h:1", "n:2", state, 3,
        1_000_000L, 42, 0.5, 7, 1_700_000_000_000L, error, resultJson, 3, 4096, 2500);
  }

  @Test
  void homeProtocolIsBoundToJacksonCbor() {
    var ser = SerializationExtension.get(testKit.system().classicSystem());
    for (Object m : List.of(new HomeProxy.InfoReply(info(JobState.RUNNING, null, null)),
        new HomeProxy.Update(info(JobState.RUNNING, null, null)))) {
      assertEquals("JacksonCborSerializer", ser.findSerializerFor(m).getClass().getSimpleName(),
          m.getClass().getName());
    }
  }

  @Test
  void repliesAndEventsRoundTrip() throws Exception {
    TestProbe<Object> probe = testKit.createTestProbe();
    List<Object> messages = List.of(
        new HomeProxy.InfoReply(info(JobState.RUNNING, null, null)),
        new HomeProxy.Output(JobId.of("abc123"), List.of(
            new OutputLine(1, OutputLine.Stream.OUT, "héllo"),
            new OutputLine(2, OutputLine.Stream.ERR, ""))),
        new HomeProxy.Update(info(JobState.PENDING, null, null)),
        new HomeProxy.Completed(info(JobState.SUCCEEDED, null, "5"), new StateCodec().encode(5L)),
        new HomeProxy.Completed(info(JobState.FAILED, "java.lang.Error: x", null), null),
        new HomeManager.JobList("h:1", 1, 0, List.of(info(JobState.CANCELLED, "stop", null))),
        new HomeManager.JobLookup(JobId.of("nope"), null, null),
        new HomeProxy.GetInfo(probe.ref().unsafeUpcast()),
        new HomeProxy.Cancel("why", probe.ref().unsafeUpcast()),
        new HomeProxy.Subscribe(probe.ref().unsafeUpcast()),
        new HomeManager.ListJobs(0, 50, probe.ref().unsafeUpcast()),
        new HomeManager.GetJob(JobId.of("abc123"), probe.ref().unsafeUpcast()),
        new HomeManager.GetHome(JobId.of("abc123"), probe.ref().unsafeUpcast()));
    for (Object m : messages) {
      assertEquals(m, serialization.verifySerialization(m, false), m.getClass().getName());
    }
  }

  @Test
  void settingsComeFromReferenceConf() {
    HomeSettings s = HomeSettings.fromConfig(ConfigFactory.load());
    assertEquals(Duration.ofSeconds(10), s.startTimeout());
    assertEquals(Duration.ofSeconds(1), s.retryInterval());
    assertEquals(10_000, s.maxKeptLines());
    assertEquals(1_000, s.maxKeptLinesFinished());
    assertEquals(1_000, s.retainFinished());
  }

  @Test
  void aBadSettingIsNamedByItsFullKey() {
    ConfigException e = assertThrows(ConfigException.class, () -> HomeSettings.fromConfig(
        ConfigFactory.parseString("drift.home.retry-interval = soon")
            .withFallback(ConfigFactory.load())));
    assertTrue(e.getMessage().contains("drift.home.retry-interval"), e.getMessage());
  }

  @Test
  void settingsRejectNonsense() {
    Duration ok = Duration.ofSeconds(1);
    assertThrows(ConfigException.class, () -> new HomeSettings(Duration.ZERO, ok, 1, 1, 1));
    assertThrows(ConfigException.class, () -> new HomeSettings(ok, Duration.ofMillis(-1), 1, 1, 1));
    assertThrows(ConfigException.class, () -> new HomeSettings(ok, ok, -1, 0, 1));
    assertThrows(ConfigException.class, () -> new HomeSettings(ok, ok, 1, 1, -1));
    assertEquals(0, new HomeSettings(ok, ok, 0, 0, 0).maxKeptLines()); // zero keeps nothing: allowed
    assertThrows(ConfigException.class, () -> new HomeSettings(ok, ok, 10, 11, 1));
  }
}
