package io.drift.node.cli;

import com.typesafe.config.ConfigException;
import io.drift.api.DriftException;
import io.drift.api.JobCancelledException;
import io.drift.api.JobFailedException;
import io.drift.api.MigrationRefusedException;
import io.drift.api.SubmissionRejectedException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;

/** The exit codes of {@code drift}, the same for every command. */
public final class ExitCodes {
  private ExitCodes() {}

  public static final int OK = 0;
  /** The job failed or was cancelled, a move did not happen, or the demo fell short. */
  public static final int JOB_FAILED = 1;
  /** Bad input: a usage error, a bad config value, a unit Drift cannot take. */
  public static final int BAD_INPUT = 2;
  /** Drift itself could not do it: no node answered, a port was taken. */
  public static final int UNAVAILABLE = 3;

  static int of(Throwable thrown) {
    Throwable e = unwrap(thrown);
    if (e instanceof CommandLine.ParameterException
        || e instanceof ConfigException
        || e instanceof SubmissionRejectedException
        || e instanceof IllegalArgumentException) {
      return BAD_INPUT;
    }
    if (e instanceof JobFailedException || e instanceof JobCancelledException
        || e instanceof MigrationRefusedException) {
      return JOB_FAILED;
    }
    if (e instanceof DriftException && e.getCause() instanceof ConfigException) {
      return BAD_INPUT;
    }
    return UNAVAILABLE;
  }

  static String message(Throwable thrown) {
    Throwable e = unwrap(thrown);
    if (e instanceof TimeoutException) {
      return "the node did not answer in time: " + e.getMessage();
    }
    if (e instanceof ConfigException) {
      return "invalid configuration: " + e.getMessage();
    }
    if (e instanceof DriftException || e instanceof IllegalArgumentException) {
      return e.getMessage();
    }
    return e.toString();
  }

  /** The cause behind the wrappers of asynchronous calls. */
  private static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
