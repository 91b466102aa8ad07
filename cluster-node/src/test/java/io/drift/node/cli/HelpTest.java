package io.drift.node.cli;

import static io.drift.node.cli.Cli.drift;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.node.cli.Cli.Run;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every command has help, listed by {@code drift --help} and shown by its own {@code --help}. */
public class HelpTest {

  /** The commands of issue 6. */
  public static final List<String> COMMANDS = List.of("node", "demo", "run", "ps", "migrate",
      "mon", "ctl", "members", "why");

  @Test
  void everyCommandHasHelpAndTheTopLevelListsThemAll() {
    Run top = drift("--help");
    assertEquals(0, top.code(), top.err());
    for (String c : COMMANDS) {
      assertTrue(top.out().contains("  " + c + " "), c + " listed in: " + top.out());
      Run h = drift(c, "--help");
      assertEquals(0, h.code(), c + ": " + h.err());
      assertTrue(h.out().startsWith("Usage: drift " + c), c + ": " + h.out());
      assertTrue(h.out().lines().count() > 3, c + " says more than its name: " + h.out());
      assertEquals(h.out(), drift("help", c).out(), "drift help " + c + " says the same");
    }
  }
}
