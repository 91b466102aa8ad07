package io.drift.balancer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.drift.api.JobId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The slots a home's proxies take without asking the balancer (decision 0036). */
class HomeStartsTest {

  private final TestLoad node = new TestLoad();
  private final HomeStarts starts = new HomeStarts(node, "home:1", "pekko://x/user/executor", 3);

  @Test
  void noSlotIsTakenBeforeTheBalancerOpensIt() {
    assertNull(starts.tryTake(JobId.of("a")), "taken before the node was known to be Up");
    starts.open(true);
    assertNotNull(starts.tryTake(JobId.of("a")));
    starts.open(false);
    assertNull(starts.tryTake(JobId.of("b")), "taken after the node left Up");
  }

  @Test
  void slotsTakenAndNotAnsweredCountWithTheRunQueue() {
    starts.open(true);
    node.runnable = 1;
    HomeStarts.Taken first = starts.tryTake(JobId.of("a"));
    assertEquals(1, first.believedRunQueue(), "the run queue the executor should have");
    assertEquals(1, starts.outstanding());
    assertNull(starts.tryTake(JobId.of("b")), "two slots: one running, one taken");
    // the executor admits the first, then its proxy hears so: counted twice meanwhile
    node.runnable = 2;
    assertNull(starts.tryTake(JobId.of("b")));
    starts.answered();
    assertEquals(0, starts.outstanding());
    assertNull(starts.tryTake(JobId.of("b")), "both slots run units");
    node.runnable = 1; // one ended
    assertEquals(1, starts.tryTake(JobId.of("b")).believedRunQueue());
  }

  @Test
  void aDrainingNodeTakesNothing() {
    starts.open(true);
    node.draining = true;
    assertNull(starts.tryTake(JobId.of("a")));
    assertEquals(0, starts.outstanding());
  }

  @Test
  void placementsReachTheLogOldestFirstAndNoMoreThanItKeeps() {
    starts.open(true);
    node.slots = 10;
    for (String id : List.of("a", "b", "c", "d")) {
      assertNotNull(starts.tryTake(JobId.of(id)));
    }
    List<Decision> log = new ArrayList<>();
    starts.drainTo(log::add);
    assertEquals(List.of("b", "c", "d"), log.stream().map(Decision::unit).toList(),
        "keeps the last three, oldest first");
    assertEquals("place", log.get(0).kind());
    assertEquals("home:1", log.get(0).target());
    assertEquals("a free slot at home (1 of 10 taken), taken without asking the balancer",
        log.get(0).reason());
    log.clear();
    starts.drainTo(log::add);
    assertEquals(List.of(), log, "each placement is logged once");
    assertNotNull(starts.tryTake(JobId.of("e")));
    starts.drainTo(log::add);
    assertEquals(List.of("e"), log.stream().map(Decision::unit).toList());
  }
}
