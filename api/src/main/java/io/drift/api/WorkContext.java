package io.drift.api;

/**
 * What a running unit may touch outside its own fields. Every call is routed to the job's home
 * node and tagged with the unit's current placement epoch, wherever the unit runs.
 */
public interface WorkContext {

  /** Appends one line to the job's standard output at home. */
  void out(String line);

  /** Appends one line to the job's standard error at home. */
  void err(String line);

  /** Reports progress between 0 and 1; values outside are clamped. */
  void progress(double fraction);

  /** The job this unit belongs to. */
  JobId jobId();

  /** The node the unit runs on now, as {@code host:port}. */
  String hostName();

  /** The job's files at its home node. Contexts made outside a node may have none. */
  default HomeFiles files() {
    throw new UnsupportedOperationException("this context has no home files");
  }
}
