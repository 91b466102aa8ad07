package io.drift.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * How a node's configuration is put together, highest first: flags given in code or on the
 * command line, {@code -D} system properties, the user's file, {@code application.conf},
 * Drift's node defaults ({@code drift-node.conf}), and every module's {@code reference.conf}.
 */
public final class DriftConfig {
  private DriftConfig() {}

  /**
   * @param file the user's config file, or null
   * @param overrides paths and values that win over everything (command-line flags)
   * @throws ConfigException a file that is missing or malformed; the message says where
   */
  public static Config forNode(Path file, Map<String, ?> overrides) {
    return compose(file, overrides, "drift-node.conf");
  }

  /** The same layering for a client: {@code drift-client.conf} instead of the node defaults. */
  public static Config forClient(Path file, Map<String, ?> overrides) {
    return compose(file, overrides, "drift-client.conf");
  }

  private static Config compose(Path file, Map<String, ?> overrides, String defaults) {
    Config user = ConfigFactory.empty();
    if (file != null) {
      if (!Files.isRegularFile(file)) {
        throw new ConfigException.Generic("config file " + file + " does not exist");
      }
      user = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
    }
    return ConfigFactory.parseMap(overrides, "command-line flags")
        .withFallback(ConfigFactory.systemProperties())
        .withFallback(user)
        .withFallback(ConfigFactory.parseResourcesAnySyntax("application"))
        .withFallback(ConfigFactory.parseResources(DriftConfig.class.getClassLoader(), defaults))
        .withFallback(ConfigFactory.defaultReference(DriftConfig.class.getClassLoader()))
        .resolve();
  }
}
