package io.drift.api.spi;

/**
 * One unit in a node's run queue, as the balancer sees it.
 *
 * @param cpuNanos CPU time it has used so far, on every node it ran on
 * @param slotNanos wall time it has spent in steps on this node: what it ran here, CPU or not
 * @param residencyNanos time since it started or arrived on this node
 * @param guest whether its home is another node
 * @param stateBytes its state's size when last encoded (at its start, a move or a
 *     checkpoint), 0 if not known: what moving it costs
 * @param homeNode its home ({@code host:port}), null if not known: in a grid, whose guest it is
 */
public record UnitLoad(String jobId, long cpuNanos, long slotNanos, long residencyNanos,
    boolean guest, long stateBytes, String homeNode) {
  public UnitLoad(String jobId, long cpuNanos, long slotNanos, long residencyNanos,
      boolean guest, long stateBytes) {
    this(jobId, cpuNanos, slotNanos, residencyNanos, guest, stateBytes, null);
  }


  public UnitLoad(String jobId, long cpuNanos, long slotNanos, long residencyNanos,
      boolean guest) {
    this(jobId, cpuNanos, slotNanos, residencyNanos, guest, 0);
  }
}
