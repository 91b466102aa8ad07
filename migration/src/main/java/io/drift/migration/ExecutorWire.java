package io.drift.migration;

/**
 * Marker of the executor's wire protocol (host to home and back); bound to Pekko's
 * {@code jackson-cbor} serializer in this module's {@code reference.conf}.
 */
public interface ExecutorWire {}
