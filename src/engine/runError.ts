// Any error a run throws, as the data that crosses the process boundary (../shared/runError): its kind, the spec key it
// belongs to and that key's range in the spec text.
import type { RunError } from '../shared/runError';
import { valueRange, type SourceMap } from '../spec';
import { GpuDeviceLostError } from './backend';
import { BackendUnavailableError } from './backends/types';
import { DataError } from './data';
import { OverBudgetError, RunTooLargeError } from './errors';
import { RunOptionsError } from './runOptions';

export function describeError(e: unknown, source?: SourceMap): RunError {
  const message = e instanceof Error ? e.message : String(e);
  const located = (path: string): Pick<RunError, 'path' | 'range'> => ({ path, ...(source ? { range: valueRange(source, path) } : {}) });
  if (e instanceof DataError) return { kind: 'data', message, ...located(e.path) };
  if (e instanceof RunTooLargeError) return { kind: 'too-large', message, ...located(e.path) };
  if (e instanceof OverBudgetError) return { kind: 'over-budget', message, predictedSeconds: e.predictedSeconds, budgetSeconds: e.budgetSeconds };
  if (e instanceof RunOptionsError) return { kind: 'options', message };
  if (e instanceof BackendUnavailableError || e instanceof GpuDeviceLostError) return { kind: 'backend', message };
  return { kind: 'internal', message };
}
