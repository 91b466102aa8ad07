package io.drift.node.cli;

import io.drift.api.Step;
import io.drift.api.WorkContext;
import io.drift.api.WorkUnit;

/** Throws on its first step with the message it was given; for the command-line tests. */
public final class FailingUnit implements WorkUnit<String> {
  private String message;

  private FailingUnit() {}

  public FailingUnit(String... args) {
    this.message = String.join(" ", args);
  }

  @Override
  public Step<String> step(WorkContext ctx) {
    throw new IllegalArgumentException(message);
  }
}
