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
      DemoCommand.class,
      RunCommand.class,
      PsCommand.class,
      MigrateCommand.class,
      MonCommand.class,
      CtlCommand.class,
      QueueCommand.class,
      MembersCommand.class,
      WhyCommand.class,
      CommandLine.HelpCommand.class
    })
public final class DriftCli implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** What {@code run} forwards to the job's standard input. */
  java.io.InputStream in = java.io.InputStream.nullInputStream();

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    System.exit(execute(args, System.in, new PrintWriter(System.out, true),
        new PrintWriter(System.err, true)));
  }

  /** Runs one command line with no standard input; what the tests call. */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    return execute(args, java.io.InputStream.nullInputStream(), out, err);
  }

  /** Runs one command line; {@code in} is what {@code run} forwards to its job. */
  public static int execute(String[] args, java.io.InputStream in, PrintWriter out,
      PrintWriter err) {
    DriftCli cli = new DriftCli();
    cli.in = in;
    CommandLine cl = new CommandLine(cli);
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
