package io.drift.balancer;

import org.apache.pekko.actor.Address;

/** How Drift names a node to people and in samples: {@code host:port} of its Artery address. */
public final class NodeNames {
  private NodeNames() {}

  public static String of(Address a) {
    return a.host().isDefined() && a.port().isDefined()
        ? a.host().get() + ":" + a.port().get()
        : a.toString();
  }
}
