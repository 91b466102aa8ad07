package io.drift.migration.executor;

import io.drift.migration.Durations;
import io.drift.migration.executor.Transfer.Abort;
import io.drift.migration.executor.Transfer.CheckpointHeader;
import io.drift.migration.executor.Transfer.Chunk;
import io.drift.migration.executor.Transfer.Complete;
import io.drift.migration.executor.Transfer.InboundCommand;
import io.drift.migration.executor.Transfer.SideArrival;
import java.io.ByteArrayOutputStream;
import java.util.function.BiConsumer;
import java.util.zip.CRC32C;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Receives one state at the target, in chunks over Artery or whole from the side channel:
 * checks each chunk's CRC and order and acknowledges it, checks the whole against the header,
 * then hands header and bytes to its executor and stops. Any failure answers
 * {@link Transfer.Corrupt} and stops; nothing partial is kept.
 */
public final class Inbound {
  private Inbound() {}

  /**
   * @param ready called (on this actor's thread) with the checked header and the state: its
   *     bytes, or what the side channel's reader made of them
   * @param stopped called when this transfer ends, however (to withdraw a side-channel offer)
   */
  public static Behavior<InboundCommand> create(String transferId, MigrationSettings settings,
      BiConsumer<CheckpointHeader, Object> ready, Runnable stopped) {
    return Behaviors.setup(ctx -> {
      // a source that dies mid-transfer sends nothing more: do not wait for it forever
      ctx.setReceiveTimeout(settings.transferTimeout(),
          new Abort(transferId, "no chunk for " + Durations.text(settings.transferTimeout())));
      return new Inbound.State(transferId, settings.maxStateBytes(), ready).behavior(stopped);
    });
  }

  private static final class State {
    private final String transferId;
    private final long maxStateBytes;
    private final BiConsumer<CheckpointHeader, Object> ready;
    private final ByteArrayOutputStream chunks = new ByteArrayOutputStream();
    private final CRC32C chunksCrc = new CRC32C();
    private int next;
    private SideChannel.Arrival side; // what the side channel brought, if it did
    private Complete waiting; // a Complete over the side channel that came before its bytes

    State(String transferId, long maxStateBytes, BiConsumer<CheckpointHeader, Object> ready) {
      this.transferId = transferId;
      this.maxStateBytes = maxStateBytes;
      this.ready = ready;
    }

    Behavior<InboundCommand> behavior(Runnable stopped) {
      return Behaviors.receive(InboundCommand.class)
          .onMessage(Chunk.class, this::onChunk)
          .onMessage(SideArrival.class, a -> {
            side = a.arrival();
            return waiting == null ? Behaviors.same() : onComplete(waiting);
          })
          .onMessage(Complete.class, c -> {
            if (c.viaSideChannel() && side == null) {
              waiting = c; // the channel's thread tells us before the source hears, so rare
              return Behaviors.same();
            }
            return onComplete(c);
          })
          .onMessage(Abort.class, a -> Behaviors.stopped())
          .onSignal(PostStop.class, s -> {
            stopped.run();
            return Behaviors.same();
          })
          .build();
    }

    private Behavior<InboundCommand> onChunk(Chunk c) {
      CRC32C crc = new CRC32C();
      crc.update(c.data());
      String problem = c.index() != next ? "chunk " + c.index() + " came, " + next + " was due"
          : crc.getValue() != c.crc32c() ? "chunk " + c.index() + " failed its checksum"
          : chunks.size() + (long) c.data().length > maxStateBytes
              ? "the state grew past drift.migration.max-state-bytes" : null;
      if (problem != null) {
        c.replyTo().tell(new Transfer.Corrupt(transferId, problem));
        return Behaviors.stopped();
      }
      chunks.write(c.data(), 0, c.data().length);
      chunksCrc.update(c.data());
      next++;
      c.replyTo().tell(new Transfer.ChunkAck(transferId, c.index()));
      return Behaviors.same();
    }

    private Behavior<InboundCommand> onComplete(Complete c) {
      CheckpointHeader h = c.header();
      Object state;
      long size;
      long crc;
      String problem = null;
      if (c.viaSideChannel()) {
        if (side instanceof SideChannel.Arrived a) {
          state = a.value();
          size = a.size();
          crc = a.crc32c();
        } else {
          state = null;
          size = 0;
          crc = 0;
          problem = ((SideChannel.Broken) side).reason();
        }
      } else {
        byte[] bytes = chunks.toByteArray();
        state = bytes;
        size = bytes.length;
        crc = chunksCrc.getValue();
      }
      if (problem == null) {
        problem = h.version() != Transfer.VERSION ? "checkpoint format " + h.version() + " is not "
            + Transfer.VERSION : h.size() != size ? "the state is " + size
            + " bytes, the header says " + h.size() : h.crc32c() != crc
            ? "the state failed its checksum" : null;
      }
      if (problem != null) {
        c.replyTo().tell(new Transfer.Corrupt(transferId, problem));
        return Behaviors.stopped();
      }
      ready.accept(h, state);
      c.replyTo().tell(new Transfer.Received(transferId));
      return Behaviors.stopped();
    }
  }
}
