package io.drift.migration.executor;

import io.drift.api.JobId;
import io.drift.migration.ExecutorWire;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The messages of one state transfer between a source executor's {@link Outbound} and a
 * target executor's {@link Inbound}. The requests that start and end a transfer (MigrateOut,
 * Reserve, Relocate, StartReceived) belong to the executor's own protocol.
 */
public final class Transfer {
  private Transfer() {}

  /** Format of {@link CheckpointHeader}; raised when its meaning changes. */
  public static final int VERSION = 2; // 2: CRC-32C instead of CRC-32

  /**
   * What a target needs besides the state's bytes to run the unit on: the unit's class, where
   * its counts stand, and the size and CRC-32C of the whole state.
   */
  public record CheckpointHeader(int version, JobId jobId, long epoch, String className,
      long steps, long cpuNanos, long nextSeq, long size, long crc32c) implements ExecutorWire {}

  /** What the target's inbound actor hears. */
  public sealed interface InboundCommand {}

  /** Part {@code index} of the state, with the CRC-32C of {@code data}. */
  public record Chunk(String transferId, int index, byte[] data, long crc32c,
      ActorRef<OutboundEvent> replyTo) implements InboundCommand, ExecutorWire {}

  /**
   * Every chunk was sent, or (when {@code viaSideChannel}) the side channel delivered the
   * state: check the whole against the header.
   */
  public record Complete(String transferId, CheckpointHeader header, boolean viaSideChannel,
      ActorRef<OutboundEvent> replyTo) implements InboundCommand, ExecutorWire {}

  /** From this node's side channel: the state, or why it did not come whole. Never remote. */
  public record SideArrival(SideChannel.Arrival arrival) implements InboundCommand {}

  /** The source gave up; drop what arrived. */
  public record Abort(String transferId, String reason) implements InboundCommand, ExecutorWire {}

  /** What the source's outbound actor hears. */
  public sealed interface OutboundEvent {}

  /**
   * The target made room. {@code side}, when present, is where and how to send a large state
   * (see {@link SideChannel}).
   */
  public record Reserved(String transferId, ActorRef<InboundCommand> inbound, SideOffer side)
      implements OutboundEvent, ExecutorWire {}

  /** A target's side channel, and the one-time token for this transfer. */
  public record SideOffer(String host, int port, String token) implements ExecutorWire {}

  public record ReserveRefused(String transferId, String reason)
      implements OutboundEvent, ExecutorWire {}

  public record ChunkAck(String transferId, int index) implements OutboundEvent, ExecutorWire {}

  /** The target holds the whole state, checked. */
  public record Received(String transferId) implements OutboundEvent, ExecutorWire {}

  /** A chunk or the whole failed its check; the target dropped the transfer. */
  public record Corrupt(String transferId, String reason) implements OutboundEvent, ExecutorWire {}

  /** Home recorded the target under {@code newEpoch}: the source drops its copy. */
  public record Relocated(String transferId, long newEpoch) implements OutboundEvent, ExecutorWire {}

  /** Home would not relocate (the job moved on, ended, or output is still in flight). */
  public record RelocateRefused(String transferId, String reason)
      implements OutboundEvent, ExecutorWire {}
}
