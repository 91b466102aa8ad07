package io.drift.migration.executor;

import io.drift.api.JobId;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.function.BooleanSupplier;

/**
 * A unit's standard input as its host sees it: lines fetched from home ahead of the unit,
 * at most one request outstanding. Home parks a request until it has a line or its wait ends
 * (a long poll), so an idle reader costs one message per wait. The first request of a host
 * asks from home's cursor ({@link #FROM_CURSOR}), where the unit's last host or its checkpoint
 * left off, and later ones from the next line not yet fetched. {@link #consumed()}, the number
 * of lines the unit has read, travels with each checkpoint and move, so home knows where the
 * next host begins. Thread-safe: the unit's slot thread reads, a Pekko thread delivers.
 */
final class HostInput {

  /** Asks home to answer from where the job's last host or checkpoint left off. */
  static final long FROM_CURSOR = -1;
  /** Lines per answer at most. */
  static final int BATCH = 256;

  private final JobId jobId;
  private final HomeLink home;
  private final BooleanSupplier cancelled;
  private final ArrayDeque<String> lines = new ArrayDeque<>(0); // most units read no input
  private long consumed = -1; // not known until home's first answer says where we start
  private long fetchedUpTo = FROM_CURSOR; // index after the last line fetched
  private boolean ended;
  private boolean asking;
  private String lastError;

  HostInput(JobId jobId, HomeLink home, BooleanSupplier cancelled) {
    this.jobId = jobId;
    this.home = home;
    this.cancelled = cancelled;
  }

  /** Lines the unit has read here, counting from the job's first; -1 before any was asked. */
  synchronized long consumed() {
    return consumed;
  }

  synchronized boolean ready() {
    if (!lines.isEmpty() || ended) {
      return true;
    }
    ask();
    return false;
  }

  String readLine() throws IOException {
    synchronized (this) {
      while (lines.isEmpty() && !ended) {
        if (cancelled.getAsBoolean()) {
          throw new InterruptedIOException("job " + jobId + " was cancelled while it waited for"
              + " input");
        }
        if (lastError != null) {
          String e = lastError;
          lastError = null;
          throw new IOException("job " + jobId + ": no input from home: " + e);
        }
        ask();
        try {
          wait(200); // wake to see a cancel
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while waiting for input");
        }
      }
      if (lines.isEmpty()) {
        return null;
      }
      consumed++;
      return lines.poll();
    }
  }

  /** Sends one request unless one is out. Holding the lock. */
  private void ask() {
    if (asking) {
      return;
    }
    asking = true;
    long from = fetchedUpTo;
    home.lines(from, BATCH).whenComplete((got, error) -> arrived(from, got, error));
  }

  private synchronized void arrived(long from, Executor.Lines got, Throwable error) {
    asking = false;
    if (error != null) {
      lastError = error.toString();
    } else if (from == FROM_CURSOR || got.from() == fetchedUpTo) {
      if (from == FROM_CURSOR) {
        consumed = got.from();
      }
      lines.addAll(got.lines());
      fetchedUpTo = got.from() + got.lines().size();
      ended = got.ended();
    } // else an answer to a question no longer asked
    notifyAll();
  }
}
