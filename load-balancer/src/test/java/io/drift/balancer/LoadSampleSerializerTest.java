package io.drift.balancer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.NotSerializableException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Load samples on the wire and in Distributed Data: the binary layout of decision 0029. */
class LoadSampleSerializerTest {

  private static ActorTestKit kit;
  private static Serialization serialization;

  @BeforeAll
  static void start() {
    kit = ActorTestKit.create("samples", com.typesafe.config.ConfigFactory.parseString("""
        pekko.actor.provider = cluster
        pekko.remote.artery.canonical.hostname = 127.0.0.1
        pekko.remote.artery.canonical.port = 0
        """).withFallback(com.typesafe.config.ConfigFactory.load()));
    serialization = SerializationExtension.get(kit.system().classicSystem());
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  private static LoadSample sample(Map<String, Integer> byCluster, String cluster) {
    return new LoadSample("127.0.0.1:2552", "pekko://drift@127.0.0.1:2552/user/executor#12",
        41, 4, 7, 3, 123_456_789_012L, 1.75, 3L << 30, 4L << 30, true, 6.25, 7.5, cluster,
        byCluster);
  }

  private static Object roundTrip(Object o) throws NotSerializableException {
    var s = serialization.findSerializerFor(o);
    byte[] bytes = s.toBinary(o);
    return serialization.deserialize(bytes, s.identifier(), Serializers.manifestFor(s, o)).get();
  }

  @Test
  void theSampleBindingWinsOverTheModulesJacksonBinding() {
    var s = serialization.findSerializerFor(sample(Map.of(), "default"));
    assertEquals(LoadSampleSerializer.ID, s.identifier(),
        "LoadSample must not fall back to BalancerWire's jackson-cbor");
  }

  @Test
  void everyFieldComesBack() throws Exception {
    LoadSample s = sample(Map.of("east", 2, "west", 1), "east");
    assertEquals(s, roundTrip(s));
    LoadSample noCluster = sample(Map.of(), null);
    assertEquals(noCluster, roundTrip(noCluster));
  }

  @Test
  void equalSamplesGiveEqualBytesWhateverTheMapsOrder() {
    Map<String, Integer> ab = new LinkedHashMap<>();
    Map<String, Integer> ba = new LinkedHashMap<>();
    for (int i = 0; i < 20; i++) {
      ab.put("dc" + i, i);
    }
    for (int i = 19; i >= 0; i--) {
      ba.put("dc" + i, i);
    }
    LoadSampleSerializer s = new LoadSampleSerializer();
    // the replicator digests the serialized map: nodes holding the same samples must agree
    assertArrayEquals(s.toBinary(sample(ab, "x")), s.toBinary(sample(ba, "x")));
  }

  @Test
  void samplesInsideDistributedDataComeBack() throws Exception {
    SelfUniqueAddress self = DistributedData.get(kit.system()).selfUniqueAddress();
    LWWMap<String, LoadSample> map = LWWMap.<String, LoadSample>empty()
        .put(self, "a", sample(Map.of("east", 1), "east"))
        .put(self, "b", sample(Map.of(), "default"));
    @SuppressWarnings("unchecked")
    LWWMap<String, LoadSample> back = (LWWMap<String, LoadSample>) roundTrip(map);
    assertEquals(map.getEntries(), back.getEntries());
  }

  @Test
  void aBadLayoutIsRefusedSayingWhy() {
    LoadSampleSerializer s = new LoadSampleSerializer();
    byte[] good = s.toBinary(sample(Map.of(), "default"));
    byte[] otherVersion = good.clone();
    otherVersion[0] = 9;
    var e = assertThrows(NotSerializableException.class, () -> s.fromBinary(otherVersion, "S1"));
    assertTrue(e.getMessage().contains("layout 9"), e.getMessage());
    var cut = assertThrows(NotSerializableException.class,
        () -> s.fromBinary(Arrays.copyOf(good, good.length - 3), "S1"));
    assertTrue(cut.getMessage().contains("cut short"), cut.getMessage());
    var longer = assertThrows(NotSerializableException.class,
        () -> s.fromBinary(Arrays.copyOf(good, good.length + 2), "S1"));
    assertTrue(longer.getMessage().contains("too many"), longer.getMessage());
    assertThrows(NotSerializableException.class, () -> s.fromBinary(good, "S7"));
    assertThrows(IllegalArgumentException.class, () -> s.toBinary("not a sample"));
  }
}
