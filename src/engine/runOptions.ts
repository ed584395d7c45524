// The engine checks the run options it is given as strictly as the spec (issue 16 item 8): they arrive over IPC from the
// extension host, or from an embedding program, and a seed count of 1e9 or a negative cap must be refused with the option
// named, not run.
import type { RunOptions } from '../shared/protocol';
import { isBackendChoice, BACKEND_CHOICES } from '../shared/result';
import { isAbsolute } from 'node:path';

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

/** The same bounds as the spec schema's diagnostics.seeds, model.depth, model.width and data.batch. */
const MAX_SEEDS = 100;
const MAX_DEPTH = 100000;
const MAX_WIDTH = 8192;
const MAX_BATCH = 8192;
const MAX_CPU_MINUTES = 100000;

type Check = (v: unknown) => string | null;

const wholeNumber =
  (min: number, max: number): Check =>
  (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? null : `expected a whole number from ${min} to ${max}`;
const boolean: Check = (v) => (typeof v === 'boolean' ? null : 'expected true or false');
const absolutePath: Check = (v) => (typeof v === 'string' && v !== '' && !v.includes('\0') && isAbsolute(v) ? null : 'expected an absolute folder path');

const fields: Record<keyof RunOptions, Check> = {
  backend: (v) => (isBackendChoice(v) ? null : `expected one of ${BACKEND_CHOICES.join(', ')}`),
  seeds: wholeNumber(1, MAX_SEEDS),
  quick: () => null, // checked field by field below
  sweep: boolean,
  train: boolean,
  nativeModulePaths: (v) => (Array.isArray(v) && v.length <= 16 && v.every((p) => absolutePath(p) === null) ? null : 'expected a list of at most 16 absolute folder paths'),
  maxCpuMinutes: (v) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= MAX_CPU_MINUTES ? null : `expected a number of minutes from 0 to ${MAX_CPU_MINUTES}`),
  maxSeconds: (v) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? null : 'expected a number of seconds, 0 or more'),
  thresholds: () => null, // checked field by field below
  dataRoot: absolutePath,
  allowDataOutside: boolean,
};

const quickFields: Record<keyof NonNullable<RunOptions['quick']>, Check> = {
  maxDepth: wholeNumber(1, MAX_DEPTH),
  maxWidth: wholeNumber(1, MAX_WIDTH),
  maxBatch: wholeNumber(1, MAX_BATCH),
  seeds: wholeNumber(1, MAX_SEEDS),
};

const thresholdFields: Record<string, Check> = {
  gradGrowthPerLayer: (v) => (typeof v === 'number' && v >= 1 && v <= 1000 ? null : 'expected a number from 1 to 1000 (as thresholds.grad-growth-per-layer)'),
  gradLog10Range: (v) => (typeof v === 'number' && v > 0 && v <= 1000 ? null : 'expected a number above 0, at most 1000 (as thresholds.grad-log10-range)'),
  errorLog10Range: (v) => (typeof v === 'number' && v > 0 && v <= 1000 ? null : 'expected a number above 0, at most 1000 (as thresholds.error-log10-range)'),
};

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function describe(v: unknown): string {
  if (typeof v === 'string') return v.length > 40 ? `a string of ${v.length} characters` : JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  return Array.isArray(v) ? `a list of ${v.length}` : 'an object';
}

function checkObject(value: unknown, checks: Record<string, Check>, prefix: string, required: readonly string[]): void {
  if (!isPlainObject(value)) throw new RunOptionsError(`run options${prefix ? `: ${prefix}` : ''}: expected an object, got ${describe(value)}`, prefix || 'options');
  for (const key of required) {
    if (!(key in value)) throw new RunOptionsError(`run options: ${prefix}${key} is required`, `${prefix}${key}`);
  }
  for (const [key, v] of Object.entries(value)) {
    const name = `${prefix}${key}`;
    const check = Object.prototype.hasOwnProperty.call(checks, key) ? checks[key] : undefined;
    if (!check) throw new RunOptionsError(`run options: unknown option ${name.length > 60 ? `${name.slice(0, 60)}…` : name}`, name);
    if (v === undefined) continue;
    const problem = check(v);
    if (problem) throw new RunOptionsError(`run options: ${name}: ${problem}, got ${describe(v)}`, name);
  }
}

/** Throws RunOptionsError at the first bad field. */
export function validateRunOptions(options: unknown): asserts options is RunOptions {
  checkObject(options, fields, '', ['backend']);
  const o = options as RunOptions;
  if (o.quick !== undefined) checkObject(o.quick, quickFields, 'quick.', ['maxDepth', 'maxWidth', 'seeds']);
  if (o.thresholds !== undefined) checkObject(o.thresholds, thresholdFields, 'thresholds.', []);
}
