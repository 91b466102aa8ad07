package io.drift.node.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code drift} command line. Exit codes are stable: see {@link ExitCodes}. */
@Command(
    name = "drift",
    mixinStandardHelpOptions = true,
    version = "drift 0.1.0-SNAPSHOT",
    description = "Drift: a single-system-image cluster scheduler on Apache Pekko, after MOSIX.",
    subcommands = {
      NodeCommand.class,
      RunCommand.class,
      PsCommand.class,
      MigrateCommand.class,
      CtlCommand.class,
      DemoCommand.class,
      CommandLine.HelpCommand.class
    })
public final class DriftCli implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs one command line; what {@code main} and the tests call. */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new DriftCli());
    cl.setOut(out);
    cl.setErr(err);
    cl.setExitCodeExceptionMapper(ExitCodes::of);
    cl.setExecutionExceptionHandler((e, line, parsed) -> {
      line.getErr().println("drift " + line.getCommandName() + ": " + ExitCodes.message(e));
      return ExitCodes.of(e);
    });
    return cl.execute(args);
  }
}
