package io.drift.api;

/**
 * The user's computation. A unit's fields are its state: between two steps Drift may encode
 * them (Jackson CBOR, fields of any visibility), pause the unit, move it to another node and
 * decode it there. A unit therefore keeps no threads, sockets or open files in its fields, and
 * has a no-argument constructor (private is fine) or a Jackson creator.
 *
 * @param <R> the type of the unit's result; it must be encodable too
 */
@FunctionalInterface
public interface WorkUnit<R> {

  /**
   * Advances the computation by one bounded step. Aim for at most about 10 ms: Drift can only
   * pause, checkpoint or cancel the unit between steps.
   *
   * @return {@link Step#more()} to be called again, or {@link Step#done(Object)} with the result
   * @throws Exception to fail the job; the exception's class and message reach the client
   */
  Step<R> step(WorkContext ctx) throws Exception;

  /**
   * Called once when the unit stops on its node without finishing: cancelled, failed, or its
   * node shutting down; not when it moves (its state goes on elsewhere) nor when it returns
   * its result. Most units have nothing to do here; one that started something outside its
   * state (a process) stops it. Exceptions are logged and ignored.
   */
  default void close() throws Exception {}
}
