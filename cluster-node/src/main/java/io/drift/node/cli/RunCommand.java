package io.drift.node.cli;

import io.drift.api.JobHandle;
import io.drift.api.JobInfo;
import io.drift.api.JobSpec;
import io.drift.api.OutputLine;
import io.drift.api.WorkUnit;
import io.drift.api.units.ExternalProgram;
import io.drift.api.units.ShippedUnits;
import io.drift.node.client.DriftClient;
import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Submit a work unit, stream its output here and print its result.",
        "Shipped units: primes FROM TO | pi SEED SAMPLES | burn MILLIS | lines COUNT.",
        "Or --class NAME [ARGS...] for a WorkUnit class with a public (String...) or"
            + " no-argument constructor: on the class path, or in the jar --jar names, which"
            + " goes to the home node and from there to every node that runs the job.",
        "Or -- COMMAND [ARGS...]: an unmodified program, started on the best node and pinned"
            + " there; its output comes here and this command exits with its exit code.",
        "Lines on standard input go to the job (WorkContext.readLine), wherever it runs."})
final class RunCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @picocli.CommandLine.ParentCommand DriftCli parent;

  @Mixin NodeOption target;

  @Option(names = "--class", paramLabel = "CLASS", description = "a WorkUnit class to run")
  String className;

  @Option(names = "--jar", paramLabel = "JAR",
      description = "the jar that has the --class (no node needs it on its class path)")
  java.nio.file.Path jar;

  @Option(names = "--name", description = "the job's name (default: the unit's)")
  String name;

  @Option(names = "--memory", paramLabel = "MB",
      description = "memory the job declares: no node without that much free gets it")
  long memoryMb;

  @Option(names = "--best", description = "start on the best node by load (the default;"
      + " MOSIX: mosrun -b)")
  boolean best;

  @Option(names = "--on", paramLabel = "HOST:PORT",
      description = "start on this node (its cluster port); it may move later unless --lock")
  String on;

  @Option(names = "--home", description = "start on the home node (the one --node names);"
      + " it may move later unless --lock")
  boolean home;

  @Option(names = "--queue", paramLabel = "PRIORITY", arity = "0..1", fallbackValue = "0",
      description = "through the home's batch queue (MOSIX: mosq): it waits at home, holding no"
          + " slot, until the grid has room; lower PRIORITY first (default 0), then the"
          + " earlier. drift q lists, reorders and cancels queued jobs")
  Integer queue;

  @Option(names = "--lock", description = "pin it where it starts: no move, by the balancer or"
      + " by hand (a drain of its node waits for it, or cancels it with --force)")
  boolean lock;

  @Option(names = "--progress", paramLabel = "auto|bar|lines", defaultValue = "auto",
      description = "a progress bar that redraws in place (auto: on a terminal) or none"
          + " (lines: the output lines only, as when piped)")
  String progress;

  @Option(names = "--detach", description = "print the job id and return at once")
  boolean detach;

  @Parameters(paramLabel = "UNIT ARGS", description = "unit name and its arguments")
  List<String> words = List.of();

  @Override
  public Integer call() throws Exception {
    Logs.init("ERROR", "WARN"); // Artery logs harmless WARNs as a client disconnects
    if (jar != null && className == null) {
      throw new IllegalArgumentException("--jar needs --class: the unit's class in the jar");
    }
    boolean program = spec.commandLine().getParseResult().originalArgs().contains("--");
    if (!java.util.Set.of("auto", "bar", "lines").contains(progress)) {
      throw new IllegalArgumentException("--progress is auto, bar or lines, not " + progress);
    }
    if (program && (className != null || words.isEmpty())) {
      throw new IllegalArgumentException(className != null
          ? "-- runs a program: it takes no --class" : "name a program after --");
    }
    java.net.URLClassLoader jarLoader = jar == null ? null : jarLoader(jar);
    WorkUnit<?> unit = program ? new ExternalProgram(words)
        : className != null
        ? instantiate(className, words, jarLoader != null ? jarLoader
            : RunCommand.class.getClassLoader())
        : shipped(words);
    if ((best ? 1 : 0) + (on != null ? 1 : 0) + (home ? 1 : 0) > 1) {
      throw new IllegalArgumentException("say one of --best, --on NODE and --home");
    }
    if (memoryMb < 0) {
      throw new IllegalArgumentException("--memory is a number of MB >= 0, not " + memoryMb);
    }
    JobSpec<?> job = JobSpec.of(unit).withMemoryMb(memoryMb).withJar(jar)
        .withStartOn(home ? JobSpec.HOME : on).withMigratable(!lock);
    if (queue != null) {
      if (queue < 0) {
        throw new IllegalArgumentException("--queue takes a priority >= 0 (lower first), not "
            + queue);
      }
      job = job.withQueue(queue);
    }
    if (program) { // a process cannot move (ExternalProgram says why)
      job = job.withMigratable(false).withName(java.nio.file.Path.of(words.get(0))
          .getFileName().toString());
    }
    if (name != null) {
      job = job.withName(name);
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (DriftClient client = target.connect()) {
      JobHandle<?> handle = client.submit(job);
      if (detach) {
        out.println(handle.id());
        return ExitCodes.OK;
      }
      ProgressBar bar = !program && (progress.equals("bar")
          || (progress.equals("auto") && System.console() != null))
          ? ProgressBar.start(out, handle) : null;
      handle.onOutput(line -> {
        PrintWriter to = line.stream() == OutputLine.Stream.ERR ? err : out;
        if (bar != null) {
          bar.println(to, line.text());
        } else {
          to.println(line.text());
        }
      });
      forwardInput(parent.in, handle);
      Object result;
      try {
        result = handle.result().toCompletableFuture().join();
      } catch (CompletionException e) {
        if (bar != null) {
          bar.stop(false);
        }
        out.flush();
        throw (e.getCause() instanceof Exception ex) ? ex : e;
      }
      if (bar != null) {
        bar.stop(true);
      }
      if (program) {
        out.flush();
        return (Integer) result; // its own exit code, and no words of ours in its output
      }
      JobInfo info = handle.status().toCompletableFuture().join();
      out.printf("job %s %s on %s: result %s, cpu %d ms%n", info.id(), info.state(), info.host(),
          result, info.cpuNanos() / 1_000_000);
      return ExitCodes.OK;
    }
  }

  /**
   * Sends the lines of {@code in} to the job as they come, then the end of input; on a thread
   * of its own, as a terminal may never say more. Stops quietly when the job takes no more.
   */
  private static void forwardInput(java.io.InputStream in, JobHandle<?> handle) {
    Thread t = new Thread(() -> {
      try (java.io.BufferedReader r = new java.io.BufferedReader(
          new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          List<String> batch = new java.util.ArrayList<>(List.of(line));
          while (batch.size() < 256 && r.ready() && (line = r.readLine()) != null) {
            batch.add(line);
          }
          handle.sendLines(batch).toCompletableFuture().join();
        }
        handle.closeInput().toCompletableFuture().join();
      } catch (java.io.IOException | RuntimeException e) {
        // the job ended, or its input was closed: its result says how it went
      }
    }, "drift-run-stdin");
    t.setDaemon(true);
    t.start();
  }

  private static WorkUnit<?> shipped(List<String> words) {
    if (words.isEmpty()) {
      throw new IllegalArgumentException("name a unit to run; shipped units: "
          + String.join(", ", ShippedUnits.usages()));
    }
    return ShippedUnits.create(words.get(0), words.subList(1, words.size()));
  }

  /** A loader over the user's jar, checked first so a wrong file gets a clear word. */
  static java.net.URLClassLoader jarLoader(java.nio.file.Path jar) {
    if (!java.nio.file.Files.isRegularFile(jar)) {
      throw new IllegalArgumentException("no jar file " + jar);
    }
    try (java.util.jar.JarFile f = new java.util.jar.JarFile(jar.toFile())) {
      f.size(); // opened: it is a zip
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(jar + " is not a jar: " + e.getMessage());
    }
    try {
      return new java.net.URLClassLoader(new java.net.URL[] {jar.toUri().toURL()},
          RunCommand.class.getClassLoader());
    } catch (java.net.MalformedURLException e) {
      throw new IllegalArgumentException("cannot load classes from " + jar + ": " + e, e);
    }
  }

  static WorkUnit<?> instantiate(String className, List<String> args, ClassLoader loader) {
    Class<?> type;
    try {
      type = Class.forName(className, true, loader);
    } catch (ClassNotFoundException e) {
      throw new IllegalArgumentException("unit class " + className + (loader
          instanceof java.net.URLClassLoader ? " is not in the jar" : " is not on the class path"
          + " (name its jar with --jar)"));
    } catch (LinkageError e) {
      throw new IllegalArgumentException("cannot load " + className + ": " + e, e);
    }
    if (!WorkUnit.class.isAssignableFrom(type)) {
      throw new IllegalArgumentException(className + " is not a " + WorkUnit.class.getName());
    }
    try {
      try {
        Constructor<?> c = type.getConstructor(String[].class);
        return (WorkUnit<?>) c.newInstance((Object) args.toArray(new String[0]));
      } catch (NoSuchMethodException e) {
        if (!args.isEmpty()) {
          throw new IllegalArgumentException(className + " takes no arguments (it has no public"
              + " String... constructor)");
        }
        return (WorkUnit<?>) type.getConstructor().newInstance();
      }
    } catch (ReflectiveOperationException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IllegalArgumentException("cannot create " + className + ": " + cause, cause);
    }
  }
}
