package io.drift.migration.executor;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * The moves this node sent, as they complete: to which node, how many bytes, in how long (from
 * the state taken to the target holding it). A grid weighs crossing to a partner cluster by the
 * bandwidth its moves there reached ({@code GridView}); one per actor system.
 */
public final class TransferMeter implements Extension {

  /** One completed move. */
  @FunctionalInterface
  public interface Listener {
    void sent(String targetNode, long bytes, long nanos);
  }

  private static final ExtensionId<TransferMeter> ID = new ExtensionId<>() {
    @Override
    public TransferMeter createExtension(ActorSystem<?> system) {
      return new TransferMeter();
    }
  };

  public static TransferMeter get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  private final List<Listener> listeners = new CopyOnWriteArrayList<>();

  public void listen(Listener l) {
    listeners.add(l);
  }

  void sent(String targetNode, long bytes, long nanos) {
    listeners.forEach(l -> l.sent(targetNode, bytes, nanos));
  }
}
