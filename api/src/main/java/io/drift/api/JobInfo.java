package io.drift.api;

/**
 * A job's record as its home node knows it at one instant.
 *
 * @param home the node the job was submitted to ({@code host:port})
 * @param host the node it runs or ran on, or empty while pending
 * @param epoch raised at each placement; only the current epoch's host may run the unit
 * @param cpuNanos CPU time the unit's steps used so far, summed over every host
 * @param outputLines lines of output and error recorded at home so far
 * @param submittedAtMillis wall-clock time of submission at home (for display only)
 * @param error the failure, as {@code ExceptionClass: message}, when FAILED or CANCELLED
 * @param resultJson the result rendered as JSON, when SUCCEEDED (a preview: cut if long)
 * @param migrations how often the running unit moved to another node
 * @param bytesMoved state bytes those moves carried
 * @param frozenMicros time the unit spent stopped between hosts, summed: for each move from
 *     the pause at its source to its start at the target (as home measures it), and the time
 *     it spent frozen
 */
public record JobInfo(
    JobId id,
    String name,
    String unitClass,
    String home,
    String host,
    JobState state,
    long epoch,
    long cpuNanos,
    long steps,
    double progress,
    long outputLines,
    long submittedAtMillis,
    String error,
    String resultJson,
    int migrations,
    long bytesMoved,
    long frozenMicros) {}
