package io.drift.api;

import java.nio.file.AccessDeniedException;

/** The rule for paths in a job's workspace, checked by hosts (early) and by home (for good). */
public final class HomePaths {
  private HomePaths() {}

  /** Longest path, in characters. */
  public static final int MAX_CHARS = 1024;

  /**
   * The path with empty and {@code .} names dropped; refused if it is absolute, names {@code ..},
   * holds a backslash or a control character, or is too long. {@code ""} (the workspace itself)
   * only where {@code rootOk}.
   */
  public static String check(String path, boolean rootOk) throws AccessDeniedException {
    if (path == null) {
      throw new AccessDeniedException("null", null, "no path given");
    }
    if (path.length() > MAX_CHARS) {
      throw new AccessDeniedException(path.substring(0, 40) + "...", null,
          "longer than " + MAX_CHARS + " characters");
    }
    if (path.startsWith("/")) {
      throw new AccessDeniedException(path, null, "absolute: paths are relative to the job's"
          + " workspace");
    }
    StringBuilder out = new StringBuilder(path.length());
    for (String name : path.split("/", -1)) {
      if (name.isEmpty() || name.equals(".")) {
        continue;
      }
      if (name.equals("..")) {
        throw new AccessDeniedException(path, null, "'..' would leave the job's workspace");
      }
      for (int i = 0; i < name.length(); i++) {
        char c = name.charAt(i);
        if (c == '\\' || c < 0x20 || c == 0x7f) {
          throw new AccessDeniedException(path, null, "a backslash or control character");
        }
      }
      if (out.length() > 0) {
        out.append('/');
      }
      out.append(name);
    }
    if (out.length() == 0 && !rootOk) {
      throw new AccessDeniedException(path, null, "names the workspace, not a file in it");
    }
    return out.toString();
  }
}
