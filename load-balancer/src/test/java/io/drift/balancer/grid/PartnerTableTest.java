package io.drift.balancer.grid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

class PartnerTableTest {

  static PartnerTable parse(String text) {
    return PartnerTable.fromConfig("A", ConfigFactory.parseString(text), "drift.grid.partners");
  }

  @Test
  void theTermsAreReadAndEachRuleFollowsThem() {
    PartnerTable t = parse("drift.grid.partners {"
        + " B { priority = 2, max-guests = 3 },"
        + " C { priority = 1, send = off },"
        + " D { priority = 1, take = off } }");
    assertEquals(List.of("D", "B"), t.sendOrder(), "lower number first; C is not sent to");
    assertTrue(t.maySendTo("A") && t.maySendTo("B") && t.maySendTo("D"));
    assertFalse(t.maySendTo("C"));
    assertFalse(t.maySendTo("E"), "no partner, nothing goes there");
    assertTrue(t.takesFrom("B", 2));
    assertFalse(t.takesFrom("B", 3), "at its most guests");
    assertTrue(t.takesFrom("C", 1_000_000), "no limit given");
    assertFalse(t.takesFrom("D", 0));
    assertFalse(t.takesFrom("E", 0));
    assertEquals(0, t.priorityOf("A"));
    assertEquals(Integer.MAX_VALUE, t.priorityOf("E"));

    PartnerTable changed = t.with("D", new PartnerTable.Partner(1, true, true, 5));
    assertTrue(changed.takesFrom("D", 4));
    assertFalse(t.takesFrom("D", 0), "a change is a new table");
  }

  @Test
  void anIsolatedClusterSendsAndTakesNothingAndRejoinsOnItsTerms() {
    PartnerTable t = parse("drift.grid.partners { B { priority = 2, max-guests = 3 } }");
    PartnerTable alone = t.isolated(true);
    assertTrue(alone.isolated());
    assertFalse(alone.maySendTo("B"));
    assertFalse(alone.takesFrom("B", 0));
    assertEquals(0, alone.maxGuestsOf("B"));
    assertTrue(alone.maySendTo("A") && alone.takesFrom("A", 0), "its own cluster always");
    assertEquals(List.of(), alone.sendOrder());
    assertEquals(2, alone.priorityOf("B"), "the terms are kept for the rejoin");
    PartnerTable back = alone.isolated(false);
    assertEquals(t, back);
    assertEquals(3, back.maxGuestsOf("B"));
    assertTrue(alone.with("C", new PartnerTable.Partner(1, true, true, 1)).isolated(),
        "a change of terms while isolated stays isolated");
  }

  @Test
  void badTermsNameTheirKey() {
    ConfigException unknown = assertThrows(ConfigException.class,
        () -> parse("drift.grid.partners { B { priority = 1, sned = on } }"));
    assertTrue(unknown.getMessage().contains("drift.grid.partners.B.sned"),
        unknown.getMessage());
    ConfigException noPriority = assertThrows(ConfigException.class,
        () -> parse("drift.grid.partners { B { send = on } }"));
    assertTrue(noPriority.getMessage().contains("drift.grid.partners.B.priority"),
        noPriority.getMessage());
    assertThrows(ConfigException.class,
        () -> parse("drift.grid.partners { B { priority = -1 } }"));
    assertThrows(ConfigException.class, () -> parse("drift.grid.partners { A { priority = 1 } }"));
    assertThrows(ConfigException.class, () -> parse("drift.grid.partners { B = 3 }"));
  }
}
