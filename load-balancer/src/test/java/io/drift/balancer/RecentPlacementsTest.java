package io.drift.balancer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RecentPlacementsTest {

  static final long MEMORY = 5_000_000_000L;

  @Test
  void placementsCountUntilTheNodesAdmittedCounterShowsThem() {
    RecentPlacements r = new RecentPlacements(MEMORY);
    r.placed("b:1", 10, 0);
    r.placed("b:1", 10, 1);
    r.placed("b:1", 10, 2);
    assertEquals(3, r.unseen("b:1", 10, 3), "a stale sample shows none of them");
    assertEquals(0, r.unseen("c:1", 10, 3), "other nodes are untouched");
    assertEquals(1, r.unseen("b:1", 12, 4), "a sample with two more admissions shows two");
    assertEquals(0, r.unseen("b:1", 13, 5), "all three shown");
    assertEquals(0, r.unseen("b:1", 10, 6), "and forgotten: an older sample does not revive them");
  }

  @Test
  void aNewBurstCountsFromTheCounterItFinds() {
    RecentPlacements r = new RecentPlacements(MEMORY);
    r.placed("b:1", 10, 0);
    assertEquals(0, r.unseen("b:1", 11, 1));
    r.placed("b:1", 11, 2);
    assertEquals(1, r.unseen("b:1", 11, 3));
    assertEquals(0, r.unseen("b:1", 12, 4));
  }

  @Test
  void placementsThatNeverShowAreForgottenAfterTheMemory() {
    RecentPlacements r = new RecentPlacements(MEMORY);
    r.placed("b:1", 10, 0);
    r.placed("b:1", 10, 1_000_000_000L);
    assertEquals(2, r.unseen("b:1", 10, 1_000_000_000L + MEMORY), "the memory runs from the last");
    assertEquals(0, r.unseen("b:1", 10, 1_000_000_001L + MEMORY));
    assertEquals(0, r.unseen("b:1", 10, 1_000_000_002L + MEMORY));
  }
}
