// What the panel shows, persisted with setState so a webview reload restores it, and read back defensively: stored state
// may come from an older version of the panel.
import { isFinding, isOneOf, isResult, RUN_MODES, type RunMode } from '../shared/protocol';
import type { Finding } from '../shared/findings';
import type { Result } from '../shared/result';
import { INITIAL_DATA_ID } from '../shared/panelHtml';

export type { RunMode };

export interface PanelState {
  version: 1;
  result: Result | null;
  previous: Result | null;
  /** Static findings of the spec being edited (newer than the result's own static findings). */
  specFindings: { file: string; findings: Finding[] } | null;
  controls: { mode: RunMode; seeds: number | null };
}

export function emptyState(): PanelState {
  return { version: 1, result: null, previous: null, specFindings: null, controls: { mode: 'full', seeds: null } };
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** A stored state, or null when it is missing or not one this version wrote. */
export function restoreState(stored: unknown): PanelState | null {
  if (!isObject(stored) || stored.version !== 1) return null;
  const state = emptyState();
  if (isResult(stored.result)) state.result = stored.result;
  if (isResult(stored.previous)) state.previous = stored.previous;
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
export function readInitialData(doc: Document): { result: Result; previous: Result | null } | null {
  const text = doc.getElementById(INITIAL_DATA_ID)?.textContent;
  if (!text) return null;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(data) || !isResult(data.result)) return null;
  return { result: data.result, previous: isResult(data.previous) ? data.previous : null };
}
