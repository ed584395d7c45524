// Errors the engine raises on purpose.
import type { SpecPath } from '../shared/findings';

/** A run refused before it starts: too large for the chosen backend. `path` is the spec key to change. */
export class RunTooLargeError extends Error {
  override readonly name = 'RunTooLargeError';
  constructor(
    message: string,
    readonly path: SpecPath,
  ) {
    super(message);
  }
}

/** A run predicted to take longer than the caller's budget (RunOptions.maxSeconds), refused before any work. */
export class OverBudgetError extends Error {
  override readonly name = 'OverBudgetError';
  constructor(
    message: string,
    readonly predictedSeconds: number,
    readonly budgetSeconds: number,
  ) {
    super(message);
  }
}

/** The run was cancelled through its AbortSignal; every tensor of the run has been disposed. */
export class CancelledError extends Error {
  constructor() {
    super('run cancelled');
    this.name = 'CancelledError';
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

/** Lets the event loop run (so a cancel message can arrive) without a timer's minimum delay. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
