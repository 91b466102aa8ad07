package io.drift.node.cli;

import picocli.CommandLine.Option;

/** {@code --node}: which node a client command talks to. */
final class NodeOption {
  @Option(names = {"-n", "--node"}, paramLabel = "HOST:PORT",
      defaultValue = "${env:DRIFT_NODE:-127.0.0.1:2551}",
      description = "the node to talk to: its cluster port (default: $DRIFT_NODE or ${DEFAULT-VALUE})")
  String node;
}
