// Every message that crosses a process or webview boundary, typed in one place (DESIGN.md §2).
//   extension host ⇄ engine process:  EngineRequest / EngineEvent  (child_process IPC)
//   extension host ⇄ webview panel:   HostToWebview / WebviewToHost (postMessage)
// Type guards validate messages on arrival: a malformed message is ignored, never trusted.
import { isBackendChoice, type BackendChoice, type BackendInfo, type Result } from './result';
import { SEVERITIES, type Finding } from './findings';
import type { ThresholdsSpec } from '../spec/types';
import type { Range, SpecPath } from './findings';
import { RUN_ERROR_KINDS, type RunError } from './runError';
import { RUN_OPTION_TABLE, runOptionsProblem } from './runOptionRules';

export type { Result } from './result';

// ---------- host → engine ----------

export interface RunOptions {
  backend: BackendChoice;
  /** Override diagnostics.seeds. */
  seeds?: number;
  /** Quick run: caps applied to the spec (auto-run on edit). The batch is capped at maxBatch (default maxWidth). */
  quick?: QuickCaps;
  /** Run the depth sweep (diagnostics.depths). Default true when the spec has depths. */
  sweep?: boolean;
  /** Run the short training (train:). Default true when the spec has train. */
  train?: boolean;
  /** Extra directories where native backends may be installed (the extension's global storage). */
  nativeModulePaths?: string[];
  /** Runs predicted longer than this on wasm/cpu are refused before they start; default 10, 0 for no limit. */
  maxCpuMinutes?: number;
  /**
   * A budget in seconds: a run predicted to take longer on the chosen backend is refused before any work with an
   * 'over-budget' error that carries the prediction (the extension then asks whether to run it anyway). Absent: no budget.
   */
  maxSeconds?: number;
  /** Override the spec's thresholds for the measured findings (the extension's settings, for specs that set none). */
  thresholds?: Partial<ThresholdsSpec>;
  /** Data files (data.path, data.labels) must lie inside this folder (the extension: the spec's workspace folder); default the spec file's folder. */
  dataRoot?: string;
  /** Allow data files anywhere (the CLI's --allow-data-outside). */
  allowDataOutside?: boolean;
}

export interface QuickCaps {
  maxDepth: number;
  maxWidth: number;
  maxBatch?: number;
  seeds: number;
}

export interface RunRequest {
  type: 'run';
  id: number;
  /** Spec text as in the editor (may be unsaved). */
  text: string;
  /** Spec file path: resolves csv/npy paths and names the spec in results. */
  file: string;
  options: RunOptions;
}

export interface CancelRequest {
  type: 'cancel';
  id: number;
}

export interface ShutdownRequest {
  type: 'shutdown';
}

/**
 * Start the backend and run one tiny pass (JIT, kernels) before any run asks for it, so that the first edit of a session
 * is answered as fast as later ones. Ignored while a run is in flight; answered by a WarmedEvent.
 */
export interface WarmRequest {
  type: 'warm';
  /** Echoed by the WarmedEvent that answers it. */
  id: number;
  backend: BackendChoice;
  nativeModulePaths?: string[];
}

export type EngineRequest = RunRequest | CancelRequest | ShutdownRequest | WarmRequest;

// ---------- engine → host ----------

export const RUN_PHASES = ['backend', 'init', 'diagnostics', 'sweep', 'train', 'done'] as const;
export type RunPhase = (typeof RUN_PHASES)[number];

export interface ProgressEvent {
  type: 'progress';
  id: number;
  phase: RunPhase;
  /** 0..1 over the whole run. */
  fraction: number;
  seed?: number;
  layer?: number;
  step?: number;
  message: string;
  /** The whole run's predicted seconds on the chosen backend, sent once the backend is up (absent where not predictable). */
  predictedSeconds?: number;
  /** Seconds left, re-estimated from the pace so far (absent where the run is not predictable). */
  remainingSeconds?: number;
}

/** A partial result: what is known so far, streamed while the run goes on. */
export interface PartialEvent {
  type: 'partial';
  id: number;
  result: Result;
}

export interface DoneEvent {
  type: 'done';
  id: number;
  result: Result;
}

/** A failed run: the error as data (./runError), with the spec's problems when it was invalid (kind 'spec'). */
export interface ErrorEvent extends RunError {
  type: 'error';
  id: number;
  /** Spec problems when the spec was invalid (DL001). */
  findings?: Finding[];
}

export interface CancelledEvent {
  type: 'cancelled';
  id: number;
}

export interface ReadyEvent {
  type: 'ready';
}

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LogEvent {
  type: 'log';
  level: LogLevel;
  message: string;
}

