package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.drift.api.JobId;
import io.drift.api.JobInfo;
import io.drift.api.JobState;
import io.drift.home.HomeProxy;
import io.drift.migration.codec.Payload;
import io.drift.migration.executor.Executor;
import java.io.NotSerializableException;
import java.util.Arrays;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The placement path's messages in their binary layout (decision 0030). */
class PlacementWireSerializerTest {

  private static ActorTestKit kit;
  private static Serialization serialization;
  private static ActorRef<Object> a;
  private static ActorRef<Object> b;

  @BeforeAll
  static void start() {
    kit = ActorTestKit.create("wire", ConfigFactory.parseString("""
        pekko.actor.provider = cluster
        pekko.remote.artery.canonical.hostname = 127.0.0.1
        pekko.remote.artery.canonical.port = 0
        """).withFallback(ConfigFactory.load()));
    serialization = SerializationExtension.get(kit.system().classicSystem());
    a = kit.<Object>createTestProbe().ref();
    b = kit.<Object>createTestProbe().ref();
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  @SuppressWarnings("unchecked")
  private static <T> ActorRef<T> ref(ActorRef<Object> r) {
    return (ActorRef<T>) (ActorRef<?>) r;
  }

  /** The node's own instance, as bound in cluster-node's reference.conf. */
  private static PlacementWireSerializer serializer() {
    return (PlacementWireSerializer) serialization.serializerByIdentity()
        .apply(PlacementWireSerializer.ID);
  }

  private static final JobId ID = JobId.of("0a1b2c3d4e5f");
  private static final Payload UNIT = new Payload("io.drift.bench.Stamp", new byte[] {1, 2, 3});

  private static JobInfo info(String host, String error, String resultJson, JobState state) {
    return new JobInfo(ID, "stamp", "io.drift.bench.Stamp", "127.0.0.1:2551", host, state, 3,
        1_234_567, 89, 0.75, 12, 1_765_000_000_000L, error, resultJson, 2, 4096, 777);
  }

  /** Every message, with each nullable field once null and once set. */
  private static List<Object> messages() {
    return List.of(
        new Gateway.Submit("stamp", UNIT, 64, true, "ws", "c0de", "127.0.0.1:2552", 5,
            ref(a), ID, ref(b)),
        new Gateway.Submit("stamp", UNIT, 0, false, null, null, null, null, ref(a), null, null),
        new Gateway.Submitted(ID, "127.0.0.1:2551",
            ActorRefResolver.get(kit.system()).toSerializationFormat(b)),
        new Gateway.Submitted(ID, "127.0.0.1:2551", null),
        new Gateway.Rejected("no such node", ID),
        new Gateway.Rejected("bad", null),
        new HomeProxy.Update(info("127.0.0.1:2553", null, null, JobState.RUNNING)),
        new HomeProxy.Update(info(null, null, null, null)),
        new HomeProxy.Completed(info("h", null, "{\"v\":1}", JobState.SUCCEEDED),
            new Payload("java.lang.Long", new byte[] {9})),
        new HomeProxy.Completed(info("h", "IllegalStateException: no", null, JobState.FAILED),
            null),
        new Executor.Start(ID, 4, "stamp", "127.0.0.1:2551", UNIT, 17, 5_000, 6, 3, 9,
            "c0de", ref(a), ref(b)),
        new Executor.Start(ID, 1, "stamp", "127.0.0.1:2551", Payload.NULL, 1, 0, 0,
            Executor.NO_BELIEF, 1, null, ref(a), ref(b)),
        new Executor.Accepted(ID, 4, "127.0.0.1:2553"),
        new Executor.Finished(ID, 4, new Payload("java.lang.Long", new byte[8]), 99, 1),
        new Executor.Finished(ID, 4, null, 0, 0),
        new Executor.Report(ID, 4, 0.5, 123, 7));
  }

  @Test
  void everyPlacementMessageIsWrittenByItAndComesBackEqual() throws Exception {
    for (Object m : messages()) {
      Serializer s = serialization.findSerializerFor(m);
      assertEquals(PlacementWireSerializer.ID, s.identifier(),
          m.getClass().getName() + " must not fall back to its module's jackson-cbor");
      Object back = serialization.deserialize(s.toBinary(m), s.identifier(),
          Serializers.manifestFor(s, m)).get();
      assertEquals(m, back);
    }
  }

  @Test
  void aResultPastSixtyFourKibibytesComesBack() throws Exception {
    // DataOutput.writeUTF stops at 64 KiB; a result's JSON may be longer
    String big = "x".repeat(200_000) + "é";
    Object m = new HomeProxy.Completed(info("h", null, big, JobState.SUCCEEDED), null);
    PlacementWireSerializer s = serializer();
    assertEquals(m, s.fromBinary(s.toBinary(m), s.manifest(m)));
  }

  @Test
  void badInputIsRefusedSayingWhy() {
    PlacementWireSerializer s = serializer();
    Object m = new Executor.Accepted(ID, 4, "127.0.0.1:2553");
    byte[] good = s.toBinary(m);
    var unknown = assertThrows(NotSerializableException.class, () -> s.fromBinary(good, "Zz9"));
    assertTrue(unknown.getMessage().contains("Zz9"), unknown.getMessage());
    assertThrows(NotSerializableException.class,
        () -> s.fromBinary(Arrays.copyOf(good, good.length - 1), "Ac1"));
    var longer = assertThrows(NotSerializableException.class,
        () -> s.fromBinary(Arrays.copyOf(good, good.length + 1), "Ac1"));
    assertTrue(longer.getMessage().contains("too many"), longer.getMessage());
    // a job id its record refuses
    byte[] badId = s.toBinary(new Executor.Accepted(ID, 4, "h"));
    badId[4] = '/';
    var id = assertThrows(NotSerializableException.class, () -> s.fromBinary(badId, "Ac1"));
    assertTrue(id.getMessage().contains("job id"), id.getMessage());
    assertThrows(IllegalArgumentException.class, () -> s.toBinary("not a placement message"));
  }
}
