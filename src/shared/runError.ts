// A run's failure as data, the same in process (the CLI) and across the engine's process boundary (the extension): what
// kind of failure, the spec key and text range it belongs to, and for a run refused as too long, the prediction.
// `errorToFinding` makes the located DL001 finding both show (file:line:col in the CLI, the Problems panel in the editor).
import type { Finding, Range, SpecPath } from './findings';

/**
 * spec: the spec is invalid (its findings say where); data: a data file or value cannot be used; too-large: refused
 * before the run as too large for the backend (memory, or time on a CPU backend); over-budget: predicted longer than the
 * caller's budget (RunOptions.maxSeconds); options: the run options are invalid (the message names the option); backend: the backend could not start or was lost; internal: anything else.
 */
export const RUN_ERROR_KINDS = ['spec', 'data', 'too-large', 'over-budget', 'options', 'backend', 'internal'] as const;
export type RunErrorKind = (typeof RUN_ERROR_KINDS)[number];

export interface RunError {
  kind: RunErrorKind;
  message: string;
  /** The spec key to change, where the error belongs to one. */
  path?: SpecPath;
  /** That key's value in the spec text, when the text was known. */
  range?: Range;
  /** over-budget: the run's predicted seconds and the budget it exceeds. */
  predictedSeconds?: number;
  budgetSeconds?: number;
}

/** The located DL001 finding of an error that belongs to a spec key (bad data, a run refused as too large or too long). */
export function errorToFinding(error: RunError): Finding | null {
  if (error.path === undefined || error.kind === 'internal' || error.kind === 'backend') return null;
  return {
    code: 'DL001',
    severity: 'error',
    message: error.message,
    path: error.path,
    ...(error.range ? { range: error.range } : {}),
    // From a run, not from the spec's text alone: the editor drops it with the run's other findings on the next edit.
    measured: true,
  };
}