export interface BackendEvent {
  type: 'backend';
  id: number;
  backend: BackendInfo;
}

export interface WarmedEvent {
  type: 'warmed';
  /** The WarmRequest answered. */
  id: number;
  /** The backend now started, or null when it could not start or the warm-up was skipped (the message says why). */
  backend: BackendInfo | null;
  milliseconds: number;
  message?: string;
}

export type EngineEvent =
  | ReadyEvent
  | WarmedEvent
  | LogEvent
  | BackendEvent
  | ProgressEvent
  | PartialEvent
  | DoneEvent
  | ErrorEvent
  | CancelledEvent;

// ---------- host → webview ----------

export const RUN_STATES = ['idle', 'running', 'done', 'cancelled', 'error'] as const;
export type RunState = (typeof RUN_STATES)[number];

export interface ShowResultMessage {
  type: 'result';
  result: Result;
  /** The run before this one (same spec file), for the before/after comparison. */
  previous?: Result | null;
}

export interface RunStateMessage {
  type: 'runState';
  state: RunState;
  message?: string;
  progress?: { fraction: number; text: string };
}

/** Static findings of the spec being edited, sent on every (debounced) edit. */
export interface SpecFindingsMessage {
  type: 'specFindings';
  file: string;
  findings: Finding[];
}

/** Why the charts no longer show the spec as written: its text changed since the run, or it does not parse. */
export const STALE_REASONS = ['edited', 'invalid'] as const;
export type StaleReason = (typeof STALE_REASONS)[number];

/**
 * The spec the panel follows (the active spec editor), sent when the user switches specs and whenever its staleness
 * changes. The panel then shows that spec's runs only; a result of another spec does not replace them.
 */
export interface ShowDocumentMessage {
  type: 'document';
  file: string;
  /** The spec's `name:` (or the file name when it has none). */
  name: string;
  stale: StaleReason | null;
}

export type HostToWebview = ShowResultMessage | RunStateMessage | SpecFindingsMessage | ShowDocumentMessage;

// ---------- webview → host ----------

export interface WebviewReadyMessage {
  type: 'ready';
}

export interface RevealMessage {
  type: 'reveal';
  path: SpecPath;
  range?: Range;
}

export const RUN_MODES = ['quick', 'full'] as const;
export type RunMode = (typeof RUN_MODES)[number];

export interface RunRequestMessage {
  type: 'run';
  mode: RunMode;
  seeds?: number;
}

export interface CancelRunMessage {
  type: 'cancel';
}

/** Save a chart as PNG (webviews cannot download): the host asks where and writes the decoded data URL. */
export interface ExportImageMessage {
  type: 'exportImage';
  /** Suggested file name, e.g. "gradient-norm.png". */
  name: string;
  /** "data:image/png;base64,..." */
  dataUrl: string;
}

/** "Apply fix" in the panel's findings: the host applies the fix with this title of the finding (code, path) it knows. */
export interface ApplyFixMessage {
  type: 'applyFix';
  code: string;
  path: SpecPath;
  title: string;
}

export type WebviewToHost = WebviewReadyMessage | RevealMessage | RunRequestMessage | CancelRunMessage | ExportImageMessage | ApplyFixMessage;

// ---------- guards ----------

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** x is one of `list`'s values: the runtime side of a `(typeof LIST)[number]` type. */
export function isOneOf<T extends string>(list: readonly T[], x: unknown): x is T {
  return typeof x === 'string' && (list as readonly string[]).includes(x);
}

