package io.drift.migration.executor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.api.JobId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Frozen units on disk: whole or refused, never half. */
class FrozenStoreTest {

  static final JobId JOB = JobId.of("frozen1");

  static Transfer.CheckpointHeader header(byte[] state) {
    CRC32C crc = new CRC32C();
    crc.update(state);
    return new Transfer.CheckpointHeader(Transfer.VERSION, JOB, 3, "x.Unit", 40, 50, 60,
        state.length, crc.getValue());
  }

  static byte[] state() {
    byte[] b = new byte[100_000];
    new SplittableRandom(1).nextBytes(b);
    return b;
  }

  @Test
  void whatIsWrittenIsReadBackWithItsHeader(@TempDir Path dir) throws Exception {
    FrozenStore store = new FrozenStore(dir.resolve("node_1"));
    byte[] state = state();
    Path file = store.write(header(state), state);
    assertEquals(store.file(JOB), file);
    FrozenStore.Frozen back = store.read(JOB);
    assertEquals(header(state), back.header());
    assertArrayEquals(state, back.state());
    try (var files = Files.list(dir.resolve("node_1"))) {
      assertEquals(1, files.count(), "no temporary file is left behind");
    }
    store.delete(JOB);
    assertFalse(Files.exists(file));
  }

  @Test
  void aDamagedTruncatedOrMissingFileIsRefusedWithItsReason(@TempDir Path dir) throws Exception {
    FrozenStore store = new FrozenStore(dir);
    byte[] state = state();
    Path file = store.write(header(state), state);
    byte[] bytes = Files.readAllBytes(file);

    bytes[bytes.length - 10] ^= 1;
    Files.write(file, bytes);
    assertMessage(store, "failed its checksum");

    Files.write(file, Arrays.copyOf(bytes, bytes.length - 1000));
    assertMessage(store, "shorter than its header says");

    Files.write(file, Arrays.copyOf(bytes, bytes.length + 1));
    assertMessage(store, "longer than its header says");

    Files.writeString(file, "not a frozen unit at all, but long enough to read a magic number");
    assertMessage(store, "is not a frozen unit");

    Files.delete(file);
    assertThrows(IOException.class, () -> store.read(JOB));
  }

  static void assertMessage(FrozenStore store, String why) {
    IOException e = assertThrows(IOException.class, () -> store.read(JOB));
    assertTrue(e.getMessage().contains(why), e.getMessage());
  }
}
