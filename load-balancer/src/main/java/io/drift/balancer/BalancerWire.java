package io.drift.balancer;

/**
 * Marker of what the load-balancer module sends between nodes (load samples in Distributed Data);
 * bound to Pekko's {@code jackson-cbor} serializer in this module's {@code reference.conf}.
 */
public interface BalancerWire {}
