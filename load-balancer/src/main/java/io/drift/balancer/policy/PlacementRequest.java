package io.drift.balancer.policy;

import java.util.Set;

/**
 * Where should this job go?
 *
 * @param home the node that asks, which is the job's home: it wins ties ("local first")
 * @param memoryMb the memory the job declared, 0 if none
 * @param excluded nodes not to choose (they refused this job already)
 */
public record PlacementRequest(String jobId, String home, long memoryMb, Set<String> excluded) {

  /** The declared memory in bytes, 0 if none. */
  public long memoryBytes() {
    return memoryMb * 1024L * 1024L;
  }
}
