package io.drift.api.units;

import io.drift.api.Step;
import io.drift.api.WorkContext;
import io.drift.api.WorkUnit;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An unmodified program ({@code bin/drift run -- COMMAND ARGS}), started as a process on the
 * node that runs the unit: its standard output and error go home line by line as the job's,
 * the job's standard input goes to it, and its exit code is the result.
 *
 * <p>Such a job is pinned (submitted not migratable): a process's memory, open files and
 * children cannot be captured between two steps the way a unit's fields can, so it cannot
 * move. Nor can it start again after its node dies: its checkpoint holds only its command,
 * and running that again could repeat what the program already did, so the job fails then.
 * It runs in a new temporary directory on that node, deleted when it ends.
 */
public final class ExternalProgram implements WorkUnit<Integer> {

  /** How long one step waits for the program to say something before it yields its slot. */
  static final long POLL_MILLIS = 20;

  private List<String> command;
  private boolean started;

  // The process lives only where it started: none of this is the unit's state.
  private transient Process process;
  private transient LinkedBlockingQueue<Line> lines;
  private transient OutputStream stdin;
  private transient java.nio.file.Path dir;
  private transient int readersLeft;

  private record Line(boolean err, String text, boolean end) {}

  private ExternalProgram() {}

  public ExternalProgram(List<String> command) {
    if (command == null || command.isEmpty()) {
      throw new IllegalArgumentException("name a program to run");
    }
    this.command = List.copyOf(command);
  }

  public List<String> command() {
    return command;
  }

  @Override
  public Step<Integer> step(WorkContext ctx) throws Exception {
    if (process == null) {
      if (started) {
        throw new IllegalStateException("the program " + command.get(0) + " was running on a"
            + " node that is gone; Drift does not run an external program again, as it may"
            + " have done part of its work already");
      }
      start();
      started = true;
      return Step.more();
    }
    Line first = lines.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
    for (Line l = first; l != null; l = lines.poll()) {
      if (l.end()) {
        readersLeft--;
      } else if (l.err()) {
        ctx.err(l.text());
      } else {
        ctx.out(l.text());
      }
    }
    while (stdin != null && ctx.inputReady()) {
      String line = ctx.readLine();
      try {
        if (line == null) {
          stdin.close();
          stdin = null;
        } else {
          stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
          stdin.flush();
        }
      } catch (IOException e) {
        stdin = null; // the program closed its input: what it does not read is dropped
      }
    }
    if (readersLeft == 0 && !process.isAlive()) {
      int code = process.exitValue();
      cleanUp();
      return Step.done(code);
    }
    return Step.more();
  }

  private void start() throws IOException {
    dir = java.nio.file.Files.createTempDirectory("drift-program-");
    try {
      process = new ProcessBuilder(command).directory(dir.toFile()).start();
    } catch (IOException e) {
      cleanUp();
      throw new IOException("cannot start " + command.get(0) + ": " + e.getMessage(), e);
    }
    stdin = process.getOutputStream();
    lines = new LinkedBlockingQueue<>();
    readersLeft = 2;
    pump(process.getInputStream(), false);
    pump(process.getErrorStream(), true);
  }

  /** A thread per stream: a program's pipe must be drained or the program blocks. */
  private void pump(InputStream from, boolean err) {
    LinkedBlockingQueue<Line> to = lines;
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(from, StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          to.add(new Line(err, line, false));
        }
      } catch (IOException e) {
        // the process went away: what it wrote is in
      } finally {
        to.add(new Line(err, null, true));
      }
    }, "drift-program-" + (err ? "err" : "out"));
    t.setDaemon(true);
    t.start();
  }

  /** Cancelled, failed or its node stopping: the program stops too, and its children. */
  @Override
  public void close() {
    Process p = process;
    if (p != null) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      try {
        p.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    cleanUp();
  }

  private void cleanUp() {
    if (dir == null) {
      return;
    }
    try (var files = java.nio.file.Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a temporary directory: the system cleans up what is left
    }
    dir = null;
  }
}
