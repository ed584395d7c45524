// The run options' bounds, declared once: the protocol guard (./protocol isRunOptions) drops a run request whose options
// break them, and the engine (../engine/runOptions validateRunOptions) refuses them naming the option. No Node built-in
// here (the webview bundles the protocol): an absolute path is recognised by its form, POSIX or Windows.
import { BACKEND_CHOICES, isBackendChoice } from './result';

/** The spec schema's bounds for diagnostics.seeds, model.depth, model.width and data.batch. */
export const RUN_OPTION_LIMITS = {
  seeds: 100,
  depth: 100000,
  width: 8192,
  batch: 8192,
  cpuMinutes: 100000,
  nativeModulePaths: 16,
} as const;

/** One option's rule: the problem with a value (the text after "expected"), or null when it is good. */
export type OptionRule = (v: unknown) => string | null;

/** The rules of an object-valued option: its fields' rules and the fields it must have. */
export interface OptionTable {
  fields: Readonly<Record<string, OptionRule>>;
  required: readonly string[];
  /** Option tables of object-valued fields, checked field by field under "<field>.". */
  nested?: Readonly<Record<string, OptionTable>>;
}

const wholeNumber =
  (min: number, max: number): OptionRule =>
  (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? null : `expected a whole number from ${min} to ${max}`;
const boolean: OptionRule = (v) => (typeof v === 'boolean' ? null : 'expected true or false');
const ABSOLUTE = /^(\/|[A-Za-z]:[\\/]|\\\\)/;
const absolutePath: OptionRule = (v) => (typeof v === 'string' && v !== '' && !v.includes('\0') && ABSOLUTE.test(v) ? null : 'expected an absolute folder path');
const nested: OptionRule = () => null;

const QUICK: OptionTable = {
  fields: {
    maxDepth: wholeNumber(1, RUN_OPTION_LIMITS.depth),
    maxWidth: wholeNumber(1, RUN_OPTION_LIMITS.width),
    maxBatch: wholeNumber(1, RUN_OPTION_LIMITS.batch),
    seeds: wholeNumber(1, RUN_OPTION_LIMITS.seeds),
  },
  required: ['maxDepth', 'maxWidth', 'seeds'],
};

const THRESHOLDS: OptionTable = {
  fields: {
    gradGrowthPerLayer: (v) => (typeof v === 'number' && v >= 1 && v <= 1000 ? null : 'expected a number from 1 to 1000 (as thresholds.grad-growth-per-layer)'),
    gradLog10Range: (v) => (typeof v === 'number' && v > 0 && v <= 1000 ? null : 'expected a number above 0, at most 1000 (as thresholds.grad-log10-range)'),
    errorLog10Range: (v) => (typeof v === 'number' && v > 0 && v <= 1000 ? null : 'expected a number above 0, at most 1000 (as thresholds.error-log10-range)'),
  },
  required: [],
};

/** Every field of RunOptions (../shared/protocol), with its bounds. */
export const RUN_OPTION_TABLE: OptionTable = {
  fields: {
    backend: (v) => (isBackendChoice(v) ? null : `expected one of ${BACKEND_CHOICES.join(', ')}`),
    seeds: wholeNumber(1, RUN_OPTION_LIMITS.seeds),
    quick: nested,
    sweep: boolean,
    train: boolean,
    nativeModulePaths: (v) =>
      Array.isArray(v) && v.length <= RUN_OPTION_LIMITS.nativeModulePaths && v.every((p) => absolutePath(p) === null)
        ? null
        : `expected a list of at most ${RUN_OPTION_LIMITS.nativeModulePaths} absolute folder paths`,
    maxCpuMinutes: (v) =>
      typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= RUN_OPTION_LIMITS.cpuMinutes ? null : `expected a number of minutes from 0 to ${RUN_OPTION_LIMITS.cpuMinutes}`,
    maxSeconds: (v) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? null : 'expected a number of seconds, 0 or more'),
    thresholds: nested,
    dataRoot: absolutePath,
    allowDataOutside: boolean,
  },
  required: ['backend'],
  nested: { quick: QUICK, thresholds: THRESHOLDS },
};

/** The first bad option of `options`: its dotted name ("quick.maxWidth") and the message that names it. */
export interface OptionProblem {
  option: string;
  message: string;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function describe(v: unknown): string {
  if (typeof v === 'string') return v.length > 40 ? `a string of ${v.length} characters` : JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  return Array.isArray(v) ? `a list of ${v.length}` : 'an object';
}

function tableProblem(value: unknown, table: OptionTable, prefix: string): OptionProblem | null {
  if (!isPlainObject(value)) return { option: prefix ? prefix.slice(0, -1) : 'options', message: `run options${prefix ? `: ${prefix.slice(0, -1)}` : ''}: expected an object, got ${describe(value)}` };
  for (const key of table.required) {
    if (!(key in value)) return { option: `${prefix}${key}`, message: `run options: ${prefix}${key} is required` };
  }
  for (const [key, v] of Object.entries(value)) {
    const name = `${prefix}${key}`;
    const rule = Object.prototype.hasOwnProperty.call(table.fields, key) ? table.fields[key] : undefined;
    if (!rule) return { option: name, message: `run options: unknown option ${name.length > 60 ? `${name.slice(0, 60)}…` : name}` };
    if (v === undefined) continue;
    const problem = rule(v);
    if (problem) return { option: name, message: `run options: ${name}: ${problem}, got ${describe(v)}` };
    const inner = table.nested && Object.prototype.hasOwnProperty.call(table.nested, key) ? table.nested[key] : undefined;
    if (inner) {
      const found = tableProblem(v, inner, `${name}.`);
      if (found) return found;
    }
  }
  return null;
}

/** The first option of `options` that breaks RUN_OPTION_TABLE, or null when every option is good. */
export function runOptionsProblem(options: unknown): OptionProblem | null {
  return tableProblem(options, RUN_OPTION_TABLE, '');
}
