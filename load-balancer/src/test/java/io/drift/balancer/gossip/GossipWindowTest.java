package io.drift.balancer.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.balancer.LoadSample;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The balancer's window: ages not timestamps, freshest wins, W freshest sent, urgent news. */
class GossipWindowTest {

  static LoadSample sample(String node, long seq, int runnable, boolean accepting) {
    return new LoadSample(node, "exec-" + node, seq, 2, runnable, 0, seq, 1.0, 1L << 30,
        2L << 30, accepting, runnable, runnable);
  }

  static GossipWindow.Entry entry(String node, int age) {
    return new GossipWindow.Entry(node, sample(node, 1, 0, true), age, false);
  }

  static List<String> nodes(GossipWindow.Message m) {
    return m.entries().stream().map(GossipWindow.Entry::node).toList();
  }

  @Test
  void everythingHeldAgesByOneEachInterval() {
    GossipWindow w = new GossipWindow("self", 4, 10);
    w.merge(entry("a", 2));
    w.tick();
    w.tick();
    assertEquals(4, w.entries().get(0).age());
  }

  @Test
  void onlyFresherNewsReplacesWhatIsHeld() {
    GossipWindow w = new GossipWindow("self", 4, 10);
    assertTrue(w.merge(new GossipWindow.Entry("a", sample("a", 1, 5, true), 3, false)));
    assertFalse(w.merge(new GossipWindow.Entry("a", sample("x", 1, 9, true), 4, false)),
        "older");
    assertTrue(w.merge(new GossipWindow.Entry("a", sample("x", 1, 1, true), 1, false)),
        "younger");
    assertEquals(1, w.entries().get(0).sample().runnable());
    // of one incarnation, a later sample wins even if it travelled longer
    assertTrue(w.merge(new GossipWindow.Entry("a", sample("x", 2, 7, true), 3, false)));
    assertEquals(7, w.entries().get(0).sample().runnable());
    assertFalse(w.merge(entry("self", 0)), "a node does not hold itself");
  }

  @Test
  void aMessageCarriesTheOwnSampleAndTheWFreshest() {
    GossipWindow w = new GossipWindow("self", 2, 10);
    w.merge(entry("old", 7));
    w.merge(entry("new", 1));
    w.merge(entry("mid", 4));
    GossipWindow.Message m = w.message(sample("self", 3, 1, true));
    assertEquals("self", m.from());
    assertEquals(List.of("self", "new", "mid"), nodes(m));
    assertEquals(0, m.entries().get(0).age());
    assertEquals(List.of("new", "mid"), w.freshest().stream().map(GossipWindow.Entry::node)
        .toList());
  }

  @Test
  void aNodeNotHeardOfForTheMaximumAgeIsTakenForGone() {
    GossipWindow w = new GossipWindow("self", 4, 5);
    w.merge(entry("a", 3));
    w.merge(entry("b", 0));
    assertEquals(List.of(), w.tick());
    assertEquals(List.of(), w.tick());
    assertEquals(List.of("a"), w.tick(), "3 + 3 > 5");
    assertEquals(List.of("b"), w.entries().stream().map(GossipWindow.Entry::node).toList());
    assertFalse(w.merge(entry("c", 6)), "news older than the maximum is no news");
  }

  @Test
  void urgentNewsRidesAlongBeyondTheWindowForLog2NSends() {
    GossipWindow w = new GossipWindow("self", 1, 100);
    for (int i = 0; i < 7; i++) {
      w.merge(entry("n" + i, 1));
    }
    w.merge(new GossipWindow.Entry("blocked", sample("blocked", 1, 0, false), 5, false));
    // 9 nodes known with self: floor(1.386 * log2 9) = 4 sends
    for (int send = 0; send < 4; send++) {
      assertTrue(nodes(w.message(sample("self", 1, 0, true))).contains("blocked"), "send " + send);
    }
    assertFalse(nodes(w.message(sample("self", 1, 0, true))).contains("blocked"));
  }

  @Test
  void aNodeThatLeftIsDroppedAndTheNewsSpreads() {
    GossipWindow w = new GossipWindow("self", 1, 100);
    w.merge(entry("a", 1));
    w.merge(entry("b", 2));
    w.gone("b");
    assertEquals(List.of("a"), w.entries().stream().map(GossipWindow.Entry::node).toList());
    GossipWindow.Message m = w.message(sample("self", 1, 0, true));
    assertTrue(m.entries().stream().anyMatch(e -> e.node().equals("b") && e.gone()));
    GossipWindow other = new GossipWindow("other", 4, 100);
    other.merge(entry("b", 3));
    other.merge(m);
    assertTrue(other.entries().stream().noneMatch(e -> e.node().equals("b")),
        "the older news of b gives way");
    assertFalse(other.merge(entry("b", 2)), "and stays gone against older news");
    other.tick();
    assertTrue(other.merge(new GossipWindow.Entry("b", sample("b2", 1, 0, true), 0, false)),
        "until it comes back");
  }

  @Test
  void badSizesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new GossipWindow("s", 0, 5));
    assertThrows(IllegalArgumentException.class, () -> new GossipWindow("s", 2, 0));
  }
}
