package io.drift.migration.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.drift.api.JobId;
import io.drift.api.OutputLine;
import io.drift.api.Step;
import io.drift.api.WorkContext;
import io.drift.api.WorkUnit;
import io.drift.api.units.BurnCpu;
import io.drift.api.units.MonteCarloPi;
import io.drift.api.units.PrimeCount;
import io.drift.api.units.PrintLines;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StateCodecTest {

  private static final ClassLoader LOADER = StateCodecTest.class.getClassLoader();
  private static final long PI_SEED = 0x5EED_2024L;
  private static final long PI_SAMPLES = 1_000_003L; // 5 full steps of 200,000 and a short one

  private final StateCodec codec = new StateCodec();

  // ---------------------------------------------------------------- checkpoint mid-run

  /** What a run produced; equal runs are indistinguishable to the job's owner. */
  record Run(Object result, List<String> out, List<Double> progress, int steps, int checkpoints) {
    /** Same result (bit for bit), output and progress; checkpoints may differ. */
    void assertSameOutcomeAs(Run reference, String what) {
      if (reference.result instanceof Double r && result instanceof Double c) {
        assertEquals(Double.doubleToRawLongBits(r), Double.doubleToRawLongBits(c),
            what + ": " + r + " vs " + c);
      }
      assertEquals(reference.result, result, what);
      assertEquals(reference.out, out, what);
      assertEquals(reference.progress, progress, what);
      assertEquals(reference.steps, steps, what);
    }
  }

  /**
   * Runs a unit to its end. After {@code k} steps, for every k that {@code checkpointAfter}
   * accepts (0 = before the first step), encodes the unit, decodes it and goes on with the copy:
   * what a migration does.
   */
  private Run run(WorkUnit<?> unit, IntPredicate checkpointAfter) throws Exception {
    Driver d = new Driver();
    WorkUnit<?> current = unit;
    int checkpoints = 0;
    for (int k = 0; k < 100_000; k++) {
      if (checkpointAfter.test(k)) {
        current = roundTrip(current);
        checkpoints++;
      }
      if (d.step(current) instanceof Step.Done<?> done) {
        return new Run(done.result(), d.out, d.progress, d.steps, checkpoints);
      }
    }
    return fail(unit.getClass().getSimpleName() + " did not finish in 100,000 steps");
  }

  private WorkUnit<?> roundTrip(WorkUnit<?> unit) throws Exception {
    Payload p = codec.encode(unit);
    assertEquals(unit.getClass().getName(), p.className());
    Object back = codec.decode(p, LOADER);
    assertNotSame(unit, back);
    assertInstanceOf(unit.getClass(), back);
    // the copy holds exactly the saved state, no more, no less
    Payload again = codec.encode(back);
    assertEquals(p, again, () -> codec.toJson(p) + " came back as " + codec.toJson(again));
    return (WorkUnit<?>) back;
  }

  @ParameterizedTest(name = "checkpoint after {0} steps")
  @ValueSource(ints = {0, 1, 7, 25, 49})
  void primeCountMovedMidRunGivesTheSameCount(int k) throws Exception {
    Run reference = run(new PrimeCount(0, 100_000), i -> false);
    assertEquals(9592L, reference.result()); // pi(10^5)
    assertTrue(reference.steps() > k, "no step after step " + k + ", steps: " + reference.steps());

    Run moved = run(new PrimeCount(0, 100_000), i -> i == k);
    assertEquals(1, moved.checkpoints());
    moved.assertSameOutcomeAs(reference, "PrimeCount checkpointed after " + k + " steps");
  }

  @Test
  void aClassKeptFromDriftsLoaderIsNotLentToAnotherLoader() throws Exception {
    StateCodec codec = new StateCodec();
    Payload p = codec.encode(new BurnCpu(5));
    assertInstanceOf(BurnCpu.class, codec.decode(p, BurnCpu.class.getClassLoader()));
    // a job's loader that cannot see the class must not be handed the one kept by name
    try (java.net.URLClassLoader blind = new java.net.URLClassLoader(new java.net.URL[0],
        ClassLoader.getPlatformClassLoader())) {
      assertThrows(ClassNotFoundException.class, () -> codec.decode(p, blind));
    }
    assertInstanceOf(BurnCpu.class, codec.decode(p, BurnCpu.class.getClassLoader()));
  }

  @Test
  void primeCountMovedAfterEveryStepGivesTheSameCount() throws Exception {
    Run reference = run(new PrimeCount(0, 100_000), i -> false);
    Run moved = run(new PrimeCount(0, 100_000), i -> true);
    assertEquals(reference.steps(), moved.checkpoints());
    moved.assertSameOutcomeAs(reference, "PrimeCount checkpointed after every step");
    assertEquals(9592L, moved.result());
  }

  @ParameterizedTest(name = "checkpoint after {0} steps")
  @ValueSource(ints = {0, 1, 3, 5})
  void monteCarloPiMovedMidRunGivesTheIdenticalEstimate(int k) throws Exception {
    Run reference = run(new MonteCarloPi(PI_SEED, PI_SAMPLES), i -> false);
    assertTrue(reference.steps() > k, "no step after step " + k + ", steps: " + reference.steps());
    Run moved = run(new MonteCarloPi(PI_SEED, PI_SAMPLES), i -> i == k);
    assertEquals(1, moved.checkpoints());
    moved.assertSameOutcomeAs(reference, "seed " + PI_SEED + ", checkpoint after " + k + " steps");
  }

  @Test
  void monteCarloPiMovedAfterEveryStepGivesTheIdenticalEstimate() throws Exception {
    Run reference = run(new MonteCarloPi(PI_SEED, PI_SAMPLES), i -> false);
    Run moved = run(new MonteCarloPi(PI_SEED, PI_SAMPLES), i -> true);
    assertEquals(reference.steps(), moved.checkpoints());
    moved.assertSameOutcomeAs(reference, "seed " + PI_SEED + ", checkpoint after every step");
    assertEquals(Math.PI, (Double) moved.result(), 0.01, "seed " + PI_SEED);
  }

  @ParameterizedTest(name = "checkpoint after {0} steps")
  @ValueSource(ints = {0, 1, 2})
  void printLinesMovedMidRunWritesEachLineOnce(int k) throws Exception {
    Run reference = run(new PrintLines(250), i -> false);
    assertEquals(250, reference.out().size());
    Run moved = run(new PrintLines(250), i -> i == k);
    assertEquals(1, moved.checkpoints());
    moved.assertSameOutcomeAs(reference, "PrintLines checkpointed after " + k + " steps");
  }

  @Test
  void printLinesMovedAfterEveryStepWritesEachLineOnce() throws Exception {
    Run reference = run(new PrintLines(250), i -> false);
    Run moved = run(new PrintLines(250), i -> true);
    moved.assertSameOutcomeAs(reference, "PrintLines checkpointed after every step");
  }

  @Test
  void burnCpuMovedAfterEveryStepKeepsWhatItBurned() throws Exception {
    // CPU time varies run to run, so compare with the promise instead of a reference run
    Run moved = run(new BurnCpu(30), i -> true);
    assertTrue(moved.checkpoints() >= 2, "checkpoints: " + moved.checkpoints());
    assertTrue((Long) moved.result() >= 30, "burned " + moved.result() + " ms");
    // burned time survives each move: progress never falls back
    double prev = 0;
    for (double p : moved.progress()) {
      assertTrue(p >= prev, "progress fell from " + prev + " to " + p + ": " + moved.progress());
      prev = p;
    }
    assertEquals(1.0, prev);
  }

  // ---------------------------------------------------------------- units that cannot move

  static final class HoldsALock implements WorkUnit<Long> {
    private final Object lock = new Object();
    private long n;

    @Override
    public Step<Long> step(WorkContext ctx) {
      synchronized (lock) {
        return Step.done(++n);
      }
    }
  }

  static final class HoldsAThread implements WorkUnit<Long> {
    private final Thread helper = new Thread(() -> { });

    @Override
    public Step<Long> step(WorkContext ctx) {
      return Step.done(helper.getId());
    }
  }

  /** No no-argument constructor, and the constructor's parameter matches no field. */
  static final class NoCreator implements WorkUnit<Long> {
    private long limit;

    NoCreator(long n) {
      this.limit = n;
    }

    @Override
    public Step<Long> step(WorkContext ctx) {
      return Step.done(limit);
    }
  }

  @Test
  void aFieldWithoutStateIsRefusedNamingTheUnit() {
    StateCodecException e =
        assertThrows(StateCodecException.class, () -> codec.encode(new HoldsALock()));
    assertTrue(e.getMessage().startsWith("cannot encode " + HoldsALock.class.getName()),
        e.getMessage());
    e = assertThrows(StateCodecException.class,
        () -> codec.encodeChecked(new HoldsALock(), LOADER));
    assertTrue(e.getMessage().contains(HoldsALock.class.getName()), e.getMessage());
  }

  @Test
  void aThreadFieldIsRefusedAtTheCheckNamingTheUnit() {
    StateCodecException e = assertThrows(StateCodecException.class,
        () -> codec.encodeChecked(new HoldsAThread(), LOADER));
    assertTrue(e.getMessage().contains(HoldsAThread.class.getName()), e.getMessage());
  }

  @Test
  void aUnitThatEncodesButCannotBeRebuiltIsRefusedByTheCheck() throws Exception {
    Payload p = codec.encode(new NoCreator(5)); // encoding alone does not notice
    StateCodecException e =
        assertThrows(StateCodecException.class, () -> codec.decode(p, LOADER));
    assertTrue(e.getMessage().startsWith("cannot decode " + NoCreator.class.getName()),
        e.getMessage());
    e = assertThrows(StateCodecException.class,
        () -> codec.encodeChecked(new NoCreator(5), LOADER));
    assertTrue(e.getMessage().startsWith("cannot decode " + NoCreator.class.getName()),
        e.getMessage());
  }

  /** Decodes through its constructor, which scales the field it sets: state drifts per move. */
  static final class Scaled implements WorkUnit<Long> {
    private long total;

    public Scaled(long total) {
      this.total = total * 1000;
    }

    @Override
    public Step<Long> step(WorkContext ctx) {
      return Step.done(total);
    }
  }

  @Test
  void aUnitWhoseStateChangesWhenDecodedIsRefusedByTheCheck() throws Exception {
    Payload p = codec.encode(new Scaled(5));
    Scaled copy = (Scaled) codec.decode(p, LOADER);
    assertEquals(5_000_000L, copy.total, "the plain decode silently changes the state");
    StateCodecException e = assertThrows(StateCodecException.class,
        () -> codec.encodeChecked(new Scaled(5), LOADER));
    assertTrue(e.getMessage().contains("changes when decoded"), e.getMessage());
    assertTrue(e.getMessage().contains(Scaled.class.getName()), e.getMessage());
  }

  @Test
  void aLambdaUnitIsRefusedByTheCheck() {
    // WorkUnit is a functional interface, so this compiles; but a lambda's class cannot be found
    // by name on another node
    WorkUnit<Long> lambda = ctx -> Step.done(1L);
    StateCodecException e =
        assertThrows(StateCodecException.class, () -> codec.encodeChecked(lambda, LOADER));
    assertTrue(e.getMessage().contains("cannot decode " + StateCodecTest.class.getName()),
        e.getMessage());
  }

  // ---------------------------------------------------------------- values

  record Point(long x, String label, List<Integer> xs) {}

  record Rich(JobId job, OutputLine line, Optional<String> note, Instant at, Duration took,
      Map<String, Point> points) {}

  abstract static class Base {
    protected long done;
    private String tag = "base";
  }

  /** State in a superclass, a private field and a getter that must not be called. */
  static final class Derived extends Base implements WorkUnit<Long> {
    private long extra;

    public long getBoom() {
      throw new IllegalStateException("a getter was called");
    }

    @Override
    public Step<Long> step(WorkContext ctx) {
      done++;
      extra += 10;
      return Step.more();
    }
  }

  @Test
  void nullRoundTripsAsTheNullPayload() throws Exception {
    assertSame(Payload.NULL, codec.encode(null));
    assertEquals(Payload.NULL, codec.encodeChecked(null, LOADER));
    assertNull(codec.decode(Payload.NULL, LOADER));
    assertEquals("null", codec.toJson(Payload.NULL));
  }

  @Test
  void plainValuesRoundTripWithTheirClass() throws Exception {
    List<Object> values = List.of(42L, Long.MIN_VALUE, 7, "héllo ✓ 𝄞", "", true, 3.25,
        new Point(3, "abc", List.of(1, 2)), JobId.of("job-1"),
        new OutputLine(9, OutputLine.Stream.ERR, "oops"));
    for (Object v : values) {
      Payload p = codec.encodeChecked(v, LOADER);
      assertEquals(v.getClass().getName(), p.className(), v.toString());
      Object back = codec.decode(p, LOADER);
      assertEquals(v, back);
      assertEquals(v.getClass(), back.getClass());
    }
  }

  @Test
  void doublesRoundTripBitForBit() throws Exception {
    for (double v : new double[] {-0.0, Double.NaN, Double.MIN_VALUE, Math.PI, Math.nextUp(1.0),
        Double.NEGATIVE_INFINITY}) {
      Double back = (Double) codec.decode(codec.encode(v), LOADER);
      assertEquals(Double.doubleToRawLongBits(v), Double.doubleToRawLongBits(back), "" + v);
    }
  }

  @Test
  void recordsWithOptionalTimeAndNestedValuesRoundTrip() throws Exception {
    Rich r = new Rich(JobId.of("j"), new OutputLine(1, OutputLine.Stream.OUT, "hi"),
        Optional.of("note"), Instant.ofEpochSecond(1_700_000_000L, 123_456_789),
        Duration.ofMillis(1500), Map.of("p", new Point(-1, null, List.of())));
    assertEquals(r, codec.decode(codec.encodeChecked(r, LOADER), LOADER));
    Rich empty = new Rich(JobId.of("j"), null, Optional.empty(), null, null, Map.of());
    assertEquals(empty, codec.decode(codec.encodeChecked(empty, LOADER), LOADER));
  }

  @Test
  void allFieldsAreStateGettersAreNot() throws Exception {
    Derived d = new Derived();
    d.step(new Driver());
    d.step(new Driver());
    Payload p = codec.encodeChecked(d, LOADER); // would throw if getBoom() were called
    Derived back = (Derived) codec.decode(p, LOADER);
    assertEquals(2, back.done);
    assertEquals(20, back.extra);
    assertEquals("base", ((Base) back).tag);
    assertFalse(codec.toJson(p).contains("boom"), codec.toJson(p));
  }

  @Test
  void decodingAnUnknownClassSaysClassNotFound() throws Exception {
    Payload p = new Payload("com.example.Missing", codec.encode(new Point(1, "a", List.of())).bytes());
    assertThrows(ClassNotFoundException.class, () -> codec.decode(p, LOADER));
  }

  record Wide(long a, long b) {}

  record Narrow(long a) {}

  @Test
  void aCheckpointWithAFieldTheClassLacksIsRefused() throws Exception {
    Payload wide = codec.encode(new Wide(1, 2));
    StateCodecException e = assertThrows(StateCodecException.class,
        () -> codec.decode(new Payload(Narrow.class.getName(), wide.bytes()), LOADER));
    assertTrue(e.getMessage().startsWith("cannot decode " + Narrow.class.getName()),
        e.getMessage());
  }

  @Test
  void bytesOfAnotherShapeAreRefused() throws Exception {
    Payload text = codec.encode("not a number");
    StateCodecException e = assertThrows(StateCodecException.class,
        () -> codec.decode(new Payload(Long.class.getName(), text.bytes()), LOADER));
    assertTrue(e.getMessage().startsWith("cannot decode java.lang.Long"), e.getMessage());
  }

  // ---------------------------------------------------------------- JSON for people

  @Test
  void toJsonShowsTheFieldValues() throws Exception {
    ObjectMapper json = new ObjectMapper();
    assertEquals(json.readTree("{\"x\":3,\"label\":\"abc\",\"xs\":[1,2]}"),
        json.readTree(codec.toJson(codec.encode(new Point(3, "abc", List.of(1, 2))))));
    // a unit's fields, private ones included
    assertEquals(json.readTree("{\"from\":0,\"to\":10,\"next\":0,\"count\":0}"),
        json.readTree(codec.toJson(codec.encode(new PrimeCount(0, 10)))));
    assertEquals("9592", codec.toJson(codec.encode(9592L)));
  }

  @Test
  void toJsonNeverFailsOnGarbageAndAlwaysGivesJson() throws Exception {
    ObjectMapper json = new ObjectMapper();
    List<byte[]> inputs = new ArrayList<>();
    HexFormat hex = HexFormat.of();
    for (String h : new String[] {"ff", "1c", "5bffffffffffffffff", "9bffffffffffffffff",
        "bbffffffffffffffff", "c4823b7fffffffffffffff01", "81".repeat(5000), "9f".repeat(5000),
        "a1".repeat(3000) + "00"}) {
      inputs.add(hex.parseHex(h));
    }
    long seed = 1234567L;
    Random random = new Random(seed);
    for (int i = 0; i < 5000; i++) {
      byte[] b = new byte[1 + random.nextInt(64)];
      random.nextBytes(b);
      inputs.add(b);
    }
    for (byte[] b : inputs) {
      String out;
      try {
        out = codec.toJson(new Payload("x.Garbage", b));
      } catch (RuntimeException | Error e) {
        throw new AssertionError("seed " + seed + ", bytes " + hex.formatHex(b), e);
      }
      assertFalse(out.isEmpty(), "seed " + seed + ", bytes " + hex.formatHex(b));
      json.readTree(out); // throws if it is not JSON text
    }
  }

  @Test
  void toJsonOfBytesThatAreNotCborNamesTheClassAndSize() {
    assertEquals("\"<1 bytes of x.Garbage>\"",
        codec.toJson(new Payload("x.Garbage", new byte[] {(byte) 0xff})));
  }

  /** State with byte arrays big and small, at the top and nested. */
  static final class Buffers {
    private byte[] big;
    private byte[] small;
    private byte[] none;
    private List<byte[]> more;
    private Map<String, byte[]> named;

    private Buffers() {}

    Buffers(int seed) {
      Random r = new Random(seed);
      big = new byte[300_000];
      r.nextBytes(big);
      small = new byte[100];
      r.nextBytes(small);
      byte[] another = new byte[70_000];
      r.nextBytes(another);
      more = new ArrayList<>(List.of(another, new byte[3]));
      named = Map.of("x", big.clone());
    }
  }

  @Test
  void largeByteArraysTravelBesideTheDocumentAndComeBackTheSame() throws Exception {
    Buffers b = new Buffers(7);
    StateCodec.Split split = codec.split(b);
    assertEquals(3, split.arrays().size(), "the three arrays of 64 KiB and more, no others");
    assertTrue(split.document().length < 1_000, "the document holds only references to them: "
        + split.document().length);
    assertSame(b.big, split.arrays().get(0), "raw: the unit's own array, no copy");

    Buffers back = (Buffers) codec.join(Buffers.class.getName(), split, getClass().getClassLoader());
    assertEquals(HexFormat.of().formatHex(b.big), HexFormat.of().formatHex(back.big));
    assertEquals(HexFormat.of().formatHex(b.small), HexFormat.of().formatHex(back.small));
    assertNull(back.none);
    assertEquals(HexFormat.of().formatHex(b.more.get(0)), HexFormat.of().formatHex(back.more.get(0)));
    assertEquals(3, back.more.get(1).length);
    assertEquals(HexFormat.of().formatHex(b.named.get("x")),
        HexFormat.of().formatHex(back.named.get("x")));

    // everywhere else (chunks, disk, submissions) the encoding is plain CBOR, as before
    Payload plain = codec.encode(b);
    assertTrue(plain.size() > 600_000, "plain CBOR carries the arrays inline");
    Buffers viaPlain = (Buffers) codec.decode(plain, getClass().getClassLoader());
    assertEquals(HexFormat.of().formatHex(b.big), HexFormat.of().formatHex(viaPlain.big));
    StateCodecException e = assertThrows(StateCodecException.class, () -> codec.decode(
        new Payload(Buffers.class.getName(), split.document()), getClass().getClassLoader()));
    assertTrue(e.getMessage().contains("out-of-band"), e.getMessage());
  }

  /** Numeric state: large and small arrays of every primitive type that travels raw. */
  static final class Numbers {
    private double[] d;
    private long[] l;
    private int[] i;
    private float[] f;
    private double[] smallD;
    private int[] smallI;

    private Numbers() {}

    Numbers(int seed) {
      Random r = new Random(seed);
      d = r.doubles(20_000).toArray(); // 160 KB: over the 64 KiB line
      l = r.longs(10_000).toArray();
      i = r.ints(20_000).toArray();
      f = new float[20_000];
      for (int k = 0; k < f.length; k++) {
        f[k] = r.nextFloat() * (k % 7 == 0 ? Float.NaN : 1f);
      }
      d[3] = Double.NaN;
      d[4] = -0.0;
      d[5] = Double.NEGATIVE_INFINITY;
      smallD = new double[] {1.5, -2.25};
      smallI = new int[] {7};
    }
  }

  @Test
  void largeNumericArraysTravelRawTooBitForBit() throws Exception {
    Numbers n = new Numbers(11);
    StateCodec.Split split = codec.split(n);
    assertEquals(4, split.arrays().size(), "the four large arrays, not the small ones");
    Numbers back = (Numbers) codec.join(Numbers.class.getName(), split, getClass().getClassLoader());
    for (int k = 0; k < n.d.length; k++) {
      assertEquals(Double.doubleToRawLongBits(n.d[k]), Double.doubleToRawLongBits(back.d[k]));
    }
    assertEquals(java.util.Arrays.toString(n.l), java.util.Arrays.toString(back.l));
    assertEquals(java.util.Arrays.toString(n.i), java.util.Arrays.toString(back.i));
    for (int k = 0; k < n.f.length; k++) {
      assertEquals(Float.floatToRawIntBits(n.f[k]), Float.floatToRawIntBits(back.f[k]));
    }
    assertEquals(java.util.Arrays.toString(n.smallD), java.util.Arrays.toString(back.smallD));
    assertEquals(java.util.Arrays.toString(n.smallI), java.util.Arrays.toString(back.smallI));

    // the plain encoding is byte for byte what Jackson alone writes
    ObjectMapper vanilla = com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper.builder()
        .visibility(com.fasterxml.jackson.annotation.PropertyAccessor.ALL,
            com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility.NONE)
        .visibility(com.fasterxml.jackson.annotation.PropertyAccessor.FIELD,
            com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility.ANY)
        .build();
    assertEquals(HexFormat.of().formatHex(vanilla.writeValueAsBytes(n)),
        HexFormat.of().formatHex(codec.encode(n).bytes()));
    assertEquals(HexFormat.of().formatHex(vanilla.writeValueAsBytes(new Buffers(3))),
        HexFormat.of().formatHex(codec.encode(new Buffers(3)).bytes()));
  }
}
