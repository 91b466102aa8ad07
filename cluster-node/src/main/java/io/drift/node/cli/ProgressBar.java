package io.drift.node.cli;

import io.drift.api.JobHandle;
import io.drift.api.JobInfo;
import java.io.PrintWriter;
import java.util.concurrent.TimeUnit;

/**
 * A job's progress on a terminal: one line redrawn in place ({@code \r}) a few times a second,
 * with the node it runs on; output lines are printed above it. Only for terminals: piped output
 * gets the lines alone.
 */
final class ProgressBar {
  private static final int WIDTH = 30;
  private static final long TICK_MILLIS = 200;

  private final PrintWriter out;
  private final JobHandle<?> job;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile String where = "";
  private String drawn = "";

  private ProgressBar(PrintWriter out, JobHandle<?> job) {
    this.out = out;
    this.job = job;
    this.thread = new Thread(this::loop, "drift-run-progress");
    thread.setDaemon(true);
  }

  static ProgressBar start(PrintWriter out, JobHandle<?> job) {
    ProgressBar b = new ProgressBar(out, job);
    b.thread.start();
    return b;
  }

  private void loop() {
    long lastAsked = 0;
    while (running) {
      long now = System.nanoTime();
      if (now - lastAsked > TimeUnit.SECONDS.toNanos(1)) {
        lastAsked = now;
        job.status().thenAccept(this::noteHost);
      }
      draw(job.progress());
      try {
        Thread.sleep(TICK_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void noteHost(JobInfo info) {
    where = info.host().isEmpty() ? "waiting for a node" : "on " + info.host()
        + (info.migrations() > 0 ? ", moved " + info.migrations() + "x" : "");
  }

  static String line(double fraction, String where) {
    double f = Math.max(0, Math.min(1, fraction));
    int full = (int) Math.round(f * WIDTH);
    return "[" + "#".repeat(full) + ".".repeat(WIDTH - full) + "] "
        + String.format("%3d%%", Math.round(f * 100)) + (where.isEmpty() ? "" : "  " + where);
  }

  private synchronized void draw(double fraction) {
    String l = line(fraction, where);
    if (!l.equals(drawn)) {
      out.print("\r\u001b[K" + l);
      out.flush();
      drawn = l;
    }
  }

  /** An output line above the bar. */
  synchronized void println(PrintWriter to, String text) {
    out.print("\r\u001b[K");
    out.flush();
    to.println(text);
    to.flush();
    if (!drawn.isEmpty()) {
      out.print(drawn);
      out.flush();
    }
  }

  /** Stops redrawing; a job that succeeded ends at 100%. */
  void stop(boolean done) {
    running = false;
    thread.interrupt();
    try {
      thread.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      if (done) {
        drawn = "";
        draw(1.0);
      }
      out.println();
      out.flush();
    }
  }
}
