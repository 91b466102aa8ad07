package io.drift.node.cli;

import io.drift.api.JobId;
import io.drift.api.JobInfo;
import io.drift.node.client.DriftClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "migrate", mixinStandardHelpOptions = true,
    description = {"Ask a running job's home to move it to another node (MOSIX: migrate).",
        "A request, not an order: if the job does not move, the reason is printed and the exit"
            + " code is 1; the job goes on where it was.",
        "--node names the job's home (where it was submitted)."})
final class MigrateCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin NodeOption target;

  @Parameters(index = "0", paramLabel = "JOB", description = "the job id")
  String job;

  @Parameters(index = "1", paramLabel = "WHERE", description = "a node (host:port) or home")
  String where;

  @Override
  public Integer call() throws Exception {
    Logs.init("ERROR", "WARN");
    JobId id = JobId.of(job);
    try (DriftClient client = DriftClient.connect(target.node)) {
      JobInfo info = client.migrate(id, where).toCompletableFuture().join();
      spec.commandLine().getOut().printf("job %s runs on %s now (moved %d times)%n", info.id(),
          info.host(), info.migrations());
      return ExitCodes.OK;
    }
  }
}
