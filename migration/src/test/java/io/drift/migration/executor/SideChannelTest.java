package io.drift.migration.executor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The side channel alone, on loopback: whole states arrive, and nothing else is taken. */
class SideChannelTest {

  static final Duration IO = Duration.ofSeconds(5);
  SideChannel channel;
  ExecutorService senders;

  @BeforeEach
  void bind() throws Exception {
    channel = SideChannel.bind("127.0.0.1", 0, IO);
    senders = Executors.newCachedThreadPool();
  }

  @AfterEach
  void close() {
    channel.close();
    senders.shutdownNow();
  }

  static byte[] random(int n) {
    byte[] b = new byte[n];
    new SplittableRandom(n).nextBytes(b);
    return b;
  }

  static long crc(byte[] b) {
    CRC32C c = new CRC32C();
    c.update(b);
    return c.getValue();
  }

  @Test
  void aStateArrivesWholeWithItsChecksum() throws Exception {
    byte[] state = random(3 * 1024 * 1024 + 17); // several slices and a ragged end
    CompletableFuture<SideChannel.Arrival> arrival = new CompletableFuture<>();
    String token = channel.expect(state.length, arrival::complete);

    SideChannel.Sending s = SideChannel.send(channel.host(), channel.port(), token, state, IO, senders);
    long sentCrc = s.done().get(10, TimeUnit.SECONDS);

    SideChannel.Arrived got = assertInstanceOf(SideChannel.Arrived.class,
        arrival.get(10, TimeUnit.SECONDS));
    assertArrayEquals(state, (byte[]) got.value());
    assertEquals(state.length, got.size());
    assertEquals(crc(state), got.crc32c());
    assertEquals(crc(state), sentCrc, "the sender's CRC, computed on the way out, is the same");
  }

  @Test
  void aCappedTransferTakesAsLongAsItsRateSays() throws Exception {
    byte[] state = random(4 << 20);
    CompletableFuture<SideChannel.Arrival> arrival = new CompletableFuture<>();
    String token = channel.expect(state.length, arrival::complete);
    long t0 = System.nanoTime();
    SideChannel.send(channel.host(), channel.port(), token, "", SideChannel.PLAIN, state.length,
        out -> out.write(state), IO, 8L << 20, senders).done().get(10, TimeUnit.SECONDS);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(ms >= 500, "4 MiB at 8 MiB/s took " + ms + " ms, under half a second");
    assertArrayEquals(state, (byte[]) assertInstanceOf(SideChannel.Arrived.class,
        arrival.get(10, TimeUnit.SECONDS)).value());
  }

  @Test
  void aSplitStateArrivesWithEachArrayWhole() throws Exception {
    byte[] big = random(200_000);
    byte[] other = random(70_000);
    io.drift.migration.codec.StateCodec.Split split = new io.drift.migration.codec.StateCodec.Split(
        new byte[] {1, 2, 3}, java.util.List.of(big, other));
    CompletableFuture<SideChannel.Arrival> arrival = new CompletableFuture<>();
    String token = channel.expect(1 << 20, (className, format, size, in) -> {
      assertEquals(SideChannel.SPLIT, format);
      return SideChannel.readSplit(in, size);
    }, arrival::complete);
    SideChannel.send(channel.host(), channel.port(), token, "x.Y", SideChannel.SPLIT,
        SideChannel.splitSize(split), out -> SideChannel.writeSplit(split, out), IO, 0, senders)
        .done().get(10, TimeUnit.SECONDS);
    io.drift.migration.codec.StateCodec.Split got = (io.drift.migration.codec.StateCodec.Split)
        assertInstanceOf(SideChannel.Arrived.class, arrival.get(10, TimeUnit.SECONDS)).value();
    assertArrayEquals(new byte[] {1, 2, 3}, got.document());
    assertEquals(2, got.arrays().size());
    assertArrayEquals(big, got.arrays().get(0));
    assertArrayEquals(other, got.arrays().get(1));
  }

  @Test
  void aWriterThatWritesOtherThanItsSizeFailsTheTransfer() throws Exception {
    CompletableFuture<SideChannel.Arrival> arrival = new CompletableFuture<>();
    String token = channel.expect(1 << 20, arrival::complete);
    ExecutionException e = assertThrows(ExecutionException.class, () -> SideChannel.send(
        channel.host(), channel.port(), token, "x.Y", SideChannel.PLAIN, 1000,
        out -> out.write(random(900)), IO, 0, senders).done().get(10, TimeUnit.SECONDS));
    assertTrue(e.getCause().getMessage().contains("measured at 1000 bytes but 900 were written"),
        e.getCause().getMessage());
    assertInstanceOf(SideChannel.Broken.class, arrival.get(10, TimeUnit.SECONDS));
  }

  @Test
  void anEmptyStateArrivesToo() throws Exception {
    CompletableFuture<SideChannel.Arrival> arrival = new CompletableFuture<>();
    String token = channel.expect(10, arrival::complete);
    SideChannel.send(channel.host(), channel.port(), token, new byte[0], IO, senders)
        .done().get(10, TimeUnit.SECONDS);
    assertEquals(0, ((byte[]) assertInstanceOf(SideChannel.Arrived.class,
        arrival.get(10, TimeUnit.SECONDS)).value()).length);
  }

