// The phases of a run on a started backend (./index analyze): diagnostics for every seed, the depth sweep, the short
// training. Each fills in its part of the Result and reports progress over the whole run's work.
import type { ProgressEvent } from '../shared/protocol';
import type { DepthSweepPoint, Result } from '../shared/result';
import { valueRange, type SourceMap, type Spec } from '../spec';
import type { Backend } from './backend';
import { aggregateLayers, runSeed, type SeedRun } from './diagnose';
import { growthFit, spread } from './stats';
import { runTraining } from './train';

export type PhaseProgress = Omit<ProgressEvent, 'type' | 'id'>;

/** A depth of the sweep, with the spec at that depth (null where an explicit layer list cannot reach it). */
export type SweepSpec = { depth: number; spec: Spec | null };

/** The run's progress over its whole work (layer passes of every phase), shared by the phases. */
export class RunProgress {
  private done = 0;

  constructor(
    private readonly work: number,
    readonly report: (p: PhaseProgress) => void,
  ) {}

  /** The fraction of the run done once `within` (0..1) of the next `size` units are. */
  fraction(within: number, size: number): number {
    return Math.min(1, (this.done + within * size) / Math.max(1, this.work));
  }

  advance(units: number): void {
    this.done += units;
  }
}

/** What every phase works with: the spec as written and the plan's (capped) spec and seeds, the backend, the Result it fills in. */
export interface PhaseContext {
  spec: Spec;
  plan: { spec: Spec; seeds: number };
  backend: Backend;
  signal?: AbortSignal;
  /** Positions of the spec's keys, so findings carry ranges. */
  source?: SourceMap;
  result: Result;
  progress: RunProgress;
  /** Streams the Result so far (at most every PARTIAL_EVERY_MS unless forced). */
  emitPartial: (force?: boolean) => void;
}

/** Diagnostics, one seed at a time: the Result's layers and growth after each. */
export async function diagnosticsPhase({ spec, plan, backend, signal, result, progress, emitPartial }: PhaseContext): Promise<SeedRun[]> {
  const runs: SeedRun[] = [];
  for (let s = 0; s < plan.seeds; s++) {
    const seed = spec.diagnostics.seed + s;
    const size = plan.spec.model.depth;
    const run = await runSeed(backend, plan.spec, seed, {
      signal,
      onProgress: (f, layer) => progress.report({ phase: 'diagnostics', fraction: progress.fraction(f, size), seed, layer, message: `seed ${seed}: layer ${layer}` }),
    });
    progress.advance(size);
    runs.push(run);
    result.timings.initSeconds += run.initSeconds;
    result.timings.diagnosticSeconds += run.diagnosticSeconds;
    result.layers = aggregateLayers(runs);
    result.growth = growthFit(result.layers.map((l) => l.logGradNorm.mean));
    progress.report({ phase: 'diagnostics', fraction: progress.fraction(0, 0), seed, message: `seed ${seed} done` });
    emitPartial(s === 0);
  }
  return runs;
}

/** The depth sweep: ln ‖∇W_0‖ (the paper's first-layer W_1) against depth, reusing the diagnostics at the run's own depth. */
export async function sweepPhase({ spec, plan, backend, signal, result, progress, emitPartial }: PhaseContext, sweepSpecs: SweepSpec[], runs: SeedRun[]): Promise<void> {
  const t0 = performance.now();
  const points: DepthSweepPoint[] = [];
  result.depthSweep = points;
  for (const { depth, spec: atDepth } of sweepSpecs) {
    if (!atDepth) continue;
    const values: number[] = [];
    if (atDepth === plan.spec) {
      // Same network and seeds as the main diagnostics: reuse them.
      values.push(...runs.map((r) => r.pass.layers[0]?.logGradNorm ?? NaN));
      progress.advance(depth * plan.seeds);
    }
    for (let s = values.length; s < plan.seeds; s++) {
      const seed = spec.diagnostics.seed + s;
      const run = await runSeed(backend, atDepth, seed, {
        signal,
        onProgress: (f, layer) => progress.report({ phase: 'sweep', fraction: progress.fraction(f, depth), seed, layer, message: `depth ${depth}, seed ${seed}` }),
      });
      progress.advance(depth);
      values.push(run.pass.layers[0]?.logGradNorm ?? NaN);
      progress.report({ phase: 'sweep', fraction: progress.fraction(0, 0), seed, message: `depth ${depth}, seed ${seed} done` });
    }
    points.push({ depth, logGradNormW1: spread(values) });
    result.timings.sweepSeconds = (performance.now() - t0) / 1000;
    emitPartial();
  }
}

/** The short training (src/engine/train), after the diagnostics. */
export async function trainingPhase({ plan, backend, signal, source, result, progress, emitPartial }: PhaseContext, training: { depths: number[]; work: number }): Promise<void> {
  const trained = await runTraining(
    backend.tf,
    plan.spec,
    {
      signal,
      onProgress: (p) => progress.report({ phase: 'train', fraction: progress.fraction(p.fraction, training.work), step: p.step, message: p.message }),
      onPartial: (train) => {
        result.train = train;
        emitPartial();
      },
    },
    training.depths,
  );
  result.train = trained.train;
  result.timings.trainSeconds = trained.seconds;
  result.findings.push(...trained.findings.map((f) => (source ? { ...f, range: valueRange(source, f.path) } : f)));
}
