package io.drift.node.cli;

import io.drift.node.DriftConfig;
import io.drift.node.client.DriftClient;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --node}: which node a client command talks to; {@code --config}: how. */
final class NodeOption {
  @Option(names = {"-n", "--node"}, paramLabel = "HOST:PORT",
      defaultValue = "${env:DRIFT_NODE:-127.0.0.1:2551}",
      description = "the node to talk to: its cluster port (default: $DRIFT_NODE or ${DEFAULT-VALUE})")
  String node;

  // a cluster on TLS takes only clients with a certificate of its CA (docs/security.md)
  @Option(names = "--config", paramLabel = "FILE", defaultValue = "${env:DRIFT_CLIENT_CONFIG}",
      description = "the client's HOCON config file, e.g. its TLS key and trust stores"
          + " (conf/production/client.conf; default: $DRIFT_CLIENT_CONFIG); --node still"
          + " names the node")
  Path config;

  /** A client of the node {@code --node} names, configured as {@code --config} says. */
  DriftClient connect() {
    return DriftClient.connect(DriftConfig.forClient(config, Map.of("drift.client.node", node)));
  }
}