  @Test
  void aTokenServesOnceAndAnUnknownOneIsDropped() throws Exception {
    CompletableFuture<SideChannel.Arrival> arrival = new CompletableFuture<>();
    String token = channel.expect(1024, arrival::complete);
    SideChannel.send(channel.host(), channel.port(), token, random(100), IO, senders)
        .done().get(10, TimeUnit.SECONDS);
    assertInstanceOf(SideChannel.Arrived.class, arrival.get(10, TimeUnit.SECONDS));

    // the target hangs up on it: the source hears so at its next write or at the answer
    ExecutionException again = assertThrows(ExecutionException.class, () -> SideChannel.send(
        channel.host(), channel.port(), token, random(100), IO, senders).done().get(10, TimeUnit.SECONDS));
    assertInstanceOf(java.io.IOException.class, again.getCause());
    String unknown = "00".repeat(16);
    assertThrows(ExecutionException.class, () -> SideChannel.send(channel.host(), channel.port(),
        unknown, random(100), IO, senders).done().get(10, TimeUnit.SECONDS));
  }

  @Test
  void aStateOverTheAllowedSizeIsRefusedBeforeItIsRead() throws Exception {
    CompletableFuture<SideChannel.Arrival> arrival = new CompletableFuture<>();
    String token = channel.expect(1000, arrival::complete);
    CompletableFuture<Long> sent = SideChannel.send(channel.host(), channel.port(), token,
        random(1001), IO, senders).done();
    SideChannel.Broken b = assertInstanceOf(SideChannel.Broken.class, arrival.get(10, TimeUnit.SECONDS));
    assertTrue(b.reason().contains("1001 bytes, over the 1000 allowed"), b.reason());
    assertThrows(ExecutionException.class, () -> sent.get(10, TimeUnit.SECONDS));
  }

  @Test
  void aSourceThatStopsHalfWayBreaksTheTransfer() throws Exception {
    CompletableFuture<SideChannel.Arrival> arrival = new CompletableFuture<>();
    String token = channel.expect(1 << 20, arrival::complete);
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), channel.port())) {
      OutputStream out = s.getOutputStream();
      out.write(ByteBuffer.allocate(32).putLong(SideChannel.MAGIC)
          .put(HexFormat.of().parseHex(token)).putLong(1000).array());
      java.io.DataOutputStream data = new java.io.DataOutputStream(out);
      data.writeUTF("x.Y");
      data.writeByte(SideChannel.PLAIN);
      out.write(random(400));
      out.flush();
    } // closed after 400 of the 1000 bytes announced
    SideChannel.Broken b = assertInstanceOf(SideChannel.Broken.class, arrival.get(10, TimeUnit.SECONDS));
    assertTrue(b.reason().contains("after 400 of 1000 bytes"), b.reason());
  }

  @Test
  void aConnectionThatDoesNotSpeakTheProtocolIsDroppedAndTheOfferStands() throws Exception {
    CompletableFuture<SideChannel.Arrival> arrival = new CompletableFuture<>();
    String token = channel.expect(1024, arrival::complete);
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), channel.port())) {
      s.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes());
      s.getOutputStream().flush();
      assertEquals(-1, s.getInputStream().read(), "the channel hangs up");
    }
    byte[] state = random(500);
    SideChannel.send(channel.host(), channel.port(), token, state, IO, senders)
        .done().get(10, TimeUnit.SECONDS);
    assertArrayEquals(state, (byte[]) assertInstanceOf(SideChannel.Arrived.class,
        arrival.get(10, TimeUnit.SECONDS)).value());
  }

  @Test
  void silentConnectionsHoldTheChannelOnlyBriefly() throws Exception {
    java.util.List<Socket> silent = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < 6; i++) { // more than the readers the channel serves at once
        silent.add(new Socket(InetAddress.getLoopbackAddress(), channel.port()));
      }
      CompletableFuture<SideChannel.Arrival> arrival = new CompletableFuture<>();
      byte[] state = random(10_000);
      String token = channel.expect(state.length, arrival::complete);
      SideChannel.send(channel.host(), channel.port(), token, state, Duration.ofSeconds(30), senders)
          .done().get(30, TimeUnit.SECONDS);
      assertArrayEquals(state, (byte[]) assertInstanceOf(SideChannel.Arrived.class,
          arrival.get(30, TimeUnit.SECONDS)).value());
      assertEquals(-1, silent.get(0).getInputStream().read(), "the silent ones were dropped");
    } finally {
      for (Socket s : silent) {
        s.close();
      }
    }
  }

  @Test
  void aForgottenOfferIsNoLongerTaken() throws Exception {
    CompletableFuture<SideChannel.Arrival> arrival = new CompletableFuture<>();
    String token = channel.expect(1024, arrival::complete);
    channel.forget(token);
    assertThrows(ExecutionException.class, () -> SideChannel.send(channel.host(), channel.port(),
        token, random(100), IO, senders).done().get(10, TimeUnit.SECONDS));
    assertTrue(!arrival.isDone(), "nothing was handed over");
  }
}
