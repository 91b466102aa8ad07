package io.drift.balancer.policy;

import java.util.List;
import java.util.Optional;

/**
 * The outcome of one placement, with its reasons: every candidate seen, with its score or why it
 * was dropped. For logs, the decision log, and tests.
 *
 * @param chosen the node to run on; empty when no candidate is fit
 */
public record PlacementDecision(
    String jobId, Optional<String> chosen, String reason, List<Candidate> candidates) {

  /**
   * @param score the speed this job would run at there (reference CPUs); NaN if dropped
   * @param verdict {@code chosen}, {@code higher load}, or why the node was dropped
   */
  public record Candidate(String node, double score, String verdict) {}
}
