package io.drift.balancer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which samples the load monitor writes again, and which it may skip for a second. */
class LoadMonitorTest {

  static LoadSample sample(long sequence, int runnable, double local, Map<String, Integer> byDc) {
    return new LoadSample("n:1", "pekko://drift@n:1/user/executor#1", sequence, 2, runnable, 0,
        7, 1.0, 1 << 20, 1 << 20, true, local, local, "default", byDc);
  }

  @Test
  void onlyTheSequenceDiffers() {
    assertTrue(LoadMonitor.sameLoad(sample(1, 0, 0.0, Map.of()), sample(9, 0, 0.0, Map.of())));
  }

  @Test
  void aSmoothedQueueThatHasAlmostSettledIsTheSame() {
    assertTrue(LoadMonitor.sameLoad(sample(1, 0, 0.004, Map.of()),
        sample(2, 0, 0.001, Map.of())));
    assertFalse(LoadMonitor.sameLoad(sample(1, 0, 0.5, Map.of()), sample(2, 0, 0.4, Map.of())),
        "a queue still decaying is news");
  }

  @Test
  void anyChangeOfWhatPlacementReadsIsNews() {
    LoadSample base = sample(1, 1, 1.0, Map.of());
    assertFalse(LoadMonitor.sameLoad(base, sample(2, 2, 1.0, Map.of())));
    assertFalse(LoadMonitor.sameLoad(base, sample(2, 1, 1.0, Map.of("b", 1))));
    assertFalse(LoadMonitor.sameLoad(base, new LoadSample("n:1", base.executorPath(), 2, 2, 1,
        0, 8, 1.0, 1 << 20, 1 << 20, true, 1.0, 1.0, "default", Map.of())), "one more admitted");
    assertFalse(LoadMonitor.sameLoad(base, new LoadSample("n:1", base.executorPath(), 2, 2, 1,
        0, 7, 1.0, 1 << 19, 1 << 20, true, 1.0, 1.0, "default", Map.of())), "less memory free");
    assertFalse(LoadMonitor.sameLoad(base, new LoadSample("n:1", base.executorPath(), 2, 2, 1,
        0, 7, 1.0, 1 << 20, 1 << 20, false, 1.0, 1.0, "default", Map.of())), "closed to guests");
  }
}
