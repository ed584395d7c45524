// What the panel shows, persisted with setState so a webview reload restores it, and read back defensively: stored state
// may come from an older version of the panel.
import { isFinding, isOneOf, isResult, RUN_MODES, STALE_REASONS, type RunMode, type StaleReason } from '../shared/protocol';
import type { Finding } from '../shared/findings';
import type { Result } from '../shared/result';
import { INITIAL_DATA_ID, type RunRecord } from '../shared/panelHtml';

export type { RunMode };

/** A finished run of one spec, numbered in the order the panel saw them (run 1, run 2, …). */
export interface RunEntry {
  n: number;
  /** When the panel received it (ms since the epoch); 0 when unknown (a run from before the panel opened). */
  at: number;
  result: Result;
  /** The name the user gave the run ("baseline", "lr 0.1"), shown in the legend and the Compare picker. */
  name?: string;
}

/** The longest run name kept. */
export const RUN_NAME_LIMIT = 60;

/** Scales chosen per chart with its log/linear toggles. */
export interface AxisChoice {
  x?: 'linear' | 'logarithmic';
  y?: 'log' | 'linear';
}

/** Runs kept per spec: enough to compare a few edits back, small enough for webview state. */
export const HISTORY_LIMIT = 8;

export interface PanelState {
  version: 2;
  /** The spec the panel follows (the active spec editor); null before the host names one (and in the report). */
  document: { file: string; name: string; stale: StaleReason | null } | null;
  /** What the charts show: the document's latest run, or a partial one streaming in. */
  result: Result | null;
  /** Finished runs per spec file, oldest first. */
  history: Record<string, RunEntry[]>;
  /** The run each spec's charts are compared with (its number), when the user picked one; else the latest comparable. */
  baseline: Record<string, number>;
  /** Static findings of the spec being edited (newer than the result's own static findings). */
  specFindings: { file: string; findings: Finding[] } | null;
  controls: { mode: RunMode; seeds: number | null };
  /** Per chart id: the axis scales chosen with its toggles. */
  axes: Record<string, AxisChoice>;
  /** Per-layer charts on relative depth ℓ/L, so runs of different depth can be overlaid. */
  relativeDepth: boolean;
}

export function emptyState(): PanelState {
  return { version: 2, document: null, result: null, history: {}, baseline: {}, specFindings: null, controls: { mode: 'full', seeds: null }, axes: {}, relativeDepth: false };
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isRunEntry(x: unknown): x is RunEntry {
  return isObject(x) && typeof x.n === 'number' && typeof x.at === 'number' && isResult(x.result) && (x.name === undefined || typeof x.name === 'string');
}

function axisChoice(x: unknown): AxisChoice | null {
  if (!isObject(x)) return null;
  const out: AxisChoice = {};
  if (x.x === 'linear' || x.x === 'logarithmic') out.x = x.x;
  if (x.y === 'log' || x.y === 'linear') out.y = x.y;
  return out;
}

/** A stored state, or null when it is missing or not one this version wrote. */
export function restoreState(stored: unknown): PanelState | null {
  if (!isObject(stored) || stored.version !== 2) return null;
  const state = emptyState();
  if (isResult(stored.result)) state.result = stored.result;
  const d = stored.document;
  if (isObject(d) && typeof d.file === 'string' && typeof d.name === 'string' && (d.stale === null || isOneOf(STALE_REASONS, d.stale))) {
    state.document = { file: d.file, name: d.name, stale: d.stale };
  }
  if (isObject(stored.history)) {
    for (const [file, runs] of Object.entries(stored.history)) {
      if (Array.isArray(runs)) state.history[file] = runs.filter(isRunEntry).slice(-HISTORY_LIMIT);
    }
  }
  if (isObject(stored.baseline)) {
    for (const [file, n] of Object.entries(stored.baseline)) if (typeof n === 'number') state.baseline[file] = n;
  }
  if (isObject(stored.axes)) {
    for (const [id, choice] of Object.entries(stored.axes)) {
      const c = axisChoice(choice);
      if (c) state.axes[id] = c;
    }
  }
  if (typeof stored.relativeDepth === 'boolean') state.relativeDepth = stored.relativeDepth;
  const sf = stored.specFindings;
  if (isObject(sf) && typeof sf.file === 'string' && Array.isArray(sf.findings) && sf.findings.every(isFinding)) {
    state.specFindings = { file: sf.file, findings: sf.findings };
  }
  const c = stored.controls;
  if (isObject(c)) {
    if (isOneOf(RUN_MODES, c.mode)) state.controls.mode = c.mode;
    if (typeof c.seeds === 'number' && Number.isInteger(c.seeds) && c.seeds >= 1) state.controls.seeds = c.seeds;
  }
  return state;
}

/** The result inlined by the HTML report, if any: a <script type="application/json"> block, parsed, never executed. */
function isRunRecord(x: unknown): x is RunRecord {
  return (
    isObject(x) &&
    typeof x.specText === 'string' &&
    typeof x.depthlensVersion === 'string' &&
    typeof x.createdAt === 'string' &&
    typeof x.producedBy === 'string' &&
    isObject(x.machine) &&
    isObject(x.options)
  );
}

export function readInitialData(doc: Document): { result: Result; previous: Result | null; record: RunRecord | null } | null {
  const text = doc.getElementById(INITIAL_DATA_ID)?.textContent;
  if (!text) return null;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(data) || !isResult(data.result)) return null;
  return { result: data.result, previous: isResult(data.previous) ? data.previous : null, record: isRunRecord(data.record) ? data.record : null };
}
