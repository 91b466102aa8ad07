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

  /**
   * The next line of the job's standard input (what its submitter sends, such as the lines
   * typed at {@code bin/drift run}), without its line end; null once the input is closed and
   * every line has been read. Waits for a line within the step: meanwhile the unit holds its
   * slot and cannot be paused or moved, so a unit that may wait long asks {@link #inputReady}
   * first and returns from its step when it says no. Lines read are not read again after a
   * move or a restart from a checkpoint taken later. Contexts made outside a node have no input.
   *
   * @throws java.io.IOException home could not be reached, or the job was cancelled meanwhile
   */
  default String readLine() throws java.io.IOException {
    return null;
  }

  /**
   * True when {@link #readLine} would not wait: a line is here, or the input has ended. False
   * asks home for more in the background, so a later call may say true.
   */
  default boolean inputReady() {
    return true;
  }

  /** The job's files at its home node. Contexts made outside a node may have none. */
  default HomeFiles files() {
    throw new UnsupportedOperationException("this context has no home files");
  }
}
