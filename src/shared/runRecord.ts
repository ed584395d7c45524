// The machine part of a report's run record (Node only: the CLI and the extension host call it, never the webview).
import { arch, cpus, platform, totalmem } from 'node:os';
import type { RunRecord } from './panelHtml';
import type { RunOptions } from './protocol';

export function machineRecord(): RunRecord['machine'] {
  const cores = cpus();
  return {
    platform: platform(),
    arch: arch(),
    cpus: cores.length,
    cpuModel: cores[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
  };
}

/** The options that change a run's numbers, flattened for the record (paths and thresholds' objects left out). */
export function optionsRecord(options: RunOptions): RunRecord['options'] {
  const out: RunRecord['options'] = { backend: options.backend };
  if (options.seeds !== undefined) out.seeds = options.seeds;
  if (options.quick) {
    out['quick.maxDepth'] = options.quick.maxDepth;
    out['quick.maxWidth'] = options.quick.maxWidth;
    out['quick.seeds'] = options.quick.seeds;
  }
  if (options.sweep !== undefined) out.sweep = options.sweep;
  if (options.train !== undefined) out.train = options.train;
  for (const [k, v] of Object.entries(options.thresholds ?? {})) if (typeof v === 'number') out[`thresholds.${k}`] = v;
  return out;
}

/** `options` undefined: not known (a result restored from an earlier session); the record then lists none. */
export function runRecord(specText: string, depthlensVersion: string, producedBy: string, options: RunOptions | undefined): RunRecord {
  return { specText, depthlensVersion, createdAt: new Date().toISOString(), producedBy, machine: machineRecord(), options: options ? optionsRecord(options) : {} };
}
