package io.drift.migration;

/**
 * Bounds that keep every message between nodes far below Artery's 256 KiB frame: a message over
 * it is dropped with an error on the sender only, and whoever waits for it waits forever.
 * Sizes are in characters; one character takes at most 3 bytes in CBOR's UTF-8.
 */
public final class Limits {
  private Limits() {}

  /** A failure's text (exception class and message) as it travels and is kept. */
  public static final int ERROR_CHARS = 2_000;

  /** A failure's stack trace as it travels to home (home logs it). */
  public static final int STACK_TRACE_CHARS = 16_000;

  /** The result as JSON in a job's record, for people: a preview, not the result. */
  public static final int RESULT_PREVIEW_CHARS = 500;

  /** A job's name. */
  public static final int NAME_CHARS = 200;

  /** Output lines in one message: about 64 KiB of UTF-8. */
  public static final int BATCH_CHARS = 64 * 1024 / 3;

  /** Job records in one reply: each is at most about 9 KiB with the caps above. */
  public static final int JOBS_PER_PAGE = 20;

  /** The text cut to {@code max} characters, saying how much was cut; never splits a pair. */
  public static String cut(String s, int max) {
    if (s == null || s.length() <= max) {
      return s;
    }
    int end = Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
    return s.substring(0, end) + " [... " + (s.length() - end) + " more characters cut]";
  }
}
