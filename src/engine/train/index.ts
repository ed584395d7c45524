/**
 * Short training (DESIGN §3 `train:`), run after the diagnostics when the spec has a train section:
 *
 *   runTraining(tf, spec, hooks?, depths?): Promise<TrainOutcome>
 *     Trains the spec's model (seed diagnostics.seed), then the same training at each depth of diagnostics.depths
 *     (Result.train.depthRuns), and returns Result.train, the DL204 findings (paths only; ranges are added by the caller from
 *     the source map) and the seconds spent. hooks.onProgress gets a 0..1 fraction of the training phase; hooks.onPartial the
 *     TrainResult so far after every record; hooks.signal aborts within a step (CancelledError from ../errors).
 */
import type { TrainRecord, TrainResult } from '../../shared/result';
import type { Spec } from '../../spec/types';
import type { Finding } from '../../shared/findings';
import type { Tf } from '../backend';
import { resizeSpec } from '../resize';
import { trainingFindings } from './trainingFindings';
import { trainNetwork, type TrainRun } from './trainer';

/** Progress is reported at most this often (and at the end of each run): a step can take well under a millisecond. */
const PROGRESS_EVERY_MS = 50;

export interface TrainHooks {
  onProgress?: (p: { fraction: number; step: number; depth: number; message: string }) => void;
  onPartial?: (train: TrainResult) => void;
  signal?: AbortSignal;
}

export interface TrainOutcome {
  train: TrainResult;
  findings: Finding[];
  seconds: number;
}

export async function runTraining(
  tf: Tf,
  spec: Spec,
  hooks: TrainHooks = {},
  /** Depths of the depth comparison; diagnostics.depths unless the caller skips or caps the sweep. */
  depths: readonly number[] = spec.diagnostics.depths ?? [],
): Promise<TrainOutcome> {
  const train = spec.train;
  if (!train) throw new Error('runTraining: the spec has no train section');
  const started = performance.now();
  const seed = spec.diagnostics.seed;
  const comparison = comparisonSpecs(spec, depths);
  const totalSteps = train.steps * (1 + comparison.length);
  let stepsBefore = 0;
  let lastProgress = -Infinity;
  const result: TrainResult = { records: [], diverged: null, depth: spec.model.depth, optimizer: train.optimizer, lr: train.lr };

  const runOne = async (s: Spec, onRecords: (records: readonly TrainRecord[]) => void): Promise<TrainRun> => {
    const run = await trainNetwork(tf, s, s.model.layers, seed, {
      signal: hooks.signal,
      onRecord: (records) => {
        onRecords(records);
        hooks.onPartial?.(result);
      },
      onProgress: (p) => {
        const now = performance.now();
        if (p.step < p.steps && now - lastProgress < PROGRESS_EVERY_MS) return;
        lastProgress = now;
        hooks.onProgress?.({
          fraction: Math.min(1, (stepsBefore + p.step) / totalSteps),
          step: p.step,
          depth: p.depth,
          message: `training depth ${p.depth}: step ${p.step}/${p.steps}`,
        });
      },
    });
    stepsBefore += train.steps;
    return run;
  };

  const main = await runOne(spec, (records) => (result.records = [...records]));
  result.diverged = main.diverged;
  result.labels = main.labels;
  if (main.skipped) result.skipped = main.skipped;
  const runs: TrainRun[] = [];
  if (comparison.length > 0) {
    result.depthRuns = [];
    for (const s of comparison) {
      if (s.model.depth === spec.model.depth) {
        runs.push(main);
        result.depthRuns.push({ depth: main.depth, records: main.records, diverged: main.diverged, ...(main.skipped ? { skipped: main.skipped } : {}) });
        stepsBefore += train.steps;
        const message = `training depth ${main.depth}: same as the main run`;
        hooks.onProgress?.({ fraction: stepsBefore / totalSteps, step: train.steps, depth: main.depth, message });
        continue;
      }
      const entry = { depth: s.model.depth, records: [] as TrainRecord[], diverged: null as TrainRun['diverged'] };
      result.depthRuns.push(entry);
      const run = await runOne(s, (records) => (entry.records = [...records]));
      entry.diverged = run.diverged;
      if (run.skipped) Object.assign(entry, { skipped: run.skipped });
      runs.push(run);
    }
  }
  return { train: result, findings: trainingFindings(train, main, runs), seconds: (performance.now() - started) / 1000 };
}

/** Rough cost of runTraining in "layer passes" (steps × layers), to weigh training against the diagnostics in progress. */
export function trainingWork(spec: Spec, depths: readonly number[] = spec.diagnostics.depths ?? []): number {
  if (!spec.train) return 0;
  const layers = spec.model.depth + comparisonSpecs(spec, depths).reduce((s, c) => s + (c.model.depth === spec.model.depth ? 0 : c.model.depth), 0);
  return spec.train.steps * layers;
}

/** The spec at each depth (an explicit layer list cannot grow: deeper entries are skipped). */
function comparisonSpecs(spec: Spec, depths: readonly number[]): Spec[] {
  return depths.map((d) => resizeSpec(spec, d)).filter((s): s is Spec => s !== null);
}
