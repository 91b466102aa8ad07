package io.drift.home;

/**
 * Marker of the home protocol that crosses nodes (clients to homes and back); bound to Pekko's
 * {@code jackson-cbor} serializer in this module's {@code reference.conf}.
 */
public interface HomeWire {}
