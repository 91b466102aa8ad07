package io.drift.migration.executor;

import io.drift.migration.Durations;
import io.drift.migration.codec.Payload;
import io.drift.migration.codec.StateCodec;
import io.drift.migration.codec.StateCodecException;
import io.drift.migration.executor.Transfer.CheckpointHeader;
import java.util.Arrays;
import java.util.zip.CRC32C;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Moves one running unit from this node to a target (DESIGN, Migration): reserve at the target;
 * have the unit's slot thread encode it at a step boundary and pause it, unless the state is
 * over the maximum (then the unit never stops); stream the state in acknowledged chunks;
 * once the target holds it whole, ask home to relocate. Until that request, any failure or
 * timeout resumes the unit here under its old epoch. After it, only home decides: this side
 * asks again until home answers, and never resumes (home may already have started the target).
 * Runs on the blocking dispatcher: checksumming and slicing a large state take a while.
 */
final class Outbound {

  sealed interface Msg {}

  record Event(Transfer.OutboundEvent event) implements Msg {}

  record Checkpointed(Executor.CheckpointReply reply) implements Msg {}

  /** The side channel delivered the state (crc32c set) or failed (error set). */
  private record SideSent(Long crc32c, Throwable error) implements Msg {}

  private enum Timeout implements Msg { INSTANCE }

  private enum AskHomeAgain implements Msg { INSTANCE }

  /** The target's inbound side stopped: it refused, or its node went away. */
  private enum TargetGone implements Msg { INSTANCE }

  /** The unit ended (finished, failed, cancelled) while this transfer ran. */
  enum UnitGone implements Msg { INSTANCE }

