package io.drift.node.cli;

import org.slf4j.LoggerFactory;

/** Sets the log levels a command wants (logback.xml reads them) and starts logging at once. */
final class Logs {
  private Logs() {}

  /** Levels already given with -D win. Must run before anything logs. */
  static void init(String rootLevel, String driftLevel) {
    System.setProperty("drift.log.root", System.getProperty("drift.log.root", rootLevel));
    System.setProperty("drift.log.drift", System.getProperty("drift.log.drift", driftLevel));
    // initialize now, on this thread: a first log call from many threads at once is replayed
    // with a warning by SLF4J
    LoggerFactory.getILoggerFactory();
  }
}
