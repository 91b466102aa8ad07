package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * conf/production/: the node and client examples run Artery on TLS with mutual authentication
 * (decision 0020), and take their secrets from the environment, never from the file.
 */
class ProductionConfigTest {

  static final String SSL = "pekko.remote.artery.ssl.config-ssl-engine.";
  static final Map<String, String> ENV = Map.of("DRIFT_HOSTNAME", "10.0.0.11",
      "DRIFT_CLIENT_HOSTNAME", "10.0.1.23", "DRIFT_KEYSTORE", "/k/node.p12",
      "DRIFT_KEYSTORE_PASSWORD", "from-env-1", "DRIFT_TRUSTSTORE", "/k/trust.p12",
      "DRIFT_TRUSTSTORE_PASSWORD", "from-env-2", "DRIFT_TOKEN", "token-from-the-environment");

  static Config parse(String name, Map<String, String> env) {
    return TlsMaterial.resolve(name, env);
  }

  @ParameterizedTest
  @ValueSource(strings = {"node.conf", "client.conf"})
  void arteryRunsTlsWithMutualAuthenticationAndSecretsFromTheEnvironment(String name) {
    Config c = parse(name, ENV);
    assertEquals("tls-tcp", c.getString("pekko.remote.artery.transport"));
    assertTrue(c.getBoolean(SSL + "require-mutual-authentication"));
    assertTrue(c.getBoolean(SSL + "hostname-verification"));
    assertEquals("TLSv1.3", c.getString(SSL + "protocol"));
    assertEquals(List.of("TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256"),
        c.getStringList(SSL + "enabled-algorithms"));
    assertEquals("/k/node.p12", c.getString(SSL + "key-store"));
    assertEquals("/k/trust.p12", c.getString(SSL + "trust-store"));
    assertEquals("from-env-1", c.getString(SSL + "key-store-password"));
    assertEquals("from-env-1", c.getString(SSL + "key-password"));
    assertEquals("from-env-2", c.getString(SSL + "trust-store-password"));
    // and over the defaults a node or client is started with, nothing turns it back to tcp
    Config composed = c.withFallback(ConfigFactory.parseResources(name.equals("node.conf")
        ? "drift-node.conf" : "drift-client.conf")).withFallback(ConfigFactory.defaultReference())
        .resolve();
    assertEquals("tls-tcp", composed.getString("pekko.remote.artery.transport"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"node.conf", "client.conf"})
  void withoutPasswordsInTheEnvironmentItDoesNotStart(String name) {
    Map<String, String> env = new java.util.HashMap<>(ENV);
    env.remove("DRIFT_KEYSTORE_PASSWORD");
    ConfigException e = assertThrows(ConfigException.class, () -> parse(name, env));
    assertTrue(e.getMessage().contains("DRIFT_KEYSTORE_PASSWORD"), e.getMessage());
  }

  @org.junit.jupiter.api.Test
  void theNodeNamesItsAddressSeedsSlotsManagementAndToken() {
    Config c = parse("node.conf", ENV);
    assertEquals("10.0.0.11", c.getString("pekko.remote.artery.canonical.hostname"));
    assertTrue(c.getStringList("pekko.cluster.seed-nodes").size() >= 2);
    assertEquals("127.0.0.1", c.getString("pekko.management.http.hostname"));
    assertEquals("token-from-the-environment", c.getString("drift.management.token"));
    assertEquals(0, c.getInt("drift.node.slots"));
    NodeSettings.fromConfig(DriftConfig.forNode(null,
        TlsMaterial.production("node.conf", ENV))); // and a node's settings accept it
  }

  @org.junit.jupiter.api.Test
  void aKeyStoreThatCannotBeReadStopsTheNodeAtStartAndSaysWhich() {
    // /k/node.p12 does not exist: Artery alone would find out at the first connection
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DriftNode.start(DriftConfig.forNode(null, TlsMaterial.production("node.conf", ENV))));
    assertTrue(e.getMessage().contains("key-store /k/node.p12"), e.getMessage());
  }
}
