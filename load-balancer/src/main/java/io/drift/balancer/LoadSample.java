package io.drift.balancer;

/**
 * One node's resources at one instant, as its {@link LoadMonitor} measured them.
 *
 * @param node the node as {@code host:port}
 * @param executorPath where the node's executor actor is (a serialized actor reference)
 * @param sequence raised at every sample of this node's incarnation; newer is larger
 * @param slots units that may run at one instant
 * @param runnable units running or waiting for a slot (MOSIX: the run queue)
 * @param guests runnable units whose home is another node
 * @param admitted units ever accepted by the node; only grows
 * @param speed the node's speed relative to the reference node (1.0)
 * @param freeMemoryBytes memory the node can still give to units: its budget less what its
 *     units hold ({@link io.drift.api.spi.LocalLoad#unitMemoryBytes})
 * @param totalMemoryBytes the node's memory budget for units ({@code drift.node.memory})
 * @param acceptingGuests whether the node takes units homed elsewhere
 * @param localRunQueue the run queue as the node itself weighs it: rises slowly, drops at once
 *     ({@link io.drift.balancer.policy.SmoothedLoad#local()})
 * @param exportedRunQueue the run queue as the node tells others: rises at once, decays slowly
 *     ({@link io.drift.balancer.policy.SmoothedLoad#exported()})
 * @param cluster the node's cluster in its grid (its Pekko data center)
 * @param guestsByCluster its guests by their home's cluster, for operators (drift mon)
 */
public record LoadSample(
    String node,
    String executorPath,
    long sequence,
    int slots,
    int runnable,
    int guests,
    long admitted,
    double speed,
    long freeMemoryBytes,
    long totalMemoryBytes,
    boolean acceptingGuests,
    double localRunQueue,
    double exportedRunQueue,
    String cluster,
    java.util.Map<String, Integer> guestsByCluster)
    implements BalancerWire {

  public LoadSample {
    guestsByCluster = guestsByCluster == null ? java.util.Map.of()
        : java.util.Map.copyOf(guestsByCluster);
  }

  /** A sample of a node of one cluster alone (the default data center), none of whose guests
   * is counted by cluster. */
  public LoadSample(String node, String executorPath, long sequence, int slots, int runnable,
      int guests, long admitted, double speed, long freeMemoryBytes, long totalMemoryBytes,
      boolean acceptingGuests, double localRunQueue, double exportedRunQueue) {
    this(node, executorPath, sequence, slots, runnable, guests, admitted, speed,
        freeMemoryBytes, totalMemoryBytes, acceptingGuests, localRunQueue, exportedRunQueue,
        "default", java.util.Map.of());
  }

  /** Run-queue length per slot per unit of speed: 1.0 means every slot of a reference node is busy. */
  public double normalizedLoad() {
    return runnable / (slots * speed);
  }
}
