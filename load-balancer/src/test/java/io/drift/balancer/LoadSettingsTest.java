package io.drift.balancer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.apache.pekko.actor.Address;
import org.junit.jupiter.api.Test;

class LoadSettingsTest {

  private static final Duration TEN_S = Duration.ofSeconds(10);

  @Test
  void readsTheModuleDefaults() {
    LoadSettings s = LoadSettings.fromConfig(ConfigFactory.load());
    assertEquals(Duration.ofMillis(250), s.sampleInterval());
    assertEquals(Duration.ofSeconds(5), s.placementMemory());
    assertEquals(Duration.ofSeconds(10), s.refresh());
  }

  @Test
  void readsOverrides() {
    LoadSettings s = LoadSettings.fromConfig(ConfigFactory.parseString(
        "drift.load.interval = 1s\ndrift.balancer.placement-memory = 0s\n"
            + "drift.load.refresh = 3s"));
    assertEquals(Duration.ofSeconds(1), s.sampleInterval());
    assertEquals(Duration.ZERO, s.placementMemory());
    assertEquals(Duration.ofSeconds(3), s.refresh());
  }

  @Test
  void rejectsANonPositiveIntervalOrRefreshAndNegativeMemory() {
    ConfigException zero = assertThrows(ConfigException.class,
        () -> new LoadSettings(Duration.ZERO, Duration.ofSeconds(1), TEN_S));
    assertTrue(zero.getMessage().contains("drift.load.interval"), zero.getMessage());
    assertThrows(ConfigException.class,
        () -> new LoadSettings(Duration.ofMillis(-1), Duration.ofSeconds(1), TEN_S));
    ConfigException neg = assertThrows(ConfigException.class,
        () -> new LoadSettings(Duration.ofMillis(10), Duration.ofMillis(-1), TEN_S));
    assertTrue(neg.getMessage().contains("placement-memory"), neg.getMessage());
    ConfigException never = assertThrows(ConfigException.class,
        () -> new LoadSettings(Duration.ofMillis(10), Duration.ZERO, Duration.ZERO));
    assertTrue(never.getMessage().contains("drift.load.refresh"), never.getMessage());
  }

  @Test
  void normalizedLoadIsRunnablePerSlotPerSpeed() {
    LoadSample s = new LoadSample("a:1", "", 1, 4, 6, 0, 0, 1.5, 0, 0, true, 6, 6);
    assertEquals(1.0, s.normalizedLoad(), 1e-12);
    assertEquals(0.0, new LoadSample("a:1", "", 1, 2, 0, 0, 0, 1.0, 0, 0, true, 0, 0).normalizedLoad());
  }

  @Test
  void nodeNamesAreHostColonPort() {
    assertEquals("10.0.0.7:25520", NodeNames.of(new Address("pekko", "drift", "10.0.0.7", 25520)));
    Address local = new Address("pekko", "drift");
    assertEquals(local.toString(), NodeNames.of(local));
  }
}
