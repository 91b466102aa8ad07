package io.drift.api.spi;

/**
 * The executor's run queue as the load monitor reads it. Lets the two modules meet without
 * depending on each other; implementations must be cheap and safe to call from any thread.
 */
public interface LocalLoad {

  /** Slots: units that may run at the same instant. */
  int slots();

  /** Units placed here that are running or waiting for a slot (MOSIX: the run queue). */
  int runnableUnits();

  /** Units ever accepted here (a counter that only grows): lets a reader tell which samples
   * were taken after a given placement arrived. A unit is counted in {@link #runnableUnits}
   * before it is counted here, so a reader that reads this first, then the run queue, never
   * sees a placement admitted but missing from the run queue (the node would look free). */
  long admitted();

  /** Runnable units whose home is another node. */
  int guests();

  /** Whether units homed on other nodes are taken now (MOSIX: not blocked). */
  boolean acceptsGuests();

  /**
   * Whether the node is draining: it takes no unit at all, its own jobs' included (a node that
   * only takes no guests still runs the jobs it is home to).
   */
  default boolean draining() {
    return false;
  }

  /** The units running or waiting here now. */
  default java.util.List<UnitLoad> units() {
    return java.util.List.of();
  }

  /**
   * Memory the units here hold, as far as the node can tell: the sum of their states' sizes
   * when last encoded (a JVM cannot attribute its heap to one unit; a unit's fields are its
   * state).
   */
  default long unitMemoryBytes() {
    long sum = 0;
    for (UnitLoad u : units()) {
      sum += u.stateBytes();
    }
    return sum;
  }
}
