package io.drift.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every command has help, listed by {@code drift --help} and shown by its own {@code --help}. */
public class HelpTest {

  /** The commands of issue 6. */
  public static final List<String> COMMANDS = List.of("node", "demo", "run", "ps", "migrate",
      "mon", "ctl", "members", "why");

  static String[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = DriftCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new String[] {String.valueOf(code), out.toString(), err.toString()};
  }

  @Test
  void everyCommandHasHelpAndTheTopLevelListsThemAll() {
    String[] top = run("--help");
    assertEquals("0", top[0], top[2]);
    for (String c : COMMANDS) {
      assertTrue(top[1].contains("  " + c + " "), c + " listed in: " + top[1]);
      String[] h = run(c, "--help");
      assertEquals("0", h[0], c + ": " + h[2]);
      assertTrue(h[1].startsWith("Usage: drift " + c), c + ": " + h[1]);
      assertTrue(h[1].lines().count() > 3, c + " says more than its name: " + h[1]);
      String[] viaHelp = run("help", c);
      assertEquals(h[1], viaHelp[1], "drift help " + c + " says the same");
    }
  }
}
