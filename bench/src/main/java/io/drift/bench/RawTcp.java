package io.drift.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;

/** The baseline: a plain Java socket copy on loopback, 64 KiB writes. */
final class RawTcp {
  private RawTcp() {}

  /** MiB/s for copying {@code mib} MiB once from one socket to another in this process. */
  static double copy(int mib) throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Long> read = CompletableFuture.supplyAsync(() -> {
        try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
          byte[] buf = new byte[64 * 1024];
          long total = 0;
          int n;
          while ((n = in.read(buf)) >= 0) {
            total += n;
          }
          return total;
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      });
      long start = System.nanoTime();
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
          OutputStream out = s.getOutputStream()) {
        byte[] buf = new byte[64 * 1024];
        for (long sent = 0; sent < (long) mib << 20; sent += buf.length) {
          out.write(buf);
        }
      }
      long total = read.get();
      double seconds = (System.nanoTime() - start) / 1e9;
      return total / 1048576.0 / seconds;
    }
  }
}