function isFiniteNumber(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

function optional(x: unknown, check: (v: unknown) => boolean): boolean {
  return x === undefined || check(x);
}

const isString = (x: unknown): x is string => typeof x === 'string';

/** The warm request's native module folders, under the run option's rule. */
const isNativeModulePaths = (x: unknown): x is string[] => RUN_OPTION_TABLE.fields.nativeModulePaths(x) === null;

function isBackendInfo(x: unknown): boolean {
  return isObject(x) && typeof x.name === 'string' && typeof x.version === 'string' && isFiniteNumber(x.threads) && optional(x.reason, isString);
}

/** Every field of RunOptions within the bounds of the shared option table (the engine names the bad one; here the message is dropped). */
export function isRunOptions(x: unknown): x is RunOptions {
  return runOptionsProblem(x) === null;
}

function isRunError(x: Record<string, unknown>): x is Record<string, unknown> & RunError {
  return (
    isOneOf(RUN_ERROR_KINDS, x.kind) &&
    typeof x.message === 'string' &&
    optional(x.path, isString) &&
    optional(x.range, isRange) &&
    optional(x.predictedSeconds, isFiniteNumber) &&
    optional(x.budgetSeconds, isFiniteNumber)
  );
}

function isPosition(x: unknown): boolean {
  return isObject(x) && isFiniteNumber(x.line) && isFiniteNumber(x.character);
}

export function isRange(x: unknown): x is Range {
  return isObject(x) && isPosition(x.start) && isPosition(x.end);
}

export function isFinding(x: unknown): x is Finding {
  return (
    isObject(x) &&
    typeof x.code === 'string' &&
    /^DL\d{3}$/.test(x.code) &&
    isOneOf(SEVERITIES, x.severity) &&
    typeof x.message === 'string' &&
    typeof x.path === 'string' &&
    (x.range === undefined || isRange(x.range))
  );
}

/** Structural check of a Result: enough that views can draw it without throwing. */
export function isResult(x: unknown): x is Result {
  return (
    isObject(x) &&
    x.depthlens === 1 &&
    isObject(x.spec) &&
    isObject(x.backend) &&
    typeof x.backend.name === 'string' &&
    Array.isArray(x.layers) &&
    x.layers.every((l) => isObject(l) && isFiniteNumber(l.index) && isObject(l.isometryGap) && isObject(l.logGradNorm)) &&
    Array.isArray(x.findings) &&
    x.findings.every(isFinding)
  );
}

export function isHostToWebview(x: unknown): x is HostToWebview {
  if (!isObject(x)) return false;
  switch (x.type) {
    case 'result':
      return isResult(x.result) && (x.previous === undefined || x.previous === null || isResult(x.previous));
    case 'runState':
      return isOneOf(RUN_STATES, x.state);
    case 'specFindings':
      return typeof x.file === 'string' && Array.isArray(x.findings) && x.findings.every(isFinding);
    case 'document':
      return typeof x.file === 'string' && typeof x.name === 'string' && (x.stale === null || isOneOf(STALE_REASONS, x.stale));
    default:
      return false;
  }
}

export function isWebviewToHost(x: unknown): x is WebviewToHost {
  if (!isObject(x)) return false;
  switch (x.type) {
    case 'ready':
    case 'cancel':
      return true;
    case 'reveal':
      return typeof x.path === 'string' && (x.range === undefined || isRange(x.range));
    case 'run':
      return isOneOf(RUN_MODES, x.mode) && (x.seeds === undefined || (isFiniteNumber(x.seeds) && x.seeds >= 1));
    case 'exportImage':
      return typeof x.name === 'string' && typeof x.dataUrl === 'string' && x.dataUrl.startsWith('data:image/png;base64,');
    case 'applyFix':
      return typeof x.code === 'string' && typeof x.path === 'string' && typeof x.title === 'string';
    default:
      return false;
  }
}

export function isEngineRequest(x: unknown): x is EngineRequest {
  if (!isObject(x)) return false;
  switch (x.type) {
    case 'run':
      return isFiniteNumber(x.id) && typeof x.text === 'string' && typeof x.file === 'string' && isRunOptions(x.options);
    case 'cancel':
      return isFiniteNumber(x.id);
    case 'shutdown':
      return true;
    case 'warm':
      return isFiniteNumber(x.id) && isBackendChoice(x.backend) && optional(x.nativeModulePaths, isNativeModulePaths);
    default:
      return false;
  }
}

export function isEngineEvent(x: unknown): x is EngineEvent {
  if (!isObject(x) || typeof x.type !== 'string') return false;
  switch (x.type) {
    case 'ready':
      return true;
    case 'warmed':
      return isFiniteNumber(x.id) && isFiniteNumber(x.milliseconds) && (x.backend === null || isBackendInfo(x.backend)) && optional(x.message, isString);
    case 'log':
      return isOneOf(LOG_LEVELS, x.level) && typeof x.message === 'string';
    case 'backend':
      return isFiniteNumber(x.id) && isBackendInfo(x.backend);
    case 'progress':
      return (
        isFiniteNumber(x.id) &&
        isOneOf(RUN_PHASES, x.phase) &&
        isFiniteNumber(x.fraction) &&
        typeof x.message === 'string' &&
        [x.seed, x.layer, x.step, x.predictedSeconds, x.remainingSeconds].every((v) => optional(v, isFiniteNumber))
      );
    case 'partial':
    case 'done':
      return isFiniteNumber(x.id) && isResult(x.result);
    case 'error':
      return isFiniteNumber(x.id) && isRunError(x) && optional(x.findings, (f) => Array.isArray(f) && f.every(isFinding));
    case 'cancelled':
      return isFiniteNumber(x.id);
    default:
      return false;
  }
}