  static Behavior<Msg> create(UnitTask task, ActorRef<Executor.HostEvent> home,
      String transferId, String targetNode, ActorRef<Executor.Command> target, boolean toDisk,
      MigrationSettings settings, StateCodec codec, ActorRef<Executor.Command> executor,
      ActorRef<Executor.MigrateResult> requester) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new Outbound(ctx, timers, task,
        home, transferId, targetNode, target, toDisk, settings, codec, executor,
        requester).reserve()));
  }

  private final ActorContext<Msg> ctx;
  private final TimerScheduler<Msg> timers;
  private final UnitTask task;
  private final ActorRef<Executor.HostEvent> home;
  private final String transferId;
  private final String targetNode;
  private final ActorRef<Executor.Command> target;
  private final boolean toDisk;
  private final MigrationSettings settings;
  private final StateCodec codec;
  private final ActorRef<Executor.Command> executor;
  private final ActorRef<Executor.MigrateResult> requester;
  private final ActorRef<Transfer.OutboundEvent> events;

  private ActorRef<Transfer.InboundCommand> inbound;
  private Transfer.SideOffer side;
  private SideChannel.Sending sending;
  private boolean sendingDone; // its thread has finished with the unit
  private long pausedAtNanos;
  // when each phase ended, for the log line of a move: people tune chunk sizes by these
  private long takenAtNanos;
  private long sentAtNanos;
  private long receivedAtNanos;
  private byte[] state;
  private CheckpointHeader header;
  private int chunks;
  private int nextToSend;
  private int acked;

  private Outbound(ActorContext<Msg> ctx, TimerScheduler<Msg> timers, UnitTask task,
      ActorRef<Executor.HostEvent> home, String transferId, String targetNode,
      ActorRef<Executor.Command> target, boolean toDisk, MigrationSettings settings,
      StateCodec codec, ActorRef<Executor.Command> executor,
      ActorRef<Executor.MigrateResult> requester) {
    this.ctx = ctx;
    this.timers = timers;
    this.task = task;
    this.home = home;
    this.transferId = transferId;
    this.targetNode = targetNode;
    this.target = target;
    this.toDisk = toDisk;
    this.settings = settings;
    this.codec = codec;
    this.executor = executor;
    this.requester = requester;
    this.events = ctx.messageAdapter(Transfer.OutboundEvent.class, Event::new);
  }

  // ---- 1. reserve -----------------------------------------------------------------------------

  private Behavior<Msg> reserve() {
    target.tell(new Executor.Reserve(transferId, task.jobId, task.homeNode, toDisk, task.code,
        home, events));
    timers.startSingleTimer(Timeout.INSTANCE, settings.reserveTimeout());
    return Behaviors.receive(Msg.class)
        .onMessage(Event.class, e -> {
          if (e.event() instanceof Transfer.Reserved r) {
            inbound = r.inbound();
            side = r.side();
            ctx.watchWith(inbound, TargetGone.INSTANCE);
            timers.startSingleTimer(Timeout.INSTANCE, settings.transferTimeout());
            // with a side channel, a large state is only measured at the step boundary and then
            // encoded straight into the channel from the paused unit
            long keepUpTo = side != null && settings.sideChannel()
                ? settings.sideChannelMinBytes() - 1 : Long.MAX_VALUE;
            executor.tell(new Executor.TakeCheckpoint(task.jobId, task.epoch,
                settings.maxStateBytes(), keepUpTo,
                ctx.messageAdapter(Executor.CheckpointReply.class, Checkpointed::new)));
            return checkpointing();
          }
          if (e.event() instanceof Transfer.ReserveRefused r) {
            return fail(r.reason(), false);
          }
          return Behaviors.same();
        })
        .onMessageEquals(Timeout.INSTANCE, () -> fail("node " + targetNode
            + " did not answer the reservation within " + Durations.text(settings.reserveTimeout()), false))
        .onMessageEquals(UnitGone.INSTANCE, () -> fail("the unit ended first", false))
        .build();
  }

  // ---- 2. checkpoint: measure and pause in one encoding, at a step boundary -------------------

  private Behavior<Msg> checkpointing() {
    return Behaviors.receive(Msg.class)
        .onMessage(Checkpointed.class, c -> {
          if (c.reply() instanceof Executor.Taken t) {
            pausedAtNanos = t.stoppedAtNanos();
            takenAtNanos = System.nanoTime();
            return t.state() == null ? sendSide(t.size()) : stream(t.state());
          }
          if (c.reply() instanceof Executor.TooLarge big) {
            return fail("the state is " + big.bytes() + " bytes, over"
                + " drift.migration.max-state-bytes (" + settings.maxStateBytes()
                + "); the unit did not stop", false);
          }
          return fail(((Executor.NotTaken) c.reply()).why(), false);
        })
        .onMessageEquals(TargetGone.INSTANCE, () -> fail("node " + targetNode
            + " went away", true))
        .onMessageEquals(Timeout.INSTANCE, () -> fail("the unit reached no step boundary within "
            + Durations.text(settings.transferTimeout()) + " (a step that long?)", true))
        .onMessageEquals(UnitGone.INSTANCE, () -> fail("the unit ended first", false))
        .build();
  }

  private CheckpointHeader header(String className, long size, long crc32c) {
    return new CheckpointHeader(Transfer.VERSION, task.jobId, task.epoch, className,
        task.steps, task.cpuNanos, task.nextSeq(), size, crc32c);
  }

  // ---- 3a. the bulk path: the side channel, then Complete over Artery ------------------------

  /**
   * The unit is paused and stays untouched by its slot threads until this transfer ends, so a
   * thread of the blocking dispatcher may encode it (the same bytes the slot thread counted)
   * straight into the channel while the target decodes them as they come.
   */
  private Behavior<Msg> sendSide(long measured) {
    String className = task.unit.getClass().getName();
    // To run there, its large byte arrays go raw beside the document, straight from the unit
    // (no copy, nothing for the target's parser to reassemble); to a disk, as one document.
    StateCodec.Split split = null;
    if (!toDisk) {
      try {
        split = codec.split(task.unit);
      } catch (StateCodecException e) {
        return fail("the unit's state cannot be encoded: " + e.getMessage(), true);
      }
    }
    StateCodec.Split parts = split;
    long size;
    if (parts != null) {
      size = SideChannel.splitSize(parts);
    } else { // the slot thread measured it split; on a disk it is one document: count that
      CountingStream counter = new CountingStream();
      try {
        codec.encodeTo(task.unit, counter);
      } catch (StateCodecException | java.io.IOException e) {
        return fail("the unit's state cannot be encoded: " + e.getMessage(), true);
      }
      size = counter.count;
    }
    ctx.getLog().info("job {}: moving {} bytes to {} over its side channel {}:{}", task.jobId,
        size, targetNode, side.host(), side.port());
    sending = SideChannel.send(side.host(), side.port(), side.token(), className,
        parts == null ? SideChannel.PLAIN : SideChannel.SPLIT, size,
        out -> {
          if (parts != null) {
            SideChannel.writeSplit(parts, out);
            return;
          }
          try {
            codec.encodeTo(task.unit, out);
          } catch (StateCodecException e) {
            throw new java.io.IOException(e.getMessage(), e);
          }
        },
        settings.transferTimeout(), settings.sideChannelMaxRate(),
        ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking()),
        SideChannelTls.of(ctx.getSystem()));
    ctx.pipeToSelf(sending.done(), SideSent::new);
    return whileSending(Behaviors.receive(Msg.class)
        .onMessage(SideSent.class, s -> {
          sendingDone = true;
          if (s.error() != null) {
            return fail("the side channel to " + targetNode + " failed: " + s.error(), true);
          }
          header = header(className, size, s.crc32c());
          sentAtNanos = System.nanoTime();
          complete(true);
          return streaming();
        }));
  }

  private static final class CountingStream extends java.io.OutputStream {
    long count;

    @Override
    public void write(int b) {
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      count += len;
    }
  }

  // ---- 3b. chunks over Artery -----------------------------------------------------------------

  private Behavior<Msg> stream(Payload p) {
    CRC32C crc = new CRC32C();
    crc.update(p.bytes());
    state = p.bytes();
    header = header(p.className(), p.size(), crc.getValue());
    chunks = (state.length + settings.chunkBytes() - 1) / settings.chunkBytes();
    ctx.getLog().info("job {}: moving {} bytes to {} in {} chunks", task.jobId, state.length,
        targetNode, chunks);
    while (nextToSend < chunks && nextToSend < settings.windowChunks()) {
      sendChunk(nextToSend++);
    }
    if (nextToSend == chunks) {
      complete(false);
    }
    return streaming();
  }

  private void sendChunk(int i) {
    int from = i * settings.chunkBytes();
    byte[] data = Arrays.copyOfRange(state, from, Math.min(state.length, from + settings.chunkBytes()));
    CRC32C crc = new CRC32C();
    crc.update(data);
    inbound.tell(new Transfer.Chunk(transferId, i, data, crc.getValue(), events));
  }

  /**
   * Sent right behind the last chunk, not after its acknowledgement (saves a round trip): the
   * inbound side hears them in order, as Artery keeps the order between two actors. It stops
   * once it answers, so from here its end is no news.
   */
  private void complete(boolean viaSideChannel) {
    ctx.unwatch(inbound);
    inbound.tell(new Transfer.Complete(transferId, header, viaSideChannel, events));
  }

  /** Until the target says it holds the state whole. */
  private Behavior<Msg> streaming() {
    return whileSending(Behaviors.receive(Msg.class)
        .onMessage(Event.class, e -> {
          Transfer.OutboundEvent ev = e.event();
          if (ev instanceof Transfer.ChunkAck a && a.index() == acked) {
            acked++;
            if (nextToSend < chunks) {
              sendChunk(nextToSend++);
              if (nextToSend == chunks) {
                complete(false);
              }
            }
            return Behaviors.same();
          }
          if (ev instanceof Transfer.Received) {
            return askHome();
          }
          if (ev instanceof Transfer.Corrupt c) {
            return fail("node " + targetNode + " refused the state: " + c.reason(), true);
          }
          return Behaviors.same();
        }));
  }

  /** What ends a transfer while its bytes are on their way, by either path. */
  private Behavior<Msg> whileSending(BehaviorBuilder<Msg> b) {
    return b.onMessageEquals(TargetGone.INSTANCE, () -> fail("node " + targetNode
            + " went away during the transfer", true))
        .onMessageEquals(Timeout.INSTANCE, () -> fail("the transfer to " + targetNode
            + " did not finish within " + Durations.text(settings.transferTimeout()), true))
        .onMessageEquals(UnitGone.INSTANCE, () -> fail("the unit ended first", false))
        .build();
  }

  // ---- 4. relocate at home --------------------------------------------------------------------

  private Behavior<Msg> askHome() {
    state = null; // the target holds it now
    receivedAtNanos = System.nanoTime();
    if (sentAtNanos == 0) {
      sentAtNanos = receivedAtNanos;
    }
    sendRelocate();
    timers.cancel(Timeout.INSTANCE);
    timers.startTimerWithFixedDelay(AskHomeAgain.INSTANCE, settings.reserveTimeout());
    return Behaviors.receive(Msg.class)
        .onMessage(Event.class, e -> {
          if (e.event() instanceof Transfer.Relocated r) {
            long now = System.nanoTime();
            // side channel: measured at the step boundary, then encoded, sent and decoded at
            // once; chunks: encoded at the step boundary, then sent
            ctx.getLog().info("job {}: moved {} bytes to {}: {} in {} ms, {} in {} ms,"
                    + " checked in {} ms, relocated at home in {} ms", task.jobId, header.size(),
                targetNode, sending != null ? "measured" : "encoded",
                ms(takenAtNanos - pausedAtNanos), sending != null ? "streamed" : "sent",
                ms(sentAtNanos - takenAtNanos), ms(receivedAtNanos - sentAtNanos),
                ms(now - receivedAtNanos));
            executor.tell(new Executor.DropMigrated(task.jobId, task.epoch));
            executor.tell(new Executor.OutboundGone(task.jobId, ctx.getSelf()));
            TransferMeter.get(ctx.getSystem()).sent(targetNode, header.size(),
                receivedAtNanos - takenAtNanos);
            requester.tell(new Executor.Migrated(task.jobId, r.newEpoch(), targetNode,
                header.size(), (System.nanoTime() - pausedAtNanos) / 1_000_000, sending != null));
            return Behaviors.stopped();
          }
          if (e.event() instanceof Transfer.RelocateRefused r) {
            target.tell(new Executor.Discard(transferId));
            return fail("home refused the relocation: " + r.reason(), true);
          }
          return Behaviors.same();
        })
        .onMessageEquals(AskHomeAgain.INSTANCE, () -> {
          sendRelocate(); // home answers a repeated request for the same transfer the same way
          return Behaviors.same();
        })
        .onMessageEquals(UnitGone.INSTANCE, () -> {
          // cancelled here (its home left the cluster, say): nothing to hand over any more
          target.tell(new Executor.Discard(transferId));
          executor.tell(new Executor.OutboundGone(task.jobId, ctx.getSelf()));
          requester.tell(new Executor.NotMigrated(task.jobId, task.epoch, "the unit ended"));
          return Behaviors.stopped();
        })
        .build();
  }

  private static String ms(long nanos) {
    return String.format(java.util.Locale.ROOT, "%.1f", nanos / 1e6);
  }

  private void sendRelocate() {
    home.tell(new Executor.Relocate(task.jobId, task.epoch, transferId, targetNode, target,
        header.nextSeq() - 1, header.size(), System.nanoTime() - pausedAtNanos, header.steps(),
        header.cpuNanos(), task.input.consumed(), events));
  }

  // ---- failure --------------------------------------------------------------------------------

  private Behavior<Msg> fail(String reason, boolean resume) {
    if (inbound != null) {
      inbound.tell(new Transfer.Abort(transferId, reason));
    }
    if (sending != null && !sendingDone) {
      // the sender may still be encoding the paused unit: resume only once it has let go
      sending.cancel();
      ctx.getLog().debug("job {}: waiting for the side channel's sender to stop", task.jobId);
      return Behaviors.receive(Msg.class)
          .onMessage(SideSent.class, s -> {
            sendingDone = true;
            return fail(reason, resume);
          })
          .build();
    }
    if (resume) {
      executor.tell(new Executor.Resume(task.jobId));
    }
    ctx.getLog().info("job {}: not moved to {}: {}", task.jobId, targetNode, reason);
    executor.tell(new Executor.OutboundGone(task.jobId, ctx.getSelf()));
    requester.tell(new Executor.NotMigrated(task.jobId, task.epoch, reason));
    return Behaviors.stopped();
  }
}
