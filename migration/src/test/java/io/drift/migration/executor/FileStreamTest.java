package io.drift.migration.executor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A home file streamed in checked frames, alone and over a real side channel on loopback. */
class FileStreamTest {

  @TempDir Path dir;
  SideChannel channel;
  ExecutorService senders;

  @BeforeEach
  void bind() throws Exception {
    channel = SideChannel.bind("127.0.0.1", 0, Duration.ofSeconds(5));
    senders = Executors.newCachedThreadPool();
  }

  @AfterEach
  void close() {
    channel.close();
    senders.shutdownNow();
  }

  Path file(int n) throws IOException {
    return Files.write(dir.resolve("f" + n), SideChannelTest.random(n));
  }

  static byte[] framed(Path file, long offset, long n) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      FileStream.write(ch, offset, n, out);
    }
    assertEquals(FileStream.framedSize(n), out.size());
    return out.toByteArray();
  }

  /** Reads a stream to its end in pieces of {@code piece} bytes. */
  static byte[] readAll(FileStream s, int piece) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] buf = new byte[piece];
    int n;
    while ((n = s.read(buf, 0, piece)) > 0) {
      got.write(buf, 0, n);
    }
    return got.toByteArray();
  }

  @Test
  void aRangeComesBackInFramesAndTheStreamKnowsWhereItIs() throws Exception {
    Path f = file(3 * FileStream.FRAME + 12_345);
    byte[] all = Files.readAllBytes(f);
    long offset = 100;
    long n = all.length - offset - 7;
    byte[] wire = framed(f, offset, n);
    FileStream s = new FileStream(new ByteArrayInputStream(wire), wire.length, offset);
    assertEquals(offset, s.position());
    byte[] first = new byte[64 * 1024];
    assertEquals(first.length, s.read(first, 0, first.length));
    assertEquals(offset + first.length, s.position());
    byte[] rest = readAll(s, 64 * 1024);
    assertTrue(s.exhausted());
    assertEquals(offset + n, s.position());
    byte[] whole = new byte[(int) n];
    System.arraycopy(first, 0, whole, 0, first.length);
    System.arraycopy(rest, 0, whole, first.length, rest.length);
    assertArrayEquals(Arrays.copyOfRange(all, (int) offset, (int) (offset + n)), whole);
    assertEquals(0, s.read(first, 0, 1), "nothing after the end");
  }

  @Test
  void aFrameThatFailsItsChecksumIsNeverHandedOn() throws Exception {
    Path f = file(FileStream.FRAME + 10);
    byte[] wire = framed(f, 0, FileStream.FRAME + 10);
    wire[4 + 1000] ^= 1; // a bit of the first frame's data
    FileStream s = new FileStream(new ByteArrayInputStream(wire), wire.length, 0);
    IOException e = assertThrows(IOException.class, () -> s.read(new byte[10], 0, 10));
    assertTrue(e.getMessage().contains("checksum"), e.getMessage());
  }

  @Test
  void aFileShorterThanTheRangeBreaksTheStreamAtHome() throws Exception {
    Path f = file(1000);
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
      assertThrows(EOFException.class,
          () -> FileStream.write(ch, 0, 2000, new ByteArrayOutputStream()));
    }
  }

  /** Home's side of one stream of {@code n} bytes from {@code offset}, to {@code token}. */
  SideChannel.Sending send(Path f, String token, long offset, long n) throws IOException {
    FileChannel ch = FileChannel.open(f, StandardOpenOption.READ);
    SideChannel.Sending sending = SideChannel.send("127.0.0.1", channel.port(), token, "f",
        SideChannel.PLAIN, FileStream.framedSize(n), out -> FileStream.write(ch, offset, n, out),
        Duration.ofSeconds(5), 0, senders);
    sending.done().whenComplete((crc, e) -> {
      try {
        ch.close();
      } catch (IOException ignored) {
        // read only
      }
    });
    return sending;
  }

  @Test
  void overTheSideChannelAReaderThatFinishesEndsTheTransferAndOneThatLeavesBreaksIt()
      throws Exception {
    Path f = file(8 * FileStream.FRAME); // more than the sockets' buffers hold
    byte[] all = Files.readAllBytes(f);
    // read to the end: home's send completes as any transfer does
    CompletableFuture<FileStream> ready = new CompletableFuture<>();
    String token = channel.expectStream(FileStream.framedSize(all.length),
        FileStream.reader(ready, 0), arrival -> { });
    SideChannel.Sending whole = send(f, token, 0, all.length);
    FileStream s = ready.get(5, TimeUnit.SECONDS);
    assertArrayEquals(all, readAll(s, 64 * 1024));
    s.done();
    whole.done().get(5, TimeUnit.SECONDS);

    // leave after one frame: home's sender, blocked on full buffers, hears the connection close
    CompletableFuture<FileStream> ready2 = new CompletableFuture<>();
    String token2 = channel.expectStream(FileStream.framedSize(all.length),
        FileStream.reader(ready2, 0), arrival -> { });
    SideChannel.Sending left = send(f, token2, 0, all.length);
    FileStream s2 = ready2.get(5, TimeUnit.SECONDS);
    byte[] some = new byte[FileStream.FRAME];
    assertEquals(FileStream.FRAME, s2.read(some, 0, some.length));
    assertArrayEquals(Arrays.copyOf(all, FileStream.FRAME), some);
    s2.abandon();
    assertThrows(ExecutionException.class, () -> left.done().get(5, TimeUnit.SECONDS));
    assertFalse(s2.exhausted());
  }

  @Test
  void streamsInProgressLeaveTheChannelFreeForStates() throws Exception {
    Path f = file(8 * FileStream.FRAME);
    List<FileStream> open = new ArrayList<>();
    for (int i = 0; i < 6; i++) { // more than the channel's concurrent readers (4)
      CompletableFuture<FileStream> ready = new CompletableFuture<>();
      String token = channel.expectStream(FileStream.framedSize(Files.size(f)),
          FileStream.reader(ready, 0), arrival -> { });
      send(f, token, 0, Files.size(f));
      open.add(ready.get(5, TimeUnit.SECONDS));
    }
    // a state still gets through while six streams wait on their readers
    byte[] state = SideChannelTest.random(100_000);
    CompletableFuture<SideChannel.Arrival> arrival = new CompletableFuture<>();
    String token = channel.expect(state.length, arrival::complete);
    SideChannel.send("127.0.0.1", channel.port(), token, state, Duration.ofSeconds(5), senders)
        .done().get(5, TimeUnit.SECONDS);
    assertArrayEquals(state,
        (byte[]) ((SideChannel.Arrived) arrival.get(5, TimeUnit.SECONDS)).value());
    open.forEach(FileStream::abandon);
  }
}
