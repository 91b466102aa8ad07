package io.drift.migration.code;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.api.JobId;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CodeStoreTest {

  @TempDir Path home;
  @TempDir Path host;

  /** A jar of one "class" entry (bytes that are not a class: enough to be a jar of classes) */
  static byte[] jar(int filler) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JarOutputStream out = new JarOutputStream(bytes)) {
      out.putNextEntry(new JarEntry("demo/A.class"));
      byte[] noise = new byte[filler];
      new Random(filler).nextBytes(noise); // incompressible: the jar is about this big
      out.write(noise);
      out.closeEntry();
    }
    return bytes.toByteArray();
  }

  static String hash(Path dir, byte[] bytes) throws Exception {
    Path f = Files.write(dir.resolve("x-" + bytes.length + ".bin"), bytes);
    return CodeStore.hash(f);
  }

  /** Serves a jar as a home does, counting the pieces asked. */
  static CodeStore.ChunkSource serving(CodeStore store, String hash, AtomicInteger asked) {
    return offset -> CompletableFuture.supplyAsync(() -> {
      asked.incrementAndGet();
      try {
        return new CodeStore.Chunk(store.read(hash, offset, CodeStore.CHUNK), store.size(hash),
            null);
      } catch (Exception e) {
        return new CodeStore.Chunk(null, 0, e.getMessage());
      }
    });
  }

  @Test
  void aJarFetchedInPiecesArrivesWholeOnceHoweverManyAskAtOnce() throws Exception {
    CodeStore atHome = new CodeStore(home, 1 << 24, getClass().getClassLoader());
    byte[] bytes = jar(3 * CodeStore.CHUNK + 1000);
    String hash = hash(home, bytes);
    try (CodeStore.Incoming in = atHome.incoming(hash, bytes.length)) {
      in.append(0, bytes);
      in.commit();
    }
    assertTrue(atHome.has(hash));

    CodeStore atHost = new CodeStore(host, 1 << 24, getClass().getClassLoader());
    assertFalse(atHost.has(hash));
    AtomicInteger asked = new AtomicInteger();
    CodeStore.ChunkSource source = serving(atHome, hash, asked);
    var a = atHost.ensure(hash, source, ForkJoinPool.commonPool()).toCompletableFuture();
    var b = atHost.ensure(hash, source, ForkJoinPool.commonPool()).toCompletableFuture();
    Path got = a.get(10, TimeUnit.SECONDS);
    assertEquals(got, b.get(10, TimeUnit.SECONDS));
    assertTrue(Arrays.equals(bytes, Files.readAllBytes(got)));
    assertEquals(4, asked.get(), "four pieces, fetched once for both");
    // here now: no more asking
    atHost.ensure(hash, source, ForkJoinPool.commonPool()).toCompletableFuture().get();
    assertEquals(4, asked.get());
  }

  @Test
  void bytesThatDoNotMatchTheirHashOrAreNoJarNeverEnterTheStore() throws Exception {
    CodeStore store = new CodeStore(host, 1 << 24, getClass().getClassLoader());
    byte[] good = jar(100);
    String other = hash(home, jar(200));
    try (CodeStore.Incoming in = store.incoming(other, good.length)) {
      in.append(0, good);
      CodeStore.CodeException e = assertThrows(CodeStore.CodeException.class, in::commit);
      assertTrue(e.getMessage().contains("SHA-256"), e.getMessage());
    }
    assertFalse(store.has(other));

    byte[] text = "just text".getBytes();
    String textHash = hash(home, text);
    try (CodeStore.Incoming in = store.incoming(textHash, text.length)) {
      in.append(0, text);
      CodeStore.CodeException e = assertThrows(CodeStore.CodeException.class, in::commit);
      assertTrue(e.getMessage().startsWith("not a jar"), e.getMessage());
    }
    assertFalse(store.has(textHash));
    try (var files = Files.list(host)) {
      assertEquals(0, files.count(), "no piece left behind");
    }

    // a source that serves something else fails the fetch with its word
    CodeStore.ChunkSource refusing = offset -> CompletableFuture.completedFuture(
        new CodeStore.Chunk(null, 0, "job x has no jar"));
    ExecutionException e = assertThrows(ExecutionException.class, () -> store.ensure(other,
        refusing, ForkJoinPool.commonPool()).toCompletableFuture().get(5, TimeUnit.SECONDS));
    assertInstanceOf(CodeStore.CodeException.class, e.getCause());
    assertEquals("job x has no jar", e.getCause().getMessage());

    assertThrows(CodeStore.CodeException.class, () -> store.incoming(other, 1L << 30),
        "bigger than max-code-bytes");
  }

  @Test
  void eachJobHasItsOwnLoaderUntilItIsGoneAndIdle() throws Exception {
    CodeStore store = new CodeStore(host, 1 << 24, getClass().getClassLoader());
    byte[] bytes = jar(10);
    String hash = hash(home, bytes);
    try (CodeStore.Incoming in = store.incoming(hash, bytes.length)) {
      in.append(0, bytes);
      in.commit();
    }
    JobId a = JobId.of("a");
    JobId b = JobId.of("b");
    ClassLoader la = store.loader(a, hash);
    assertSame(la, store.loader(a, hash));
    assertNotSame(la, store.loader(b, hash), "two jobs of one jar: two loaders");
    assertSame(getClass().getClassLoader(), store.loader(a, null), "no jar: Drift's own");

    store.retain(Set.of(a), Long.MAX_VALUE);
    assertEquals(2, store.loaders(), "b left, but not long ago");
    store.retain(Set.of(a), 0);
    assertEquals(1, store.loaders(), "b gone and idle: closed");
    assertSame(la, store.loader(a, hash));
    assertThrows(CodeStore.CodeException.class, () -> store.loader(a, "0".repeat(64)));
  }
}
