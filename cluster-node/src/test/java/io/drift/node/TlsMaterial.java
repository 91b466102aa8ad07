package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A cluster CA and certificates made at test time with the {@code keytool} commands of
 * docs/security.md, read from that file (the blocks after {@code <!-- keytool:NAME -->}), so the
 * documented commands are the tested ones. One instance is one CA in its own directory.
 */
final class TlsMaterial {

  static final String CA_PASSWORD = "ca-secret-for-tests";
  static final String KEYSTORE_PASSWORD = "node-secret-for-tests";
  static final String TRUSTSTORE_PASSWORD = "trust-secret-for-tests";

  static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  private static final Path DOC = ROOT.resolve("docs/security.md");
  private static final Pattern VAR = Pattern.compile("\\$\\{?([A-Z_]+)}?");

  final Path dir;

  private TlsMaterial(Path dir) {
    this.dir = dir;
  }

  /** A new CA in {@code dir} (section 1 of the doc), and its trust store (section 3). */
  static TlsMaterial newCa(Path dir) throws IOException {
    Files.createDirectories(dir);
    TlsMaterial ca = new TlsMaterial(dir);
    ca.run("ca", Map.of());
    ca.run("truststore", Map.of());
    assertTrue(Files.isRegularFile(ca.truststore()), "no trust store made in " + dir);
    return ca;
  }

  Path truststore() {
    return dir.resolve("truststore.p12");
  }

  /** A key store for {@code name}, its certificate signed by this CA for {@code san} (section 2). */
  Path node(String name, String san) throws IOException {
    run("node", Map.of("NODE", name, "SAN", san));
    Path store = dir.resolve(name + ".p12");
    assertTrue(Files.isRegularFile(store), "no key store made for " + name);
    return store;
  }

  /** The environment a node or client of this material is started with (docs/security.md). */
  Map<String, String> env(Path keystore) {
    return Map.of("DRIFT_HOSTNAME", LocalCluster.HOST, "DRIFT_CLIENT_HOSTNAME", LocalCluster.HOST,
        "DRIFT_KEYSTORE", keystore.toString(), "DRIFT_KEYSTORE_PASSWORD", KEYSTORE_PASSWORD,
        "DRIFT_TRUSTSTORE", truststore().toString(),
        "DRIFT_TRUSTSTORE_PASSWORD", TRUSTSTORE_PASSWORD, "DRIFT_TOKEN", TestClusters.TOKEN);
  }

  /**
   * Every setting of a production example ({@code conf/production/NAME}) resolved with
   * {@code env} instead of the process's environment, as flat paths and values: overrides that
   * run a node or client in this JVM with exactly that file's settings.
   */
  static Map<String, Object> production(String name, Map<String, String> env) {
    Config c = resolve(name, env);
    Map<String, Object> flat = new HashMap<>();
    for (Map.Entry<String, ConfigValue> e : c.entrySet()) {
      flat.put(e.getKey(), e.getValue().unwrapped());
    }
    return flat;
  }

  /**
   * {@code conf/production/NAME} resolved with {@code env} as its environment (the variables
   * sit at the root while it resolves, as the environment does, and are gone after).
   */
  static Config resolve(String name, Map<String, String> env) {
    Config c = ConfigFactory.parseMap(env).withFallback(ConfigFactory.parseFile(
            ROOT.resolve("conf/production").resolve(name).toFile()))
        .resolve(ConfigResolveOptions.noSystem());
    for (String variable : env.keySet()) {
      c = c.withoutPath(variable);
    }
    return c;
  }

  /** Runs the doc's block {@code block} here, with {@code vars} for its shell variables. */
  private void run(String block, Map<String, String> vars) throws IOException {
    for (List<String> command : commands(block, vars)) {
      List<String> argv = new ArrayList<>(command);
      assertEquals("keytool", argv.get(0), "the doc's block " + block + " runs only keytool");
      argv.set(0, Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
      ProcessBuilder pb = new ProcessBuilder(argv).directory(dir.toFile())
          .redirectErrorStream(true);
      pb.environment().put("DRIFT_CA_PASSWORD", CA_PASSWORD);
      pb.environment().put("DRIFT_KEYSTORE_PASSWORD", KEYSTORE_PASSWORD);
      pb.environment().put("DRIFT_TRUSTSTORE_PASSWORD", TRUSTSTORE_PASSWORD);
      Process p = pb.start();
      p.getOutputStream().close(); // keytool must not wait for an answer
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      try {
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          fail("keytool did not finish: " + command);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
      assertEquals(0, p.exitValue(), command + " failed:\n" + out);
    }
  }

  /** The commands of one marked block: continuations joined, quotes and variables applied. */
  static List<List<String>> commands(String block, Map<String, String> vars) throws IOException {
    List<String> lines = Files.readAllLines(DOC, StandardCharsets.UTF_8);
    int at = lines.indexOf("<!-- keytool:" + block + " -->");
    assertTrue(at >= 0 && lines.get(at + 1).startsWith("```"),
        "docs/security.md has no block marked keytool:" + block);
    List<List<String>> commands = new ArrayList<>();
    StringBuilder logical = new StringBuilder();
    for (int i = at + 2; !lines.get(i).startsWith("```"); i++) {
      String line = lines.get(i);
      if (line.endsWith("\\")) {
        logical.append(line, 0, line.length() - 1).append(' ');
        continue;
      }
      logical.append(line);
      String command = logical.toString().trim();
      logical.setLength(0);
      if (!command.isEmpty() && !command.startsWith("#")) {
        commands.add(words(command, vars));
      }
    }
    assertTrue(!commands.isEmpty(), "the block keytool:" + block + " is empty");
    return commands;
  }

  /** Words as a POSIX shell splits them, for the little the doc uses: spaces, "..." and $VAR. */
  private static List<String> words(String command, Map<String, String> vars) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean quoted = false;
    boolean any = false;
    for (char ch : command.toCharArray()) {
      if (ch == '"') {
        quoted = !quoted;
        any = true;
      } else if (Character.isWhitespace(ch) && !quoted) {
        if (any) {
          words.add(expand(word.toString(), vars));
          word.setLength(0);
          any = false;
        }
      } else {
        word.append(ch);
        any = true;
      }
    }
    assertTrue(!quoted, "unbalanced quotes in: " + command);
    if (any) {
      words.add(expand(word.toString(), vars));
    }
    return words;
  }

  private static String expand(String word, Map<String, String> vars) {
    Matcher m = VAR.matcher(word);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = vars.get(m.group(1));
      if (value == null) {
        fail("the doc uses $" + m.group(1) + ", which the test does not set");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }
}
