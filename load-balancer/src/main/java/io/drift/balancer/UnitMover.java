package io.drift.balancer;

import org.apache.pekko.actor.typed.ActorRef;

/**
 * How the balancer asks for a move: to the unit's home, through this node's executor, since
 * home alone decides where its job runs. The answer comes to {@code outcome} as one line.
 */
@FunctionalInterface
public interface UnitMover {

  void requestMove(String jobId, String targetNode, ActorRef<String> outcome);
}
