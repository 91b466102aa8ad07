package io.drift.balancer.policy;

import java.util.List;

/**
 * The deciding node as the migration policy sees it.
 *
 * @param localRunQueue the node's own smoothed run queue ({@link SmoothedLoad#local()}: it
 *     rises slowly and drops at once)
 * @param runnable units running or waiting here now
 */
public record LocalView(
    String node,
    double speed,
    int slots,
    double localRunQueue,
    int runnable,
    long freeMemoryBytes,
    long totalMemoryBytes,
    List<UnitView> units) {}
