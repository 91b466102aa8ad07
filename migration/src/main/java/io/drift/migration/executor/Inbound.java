package io.drift.migration.executor;

import io.drift.migration.Durations;
import io.drift.migration.executor.Transfer.Abort;
import io.drift.migration.executor.Transfer.Chunk;
import io.drift.migration.executor.Transfer.CheckpointHeader;
import io.drift.migration.executor.Transfer.Complete;
import io.drift.migration.executor.Transfer.InboundCommand;
import java.io.ByteArrayOutputStream;
import java.util.function.BiConsumer;
import java.util.zip.CRC32;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Receives one state at the target: checks each chunk's CRC and order, acknowledges it, checks
 * the whole against the header, then hands header and bytes to its executor and stops. Any
 * failure answers {@link Transfer.Corrupt} and stops; nothing partial is kept.
 */
public final class Inbound {
  private Inbound() {}

  /**
   * @param ready called (on this actor's thread) with the checked header and state
   */
  public static Behavior<InboundCommand> create(String transferId, MigrationSettings settings,
      BiConsumer<CheckpointHeader, byte[]> ready) {
    long maxStateBytes = settings.maxStateBytes();
    return Behaviors.setup(ctx -> {
      // a source that dies mid-transfer sends nothing more: do not wait for it forever
      ctx.setReceiveTimeout(settings.transferTimeout(),
          new Abort(transferId, "no chunk for " + Durations.text(settings.transferTimeout())));
      ByteArrayOutputStream state = new ByteArrayOutputStream();
      CRC32 whole = new CRC32();
      int[] next = {0};
      return Behaviors.receive(InboundCommand.class)
          .onMessage(Chunk.class, c -> {
            CRC32 crc = new CRC32();
            crc.update(c.data());
            String problem = c.index() != next[0] ? "chunk " + c.index() + " came, " + next[0]
                + " was due" : crc.getValue() != c.crc32() ? "chunk " + c.index()
                + " failed its checksum" : state.size() + (long) c.data().length > maxStateBytes
                ? "the state grew past drift.migration.max-state-bytes" : null;
            if (problem != null) {
              c.replyTo().tell(new Transfer.Corrupt(transferId, problem));
              return Behaviors.stopped();
            }
            state.write(c.data(), 0, c.data().length);
            whole.update(c.data());
            next[0]++;
            c.replyTo().tell(new Transfer.ChunkAck(transferId, c.index()));
            return Behaviors.same();
          })
          .onMessage(Complete.class, c -> {
            CheckpointHeader h = c.header();
            String problem = h.version() != Transfer.VERSION ? "checkpoint format " + h.version()
                + " is not " + Transfer.VERSION : h.size() != state.size() ? "the state is "
                + state.size() + " bytes, the header says " + h.size() : h.crc32() != whole.getValue()
                ? "the state failed its checksum" : null;
            if (problem != null) {
              c.replyTo().tell(new Transfer.Corrupt(transferId, problem));
              return Behaviors.stopped();
            }
            ready.accept(h, state.toByteArray());
            c.replyTo().tell(new Transfer.Received(transferId));
            return Behaviors.stopped();
          })
          .onMessage(Abort.class, a -> Behaviors.stopped())
          .build();
    });
  }
}
