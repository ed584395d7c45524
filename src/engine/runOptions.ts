// The engine checks the run options it is given as strictly as the spec (issue 16 item 8): they arrive over IPC from the
// extension host, or from an embedding program, and a seed count of 1e9 or a negative cap must be refused with the option
// named, not run. The bounds are the shared table the protocol guard uses too (../shared/runOptionRules).
import type { RunOptions } from '../shared/protocol';
import { runOptionsProblem } from '../shared/runOptionRules';

/** Bad run options; `option` is the offending field, e.g. "quick.maxWidth". */
export class RunOptionsError extends Error {
  override readonly name = 'RunOptionsError';
  constructor(
    message: string,
    readonly option: string,
  ) {
    super(message);
  }
}

/** Throws RunOptionsError at the first bad field. */
export function validateRunOptions(options: unknown): asserts options is RunOptions {
  const problem = runOptionsProblem(options);
  if (problem) throw new RunOptionsError(problem.message, problem.option);
}
