package io.drift.node;

import io.drift.api.WorkUnit;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Jars of user code made while a test runs, so that no node has their classes on its class
 * path: a counting unit in as many versions as a test wants, all with the same class names.
 */
final class UserJars {
  private UserJars() {}

  /**
   * {@code demo.Counter}: a unit of {@code COUNT} steps (its argument) of about a millisecond
   * of CPU, printing "{@code version} at N" every 100 steps, whose result, a {@code demo.Tally}
   * loaded only when it ends, says "{@code version} counted N".
   */
  static Path counter(Path dir, String version) throws IOException {
    return jar(dir, "counter-" + version, Map.of(
        "demo.Counter", """
            package demo;

            import io.drift.api.Step;
            import io.drift.api.WorkContext;
            import io.drift.api.WorkUnit;

            public class Counter implements WorkUnit<Tally> {
              private long count;
              private long done;
              private long sink;

              private Counter() {}

              public Counter(String... args) {
                count = Long.parseLong(args[0]);
              }

              @Override
              public Step<Tally> step(WorkContext ctx) {
                long t0 = System.nanoTime();
                while (System.nanoTime() - t0 < 1_000_000) {
                  sink += t0 % 7;
                }
                done++;
                if (done % 100 == 0) {
                  ctx.out("VERSION at " + done);
                }
                ctx.progress((double) done / count);
                return done >= count ? Step.done(new Tally("VERSION", done)) : Step.more();
              }
            }
            """.replace("VERSION", version),
        "demo.Tally", """
            package demo;

            public class Tally {
              private String version;
              private long steps;

              private Tally() {}

              Tally(String version, long steps) {
                this.version = version;
                this.steps = steps;
              }

              @Override
              public String toString() {
                return version + " counted " + steps;
              }
            }
            """,
        "demo.Plain", """
            package demo;

            public class Plain {
              private int n = 1;

              public Plain() {}
            }
            """));
  }

  /** A unit of the jar made with its own loader, as the command line makes one. */
  static WorkUnit<?> load(Path jar, String className, String... args) throws Exception {
    URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()},
        UserJars.class.getClassLoader());
    return (WorkUnit<?>) loader.loadClass(className).getConstructor(String[].class)
        .newInstance((Object) args);
  }

  /** Compiles {@code sources} (by class name) against Drift's API and packs them in a jar. */
  static Path jar(Path dir, String name, Map<String, String> sources) throws IOException {
    Path src = Files.createDirectories(dir.resolve(name + "-src"));
    Path classes = Files.createDirectories(dir.resolve(name + "-classes"));
    List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "--release", "17",
        "-cp", Path.of(codeSource(WorkUnit.class)).toString()));
    for (Map.Entry<String, String> e : sources.entrySet()) {
      Path file = src.resolve(e.getKey().replace('.', '/') + ".java");
      Files.createDirectories(file.getParent());
      Files.writeString(file, e.getValue());
      args.add(file.toString());
    }
    if (sources.isEmpty()) { // a jar of resources only
      Files.writeString(classes.resolve("readme.txt"), "no classes here");
    } else {
      compile(name, args);
    }
    Path jar = dir.resolve(name + ".jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
        Stream<Path> files = Files.walk(classes)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
        Files.copy(f, out);
        out.closeEntry();
      }
    }
    return jar;
  }

  private static void compile(String name, List<String> args) throws IOException {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    java.io.ByteArrayOutputStream errors = new java.io.ByteArrayOutputStream();
    int rc = javac.run(null, OutputStream.nullOutputStream(), errors, args.toArray(new String[0]));
    if (rc != 0) {
      throw new IOException("javac failed (" + rc + ") for " + name + ": " + errors);
    }
  }

  private static java.net.URI codeSource(Class<?> c) {
    try {
      return c.getProtectionDomain().getCodeSource().getLocation().toURI();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
