package io.drift.node.cli;

import io.drift.api.JobId;
import io.drift.api.JobInfo;
import io.drift.api.JobState;
import java.util.Locale;
import io.drift.node.client.DriftClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "migrate", mixinStandardHelpOptions = true,
    description = {"Ask a running job's home to move it to another node (MOSIX: migrate),"
            + " to freeze it to the home node's disk, or to continue a frozen job (placed by"
            + " the normal rule).",
        "A request, not an order: if the job does not move, the reason is printed and the exit"
            + " code is 1; the job goes on where it was.",
        "--node names the job's home (where it was submitted)."})
final class MigrateCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin NodeOption target;

  @Parameters(index = "0", paramLabel = "JOB", description = "the job id")
  String job;

  @Parameters(index = "1", paramLabel = "WHERE", description = "a node (host:port), home, freeze or continue")
  String where;

  @Override
  public Integer call() throws Exception {
    Logs.init("ERROR", "WARN");
    JobId id = JobId.of(job);
    try (DriftClient client = target.connect()) {
      JobInfo info = client.migrate(id, where).toCompletableFuture().join();
      if (info.state() == JobState.FROZEN) {
        spec.commandLine().getOut().printf("job %s is frozen at its home %s (moved %d times)%n",
            info.id(), info.home(), info.migrations());
      } else {
        spec.commandLine().getOut().printf(Locale.ROOT,
            "job %s runs on %s now (moved %d times, frozen %.1f ms in all)%n", info.id(),
            info.host(), info.migrations(), info.frozenMicros() / 1000.0);
      }
      return ExitCodes.OK;
    }
  }
}
