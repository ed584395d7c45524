// The phases of a run on a started backend — diagnostics for every seed, the depth sweep, the short training — and the
// tracker they share: one progress fraction over all of them, partial results at most every 100 ms, the GPU's peak memory.
import type { DepthSweepPoint, Result } from '../shared/result';
import { valueRange, type Spec } from '../spec';
import type { Backend } from './backend';
import { aggregateLayers, runSeeds, type SeedRun } from './diagnose';
import type { PeakGpuMemory } from './gpuMemory';
import type { AnalyzeHooks, AnalyzeProgress } from './hooks';
import { measuredFindings } from './measuredFindings';
import type { RunPlan, SweepNetwork, TrainingPlan } from './plan';
import { growthFit, spread } from './stats';
import { runTraining } from './train';

const PARTIAL_EVERY_MS = 100;

/** Progress over the whole run, in layer passes, and the partial results the caller sees while it goes. */
export class RunTracker {
  private done = 0;
  private lastPartial = 0;

  constructor(
    private readonly total: number,
    private readonly hooks: AnalyzeHooks,
    private readonly started: number,
    private readonly gpuMemory: PeakGpuMemory | null,
  ) {}

  /** The run's fraction done, `within` (0–1) of the next `size` layer passes. */
  fraction(within: number, size: number): number {
    return Math.min(1, (this.done + within * size) / Math.max(1, this.total));
  }

  advance(size: number): void {
    this.done += size;
  }

  progress(p: AnalyzeProgress): void {
    this.gpuMemory?.sample();
    this.hooks.onProgress?.(p);
  }

  partial(result: Result, force = false): void {
    if (!this.hooks.onPartial) return;
    const now = performance.now();
    if (!force && now - this.lastPartial < PARTIAL_EVERY_MS) return;
    this.lastPartial = now;
    this.hooks.onPartial({ ...result, seconds: (now - this.started) / 1000, partial: true });
  }
}

/** What every phase works on: the spec as written, the plan, the backend, the result being filled in. */
export interface PhaseContext {
  spec: Spec;
  plan: RunPlan;
  backend: Backend;
  hooks: AnalyzeHooks;
  result: Result;
  tracker: RunTracker;
}

/**
 * Progress within one seed's pass (forward then backward, `f` over both) as layers done: the backward pass visits the
 * layers from the output down, and a layer index would count down there.
 */
export function passText(f: number, depth: number): string {
  const done = Math.round(f * 2 * depth);
  return done <= depth ? `forward pass, ${done} of ${depth} layers` : `backward pass, ${done - depth} of ${depth} layers`;
}

/** "seed 2 of 5", or "seeds 1–3 of 5" for a batched pass (./seedPlan); `first` counts from 0. */
function seedsText(first: number, count: number, of: number): string {
  return count === 1 ? `seed ${first + 1} of ${of}` : `seeds ${first + 1}–${first + count} of ${of}`;
}

/** The run's seeds: spec.diagnostics.seed, +1, … */
function seedList(spec: Spec, count: number, from = 0): number[] {
  return Array.from({ length: count - from }, (_, k) => spec.diagnostics.seed + from + k);
}

/** The diagnostic pass for every seed: per-layer results, the growth fit and the measured findings. */
export async function diagnosticsPhase({ spec, plan, backend, hooks, result, tracker }: PhaseContext): Promise<SeedRun[]> {
  const seedSpec = plan.spec;
  const statics = result.findings;
  const size = seedSpec.model.depth;
  const sofar: SeedRun[] = [];
  const runs = await runSeeds(backend, seedSpec, seedList(spec, plan.seeds), {
    signal: hooks.signal,
    onProgress: (f, layer, seeds) => {
      const first = seeds[0] - spec.diagnostics.seed;
      const message = `${seedsText(first, seeds.length, plan.seeds)}: ${passText(f, size)}`;
      tracker.progress({ phase: 'diagnostics', fraction: tracker.fraction(f, size * seeds.length), seed: seeds[0], layer, message });
    },
    onPassDone: (done) => {
      const first = result.layers.length === 0;
      tracker.advance(size * done.length);
      for (const run of done) {
        result.timings.initSeconds += run.initSeconds;
        result.timings.diagnosticSeconds += run.diagnosticSeconds;
      }
      sofar.push(...done);
      result.layers = aggregateLayers(sofar);
      result.growth = growthFit(result.layers.map((l) => l.logGradNorm.mean));
      for (const run of done) tracker.progress({ phase: 'diagnostics', fraction: tracker.fraction(0, 0), seed: run.seed, message: `seed ${run.seed} done` });
      tracker.partial(result, first);
    },
  });
  result.findings = [
    ...statics,
    ...measuredFindings({ spec: seedSpec, specDepth: spec.model.depth, layers: result.layers, growth: result.growth, theory: result.theory, runs, staticFindings: statics, source: hooks.source }),
  ];
  return runs;
}

/** The depth sweep: ln ‖∇W_0‖ (the paper's first-layer W_1) against depth; the main depth reuses the diagnostics' seeds. */
export async function sweepPhase({ spec, plan, backend, hooks, result, tracker }: PhaseContext, sweeps: SweepNetwork[], runs: readonly SeedRun[]): Promise<void> {
  const t0 = performance.now();
  const points: DepthSweepPoint[] = [];
  result.depthSweep = points;
  for (const { depth, spec: atDepth } of sweeps) {
    if (!atDepth) continue;
    const values: number[] = [];
    if (atDepth === plan.spec) {
      values.push(...runs.map((r) => r.pass.layers[0]?.logGradNorm ?? NaN));
      tracker.advance(depth * plan.seeds);
    }
    await runSeeds(backend, atDepth, seedList(spec, plan.seeds, values.length), {
      signal: hooks.signal,
      onProgress: (f, layer, seeds) => {
        const which = seeds.length === 1 ? `seed ${seeds[0]}` : `seeds ${seeds[0]}–${seeds[seeds.length - 1]}`;
        tracker.progress({ phase: 'sweep', fraction: tracker.fraction(f, depth * seeds.length), seed: seeds[0], layer, message: `depth ${depth}, ${which}` });
      },
      onPassDone: (done) => {
        tracker.advance(depth * done.length);
        for (const run of done) {
          values.push(run.pass.layers[0]?.logGradNorm ?? NaN);
          tracker.progress({ phase: 'sweep', fraction: tracker.fraction(0, 0), seed: run.seed, message: `depth ${depth}, seed ${run.seed} done` });
        }
      },
    });
    points.push({ depth, logGradNormW1: spread(values) });
    result.timings.sweepSeconds = (performance.now() - t0) / 1000;
    tracker.partial(result);
  }
}

/** The short training run (./train), after the diagnostics; its findings join the result's. */
export async function trainingPhase({ plan, backend, hooks, result, tracker }: PhaseContext, training: TrainingPlan): Promise<void> {
  const trained = await runTraining(
    backend.tf,
    plan.spec,
    {
      signal: hooks.signal,
      onProgress: (p) => tracker.progress({ phase: 'train', fraction: tracker.fraction(p.fraction, training.work), step: p.step, message: p.message }),
      onPartial: (train) => {
        result.train = train;
        tracker.partial(result);
      },
    },
    training.depths,
  );
  result.train = trained.train;
  result.timings.trainSeconds = trained.seconds;
  const source = hooks.source;
  result.findings.push(...trained.findings.map((f) => (source ? { ...f, range: valueRange(source, f.path) } : f)));
}
