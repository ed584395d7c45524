// The run history of each spec and which earlier run the charts compare with. Pure: no DOM, unit-tested in Node.
import type { Result } from '../shared/result';
import { HISTORY_LIMIT, RUN_NAME_LIMIT, type RunEntry } from './state';

/**
 * Overlaying curves layer for layer only means something between runs of the same depth and mode; on relative depth
 * (ℓ/L, `relative`) any two runs line up (a quick run's 100 layers over a full run's 1000), the legend naming each.
 */
export function comparable(a: Result, b: Result, relative = false): boolean {
  return relative || (a.layers.length === b.layers.length && !!a.quick === !!b.quick);
}

/** Why `other` is not overlaid on `current`, in words; null when they are comparable. */
export function incomparableReason(current: Result, other: Result, relative = false): string | null {
  if (comparable(current, other, relative)) return null;
  const what = (r: Result): string => `${r.layers.length} layers, ${r.quick ? 'quick' : 'full'}`;
  return `it measured ${what(other)}; this run ${what(current)}`;
}

/** Names (or, with an empty name, unnames) run `n` of a spec's history; false when there is no such run. */
export function nameRun(history: Record<string, RunEntry[]>, file: string, n: number, name: string): boolean {
  const entry = history[file]?.find((r) => r.n === n);
  if (!entry) return false;
  const trimmed = name.trim().slice(0, RUN_NAME_LIMIT);
  if (trimmed) entry.name = trimmed;
  else delete entry.name;
  return true;
}

/**
 * Appends a finished run to its spec's history (numbered after the last one), keeping the newest HISTORY_LIMIT; a run
 * already there is returned as it is.
 */
export function addRun(history: Record<string, RunEntry[]>, result: Result, at: number): RunEntry {
  const runs = history[result.spec.path] ?? [];
  const known = currentEntry(runs, result);
  if (known) return known;
  const entry: RunEntry = { n: (runs[runs.length - 1]?.n ?? 0) + 1, at, result };
  history[result.spec.path] = [...runs, entry].slice(-HISTORY_LIMIT);
  return entry;
}

/**
 * The same finished run, however it reached the panel (a result message, a snapshot re-sent after a reload, restored
 * state): same spec, timings and size.
 */
export function sameRun(a: Result, b: Result): boolean {
  return (
    a.spec.path === b.spec.path &&
    a.seconds === b.seconds &&
    a.timings.initSeconds === b.timings.initSeconds &&
    a.timings.diagnosticSeconds === b.timings.diagnosticSeconds &&
    a.layers.length === b.layers.length &&
    !!a.partial === !!b.partial
  );
}

/** The history entry of the run shown, if it is a finished one. */
export function currentEntry(runs: readonly RunEntry[], current: Result): RunEntry | null {
  for (let i = runs.length - 1; i >= 0; i--) if (sameRun(runs[i].result, current)) return runs[i];
  return null;
}

/**
 * The run to draw dashed under the current one: the one picked (when it is comparable), else the newest earlier
 * comparable run. Never the current run itself.
 */
export function baselineRun(runs: readonly RunEntry[], current: Result, picked: number | undefined, relative = false): RunEntry | null {
  const self = currentEntry(runs, current);
  const earlier = runs.filter((r) => r !== self && (self === null || r.n < self.n));
  if (picked !== undefined) {
    const chosen = runs.find((r) => r.n === picked && r !== self);
    if (chosen && comparable(current, chosen.result, relative)) return chosen;
  }
  for (let i = earlier.length - 1; i >= 0; i--) if (comparable(current, earlier[i].result, relative)) return earlier[i];
  return null;
}

function clock(at: number): string {
  if (at <= 0) return 'earlier';
  const d = new Date(at);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((v) => String(v).padStart(2, '0')).join(':');
}

/** "run 3 · full · 24 layers · 14:02:11" (“baseline” · run 3 · … when named): what a run is called in the picker. */
export function runLabel(entry: RunEntry): string {
  const named = entry.name ? `“${entry.name}” · ` : '';
  return `${named}run ${entry.n} · ${entry.result.quick ? 'quick' : 'full'} · ${entry.result.layers.length} layers · ${clock(entry.at)}`;
}

/** The short name used in chart legends: "run 3 (full, 24 layers)", or "“baseline” (run 3, full, 24 layers)". */
export function runShortLabel(entry: RunEntry): string {
  const what = `${entry.result.quick ? 'quick' : 'full'}, ${entry.result.layers.length} layers`;
  return entry.name ? `“${entry.name}” (run ${entry.n}, ${what})` : `run ${entry.n} (${what})`;
}
