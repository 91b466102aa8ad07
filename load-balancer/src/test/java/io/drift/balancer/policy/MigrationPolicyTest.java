package io.drift.balancer.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * Each rule of the migration policy, with a case that turns on it: remove the rule and its test
 * fails. The random source is injected (a constant one draws the first peers of the window in
 * order), and so is the clock, as residency and ages.
 */
class MigrationPolicyTest {

  static final long GIB = 1L << 30;
  static final PolicyConfig CFG = PolicyConfig.defaults();
  /** Draws index 0 every time: the subset is the window's first peers, in order. */
  static final RandomGenerator FIRST = () -> 0L;

  static UnitView unit(String id, double cpu) {
    return new UnitView(id, cpu, 1 << 20, 64L << 20, 60, false, false);
  }

  /** A node of speed 1 and 2 slots; {@code units} are the movable ones of its run queue. */
  static LocalView node(double runQueue, List<UnitView> units) {
    return new LocalView("here", 1.0, 2, runQueue, Math.max(units.size(), (int) runQueue),
        6 * GIB, 8 * GIB, units);
  }

  static PeerView peer(String name, double speed, double runQueue) {
    return new PeerView(name, speed, 2, runQueue, 6 * GIB, 8 * GIB, true, 1);
  }

  static List<UnitView> busy(int n) {
    List<UnitView> us = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      us.add(unit("u" + i, 10 + i));
    }
    return us;
  }

  @Test
  void anOverloadedNodeMovesItsOldestUnitToAnIdlePeer() {
    MigrationDecision d = MigrationPolicy.decide(node(6, busy(6)), List.of(peer("idle", 1, 0)),
        CFG, FIRST);
    assertTrue(d.moves(), d.reason());
    assertEquals("u5", d.unit(), "the largest expected gain: the most CPU so far");
    assertEquals("idle", d.target());
    assertEquals("load", d.kind());
  }

  @Test
  void theTargetMustStayAboutOneAndAThirdUnitsBelow() {
    // here 4 units on 2 slots of speed 1: one leaving takes 3.5 s per unit of work off (its
    // 2 and its neighbours' waiting); there 2 units, counted as 3.3, one more adds 2.8: allowed
    assertTrue(MigrationPolicy.decide(node(4, busy(4)), List.of(peer("p", 1, 2)), CFG, FIRST)
        .moves());
    // there 2.8, counted as 4.1: one more adds 3.6, more than here gains, though the unit alone
    // would still go a little faster there (3.8 units on 2 slots against 4)
    assertFalse(MigrationPolicy.decide(node(4, busy(4)), List.of(peer("p", 1, 2.8)), CFG, FIRST)
        .moves());
    // equal nodes with equal load never trade
    assertFalse(MigrationPolicy.decide(node(4, busy(4)), List.of(peer("p", 1, 4)), CFG, FIRST)
        .moves());
  }

  @Test
  void aFreeSlotOnAFasterNodeIsWorthMovingTo() {
    // one unit alone on a slot of speed 1; a peer of speed 4 with one slot free
    MigrationDecision d = MigrationPolicy.decide(node(1, busy(1)), List.of(peer("fast", 4, 1)),
        CFG, FIRST);
    assertTrue(d.moves(), d.reason());
    // but not to a node of the same speed with a free slot: nothing to gain
    assertFalse(MigrationPolicy.decide(node(1, busy(1)), List.of(peer("same", 1, 0)), CFG, FIRST)
        .moves());
  }

  @Test
  void aMoveMustPayForItself() {
    // a 1 GiB state at 200 MiB/s costs 5 s; six units on two slots of speed 1 take 5.5 s per
    // unit of work off when one leaves, a free slot adds 1: a unit that has done 0.5 s of work
    // is expected to save 0.5 x 4.5 = 2.25 s, for itself and its neighbours, less than that
    UnitView big = new UnitView("big", 0.5, GIB, 64L << 20, 60, false, false);
    MigrationDecision d = MigrationPolicy.decide(node(6, List.of(big)), List.of(peer("idle", 1, 0)),
        CFG, FIRST);
    assertFalse(d.moves(), d.reason());
    assertTrue(d.reason().contains("moving costs"), d.reason());
    // the same unit after 200 s of CPU is worth it
    UnitView old = new UnitView("big", 200, GIB, 64L << 20, 60, false, false);
    assertTrue(MigrationPolicy.decide(node(6, List.of(old)), List.of(peer("idle", 1, 0)), CFG,
        FIRST).moves());
  }

  @Test
  void aUnitThatJustArrivedStays() {
    UnitView fresh = new UnitView("fresh", 50, 1 << 20, 64L << 20, 1.0, false, false);
    MigrationDecision d = MigrationPolicy.decide(node(6, List.of(fresh)),
        List.of(peer("idle", 1, 0)), CFG, FIRST);
    assertFalse(d.moves(), d.reason());
    assertTrue(d.reason().contains("minimum residency"), d.reason());
    assertTrue(MigrationPolicy.decide(node(6, List.of(fresh)), List.of(peer("idle", 1, 0)),
        CFG.withMinResidencySeconds(0.5), FIRST).moves());
  }

  @Test
  void aPinnedUnitNeverMoves() {
    UnitView pinned = new UnitView("pinned", 500, 1 << 20, 64L << 20, 60, true, false);
    MigrationDecision d = MigrationPolicy.decide(node(6, List.of(pinned)),
        List.of(peer("idle", 4, 0)), CFG, FIRST);
    assertFalse(d.moves(), d.reason());
    assertTrue(d.reason().contains("pinned"), d.reason());
  }

  @Test
  void guestsLeaveBeforeLocalWork() {
    UnitView local = new UnitView("local", 100, 1 << 20, 64L << 20, 60, false, false);
    UnitView guest = new UnitView("guest", 10, 1 << 20, 64L << 20, 60, false, true);
    MigrationDecision d = MigrationPolicy.decide(node(6, List.of(local, guest)),
        List.of(peer("idle", 1, 0)), CFG, FIRST);
    assertEquals("guest", d.unit(), "though the local unit would gain more: " + d.reason());
  }

  @Test
  void amongAllowedTargetsTheLeastOpportunityCostWins() {
    // both allowed; a free slot at speed 2 costs 0.5, sharing the full speed-4 node 0.625
    List<PeerView> window = List.of(peer("full4", 4, 2), peer("free2", 2, 1));
    MigrationDecision d = MigrationPolicy.decide(node(6, busy(6)), window,
        CFG.withSubsetSize(2), FIRST);
    assertEquals("free2", d.target(), d.reason());
  }

  @Test
  void eachDecisionLooksAtARandomSubsetOfTheWindow() {
    List<PeerView> window = List.of(peer("busy", 1, 8), peer("idle", 1, 0));
    PolicyConfig one = CFG.withSubsetSize(1);
    assertFalse(MigrationPolicy.decide(node(6, busy(6)), window, one, FIRST).moves(),
        "the draw saw only the busy peer");
    RandomGenerator second = () -> -1L; // draws the last index
    assertEquals("idle", MigrationPolicy.decide(node(6, busy(6)), window, one, second).target());
  }

  @Test
  void oldNewsAndPeersThatTakeNoGuestsAreNotUsed() {
    PeerView old = new PeerView("old", 1, 2, 0, 6 * GIB, 8 * GIB, true,
        CFG.maxAgeIntervals() + 1);
    PeerView blocked = new PeerView("blocked", 1, 2, 0, 6 * GIB, 8 * GIB, false, 1);
    assertFalse(MigrationPolicy.decide(node(6, busy(6)), List.of(old, blocked),
        CFG.withSubsetSize(2), FIRST).moves());
    assertTrue(MigrationPolicy.decide(node(6, busy(6)), List.of(old, peer("fresh", 1, 0)),
        CFG.withSubsetSize(2), FIRST).moves());
  }

  @Test
  void memoryUsheringComesFirstAndTakesTheSmallestUnitThatRelievesIt() {
    // 8 GiB, 0.5 GiB free: below the 10% reserve by about 0.3 GiB; load alone would not move
    List<UnitView> units = List.of(
        new UnitView("small", 100, 1 << 20, 100L << 20, 60, false, false),
        new UnitView("enough", 1, 1 << 20, 400L << 20, 0.1, false, false),
        new UnitView("huge", 1, 1 << 20, 3 * GIB, 60, false, false));
    LocalView short_ = new LocalView("here", 1.0, 2, 3, 3, GIB / 2, 8 * GIB, units);
    MigrationDecision d = MigrationPolicy.decide(short_, List.of(peer("roomy", 1, 6)), CFG, FIRST);
    assertEquals("memory", d.kind(), d.reason());
    assertEquals("enough", d.unit(), "the smallest that relieves the shortage; residency waived");
    assertEquals("roomy", d.target());
  }

  @Test
  void memoryUsheringNeverPicksATargetThatCannotHoldTheUnit() {
    List<UnitView> units = List.of(new UnitView("u", 1, 1 << 20, 2 * GIB, 60, false, false));
    LocalView short_ = new LocalView("here", 1.0, 2, 1, 1, GIB / 2, 8 * GIB, units);
    PeerView tight = new PeerView("tight", 4, 2, 0, 2 * GIB, 8 * GIB, true, 1);
    MigrationDecision d = MigrationPolicy.decide(short_, List.of(tight), CFG, FIRST);
    assertFalse(d.moves(), "2 GiB free less 2 GiB leaves no reserve: " + d.reason());
    PeerView roomy = new PeerView("roomy", 1, 2, 5, 4 * GIB, 8 * GIB, true, 1);
    assertEquals("roomy", MigrationPolicy.decide(short_, List.of(tight, roomy), CFG, FIRST)
        .target());
  }

  @Test
  void loadMovesAlsoRespectTheTargetsMemory() {
    PeerView full = new PeerView("full", 1, 2, 0, 100L << 20, 8 * GIB, true, 1);
    MigrationDecision d = MigrationPolicy.decide(node(6, busy(6)), List.of(full), CFG, FIRST);
    assertFalse(d.moves(), d.reason());
  }

  @Test
  void theTargetReservesOrRefusesOnItsTrueState() {
    // an idle 2-slot node takes two transfers at once, not a third
    assertTrue(Admission.admitsMove(1, 1, 1, 2, 6 * GIB, 8 * GIB, 64L << 20, false, 6, 1, 2,
        CFG));
    assertFalse(Admission.admitsMove(2, 2, 1, 2, 6 * GIB, 8 * GIB, 64L << 20, false, 6, 1, 2,
        CFG));
    // a node that filled up since the sender looked refuses a load move
    assertFalse(Admission.admitsMove(6, 0, 1, 2, 6 * GIB, 8 * GIB, 64L << 20, false, 6, 1, 2,
        CFG));
    // but memory ushering only needs room
    assertTrue(Admission.admitsMove(6, 0, 1, 2, 6 * GIB, 8 * GIB, 64L << 20, true, 6, 1, 2, CFG));
    assertFalse(Admission.admitsMove(0, 0, 1, 2, GIB, 8 * GIB, 512L << 20, true, 6, 1, 2, CFG));
    // a new job: refused when the node is busier than the home believed
    assertTrue(Admission.admitsPlacement(1, 1, 6 * GIB, 8 * GIB, 64L << 20, CFG));
    assertTrue(Admission.admitsPlacement(0, 1, 6 * GIB, 8 * GIB, 64L << 20, CFG));
    assertFalse(Admission.admitsPlacement(2, 1, 6 * GIB, 8 * GIB, 64L << 20, CFG));
    assertFalse(Admission.admitsPlacement(1, 1, GIB, 8 * GIB, 512L << 20, CFG),
        "nor what it cannot hold");
  }

  @Test
  void loadTestOnOneSlotNodesIsMosixsOwn() {
    for (double speed : new double[] {1, 2, 4}) {
      for (int here = 1; here <= 8; here++) {
        for (int there = 0; there <= 8; there++) {
          assertEquals(MosixRule.loadAllows(here / speed, there / speed, 1 / speed),
              MosixRule.allowsMove(here, speed, 1, there, speed, 1, MosixRule.MARGIN_UNITS),
              here + " vs " + there + " at speed " + speed);
        }
      }
    }
  }

  @Test
  void aMoveTheRuleAllowsIsNeverAllowedBack() {
    double[] speeds = {1, 2, 4};
    int[] slots = {1, 2, 4};
    int allowed = 0;
    for (double here = 1; here <= 12; here += 0.5) {
      for (double there = 0; there <= 12; there += 0.5) {
        for (double a : speeds) {
          for (double b : speeds) {
            for (int c : slots) {
              if (MosixRule.allowsMove(here, a, c, there, b, 2, 1.3)) {
                allowed++;
                assertFalse(MosixRule.allowsMove(there + 1, b, 2, here - 1, a, c, 1.3),
                    here + " -> " + there + ", speeds " + a + " -> " + b + ", slots " + c);
              }
            }
          }
        }
      }
    }
    assertTrue(allowed > 1000, "the rule allows moves at all: " + allowed);
  }

  @Test
  void aSharedFastNodeSendsAUnitToAFreeSlowerSlotWhenItsNeighboursGainMore() {
    // three units on the two slots of a node of speed 4; a peer of speed 2 with both slots free
    LocalView fast = new LocalView("here", 4.0, 2, 3, 3, 6 * GIB, 8 * GIB, busy(3));
    MigrationDecision d = MigrationPolicy.decide(fast, List.of(peer("slower", 2, 0)), CFG,
        FIRST);
    assertTrue(d.moves(), d.reason());
    assertEquals("slower", d.target());
    // with two units nobody waits: the slower slot would only cost
    LocalView full = new LocalView("here", 4.0, 2, 2, 2, 6 * GIB, 8 * GIB, busy(2));
    assertFalse(MigrationPolicy.decide(full, List.of(peer("slower", 2, 0)), CFG, FIRST).moves());
  }
}
