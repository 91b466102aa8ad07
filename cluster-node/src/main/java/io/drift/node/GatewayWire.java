package io.drift.node;

/**
 * Marker of the client gateway's wire protocol; bound to Pekko's {@code jackson-cbor} serializer
 * in this module's {@code reference.conf}.
 */
public interface GatewayWire {}
