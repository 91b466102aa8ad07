package io.drift.balancer.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

class PolicyConfigTest {

  @Test
  void theShippedSettingsAreTheDefaultsTheSimulatorRuns() {
    assertEquals(PolicyConfig.defaults(), PolicyConfig.fromConfig(ConfigFactory.load()));
  }

  @Test
  void badValuesAreRefusedWithTheirPath() {
    ConfigException e = assertThrows(ConfigException.class, () -> PolicyConfig.fromConfig(
        ConfigFactory.parseString("drift.balancer.policy.subset-size = 0")
            .withFallback(ConfigFactory.load())));
    assertTrue(e.getMessage().contains("drift.balancer.policy"), e.getMessage());
    assertThrows(ConfigException.class, () -> PolicyConfig.fromConfig(
        ConfigFactory.parseString("drift.balancer.policy.memory-low-fraction = 1.5")
            .withFallback(ConfigFactory.load())));
  }
}
