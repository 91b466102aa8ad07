package io.drift.node;

import io.drift.api.HomeFiles;
import io.drift.api.Step;
import io.drift.api.WorkContext;
import io.drift.api.WorkUnit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** One use of the home files, good or bad, in one step; the result says what happened. */
public final class FileProbe implements WorkUnit<String> {

  private String mode;
  private int bytes;

  private FileProbe() {}

  public FileProbe(String mode, int bytes) {
    this.mode = mode;
    this.bytes = bytes;
  }

  @Override
  public Step<String> step(WorkContext ctx) throws IOException {
    HomeFiles f = ctx.files();
    switch (mode) {
      case "escape":
        return caught(() -> f.read("data/../../other-job/secret", 0, 10));
      case "absolute":
        return caught(() -> {
          f.append("/etc/passwd", new byte[1]);
          return "appended";
        });
      case "missing":
        return caught(() -> f.read("no-such-file", 0, 10));
      case "too-big-caught":
        f.append("big", new byte[bytes]);
        f.append("big", new byte[bytes]); // past the limit: refused at home
        return caught(() -> f.size("big"));
      case "too-big":
        f.append("big", new byte[bytes]);
        f.append("big", new byte[bytes]);
        return Step.done("finished"); // the refusal fails the job as it ends
      case "read-prepared":
        return Step.done(new String(f.read("prepared.txt", 0, 1000), StandardCharsets.UTF_8));
      case "round-trip":
        f.appendLine("a/one.txt", "one");
        f.write("a/two.bin", 3, "xyz".getBytes(StandardCharsets.UTF_8));
        f.appendLine("gone", "soon");
        f.delete("gone");
        String listed = String.join(",", f.list("")) + ";" + String.join(",", f.list("a"));
        byte[] two = f.read("a/two.bin", 0, 100);
        return Step.done(listed + ";" + f.size("a/one.txt") + ";" + two.length + ";"
            + new String(two, 3, 3, StandardCharsets.UTF_8));
      default:
        throw new IllegalArgumentException(mode);
    }
  }

  private interface Io {
    Object run() throws IOException;
  }

  private static Step<String> caught(Io io) {
    try {
      return Step.done("no error: " + io.run());
    } catch (IOException e) {
      return Step.done(e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }
}
