package io.drift.node.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** The {@code drift} command line run in this JVM, as the tests call it. */
public final class Cli {
  private Cli() {}

  /** What one command line did: its exit code and what it wrote. */
  public record Run(int code, String out, String err) {}

  public static Run drift(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = DriftCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }
}
