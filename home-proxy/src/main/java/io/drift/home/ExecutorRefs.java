package io.drift.home;

import io.drift.migration.executor.Executor;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;

/**
 * The executors a home manager's jobs are placed on, resolved once per node incarnation and
 * shared by the manager's proxies (which run on other threads): a path parsed anew for each
 * job was a share of every placement's CPU. A proxy given these also leaves the watch of its
 * host to the manager ({@link HomeManager.WatchHost}).
 */
final class ExecutorRefs {
  /** Past this many (nodes come and go with new incarnations), the cache starts over. */
  private static final int MAX = 4096;

  private final ActorRefResolver resolver;
  private final ConcurrentHashMap<String, ActorRef<Executor.Command>> refs =
      new ConcurrentHashMap<>();

  ExecutorRefs(ActorRefResolver resolver) {
    this.resolver = resolver;
  }

  ActorRef<Executor.Command> resolve(String path) {
    if (refs.size() >= MAX) {
      refs.clear();
    }
    return refs.computeIfAbsent(path, resolver::resolveActorRef);
  }
}
