package io.drift.api;

import java.util.List;
import java.util.concurrent.CompletionStage;

/** Submits jobs to a Drift cluster and looks at them. Thread-safe; close it when done. */
public interface JobClient extends AutoCloseable {

  /**
   * Submits a job to the node this client is connected to, which becomes the job's home.
   * Returns once home has recorded the job.
   *
   * @throws SubmissionRejectedException the unit cannot be encoded, the node cannot load its
   *     class, or the node refused the job; the message says which
   * @throws DriftException the node did not answer in time
   */
  <R> JobHandle<R> submit(JobSpec<R> spec);

  /** The jobs whose home is the connected node, oldest first. */
  CompletionStage<List<JobInfo>> jobs();

  /** One job homed at the connected node. */
  CompletionStage<JobInfo> job(JobId id);

  /** Moves a job homed at the connected node: see {@link JobHandle#migrate(String)}. */
  CompletionStage<JobInfo> migrate(JobId id, String target);

  @Override
  void close();
}
