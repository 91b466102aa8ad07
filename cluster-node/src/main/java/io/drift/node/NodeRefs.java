package io.drift.node;

import io.drift.balancer.Balancer;
import io.drift.home.HomeManager;
import io.drift.migration.executor.Executor;
import org.apache.pekko.actor.typed.ActorRef;

/** The actors a node's guardian started, for the HTTP routes and for tests. */
public record NodeRefs(
    String selfNode,
    ActorRef<Executor.Command> executor,
    ActorRef<Balancer.Command> balancer,
    ActorRef<HomeManager.Command> homes,
    ActorRef<Gateway.Command> gateway,
    ActorRef<io.drift.balancer.grid.GridKeeper.Command> grid) {}
