// analyze(spec, options, hooks): the engine's entry point. Runs the diagnostic pass for every seed on the chosen backend,
// the optional depth sweep, and returns a Result (DESIGN §3b) with the theory's static findings and the measured ones.
import type { BackendInfo, DepthSweepPoint, QuickCaps, Result, TheoryLine } from '../shared/result';
import type { ProgressEvent, RunOptions } from '../shared/protocol';
import { valueRange, type SourceMap, type Spec } from '../spec';
import { predict, staticFindings } from '../theory';
import type { Finding } from '../shared/findings';
import { deviceLossError, selectBackend, type Backend, type Workload } from './backend';
import { PeakGpuMemory } from './gpuMemory';
import { aggregateLayers, runSeed, type SeedRun } from './diagnose';
import { RunTooLargeError, throwIfAborted } from './errors';
import { DEFAULT_MAX_CPU_MINUTES, largestFeasibleWidth, predictCpu, workloadText } from './backends/cost';
import { measuredFindings } from './measuredFindings';
import { resizeSpec } from './resize';
import { growthFit, spread } from './stats';
import { runTraining, trainingWork } from './train';

export { CancelledError, RunTooLargeError } from './errors';
export { DataError } from './data';
export { selectBackend, BackendUnavailableError, type Backend, type Tf } from './backend';
export { isometryGapFromGram } from './isometry';
export { warmUp } from './warm';

export type AnalyzeProgress = Omit<ProgressEvent, 'type' | 'id'>;

export interface AnalyzeHooks {
  onProgress?: (p: AnalyzeProgress) => void;
  /** Results so far (partial: true), at most every 100 ms: after a seed or a sweep depth completes. */
  onPartial?: (r: Result) => void;
  signal?: AbortSignal;
  /** Positions of the spec's keys, so findings carry ranges. */
  source?: SourceMap;
  /** Called once the backend is up, before any work. */
  onBackend?: (info: BackendInfo) => void;
}

const PARTIAL_EVERY_MS = 100;

/** What a run actually does once quick caps and overrides are applied. */
export interface RunPlan {
  spec: Spec;
  seeds: number;
  quick: boolean;
  sweepDepths: number[];
}

export function planRun(spec: Spec, options: RunOptions): RunPlan {
  let run = options.thresholds ? { ...spec, thresholds: { ...spec.thresholds, ...options.thresholds } } : spec;
  let seeds = options.seeds ?? spec.diagnostics.seeds;
  const q = options.quick;
  if (q) {
    const depth = Math.min(spec.model.depth, q.maxDepth);
    // Never below the batch: a width under the batch makes every Gram rank-deficient, a different network entirely.
    const width = Math.min(spec.model.width, Math.max(q.maxWidth, spec.data.batch));
    run = resizeSpec(spec, depth, width) ?? resizeSpec(spec, depth) ?? spec;
    seeds = Math.min(seeds, q.seeds);
  }
  const wantSweep = options.sweep ?? !q;
  let sweepDepths = wantSweep && spec.diagnostics.depths ? [...spec.diagnostics.depths] : [];
  if (q) sweepDepths = sweepDepths.filter((d) => d <= q.maxDepth);
  return { spec: run, seeds: Math.max(1, Math.floor(seeds)), quick: !!q, sweepDepths };
}

/**
 * Progress within one seed's pass (forward then backward, `f` over both) as layers done: the backward pass visits the
 * layers from the output down, and a layer index would count down there.
 */
export function passText(f: number, depth: number): string {
  const done = Math.round(f * 2 * depth);
  return done <= depth ? `forward pass, ${done} of ${depth} layers` : `backward pass, ${done - depth} of ${depth} layers`;
}

function quickCapsOf(spec: Spec, options: RunOptions, plan: RunPlan): QuickCaps {
  return {
    depth: { spec: spec.model.depth, run: plan.spec.model.depth },
    width: { spec: spec.model.width, run: plan.spec.model.width },
    seeds: { spec: options.seeds ?? spec.diagnostics.seeds, run: plan.seeds },
  };
}

export async function analyze(spec: Spec, options: RunOptions, hooks: AnalyzeHooks = {}): Promise<Result> {
  const started = performance.now();
  const plan = planRun(spec, options);
  // The compact form re-expands from the (possibly capped) run spec; the explicit form can only be cut from the original.
  const sweepBase = plan.spec.model.form === 'compact' ? plan.spec : spec;
  const sweepSpecs = plan.sweepDepths.map((depth) => ({ depth, spec: resizeSpec(sweepBase, depth) }));
  hooks.onProgress?.({ phase: 'backend', fraction: 0, message: `starting the ${options.backend} backend` });
  const workload = workloadOf(plan, sweepSpecs);
  const backend = await selectBackend(options.backend, options.nativeModulePaths ?? [], workload);
  hooks.onBackend?.(backend.info);
  throwIfAborted(hooks.signal);
  assertFitsTime(backend, workload, (options.maxCpuMinutes ?? DEFAULT_MAX_CPU_MINUTES) * 60);
  try {
    return await measure(spec, options, plan, sweepSpecs, backend, hooks, started);
  } catch (e) {
    throw deviceLossError(backend, e) ?? e;
  }
}

/** The run's phases on a started backend: diagnostics for every seed, the depth sweep, the short training. */
async function measure(
  spec: Spec,
  options: RunOptions,
  plan: RunPlan,
  sweepSpecs: { depth: number; spec: Spec | null }[],
  backend: Backend,
  hooks: AnalyzeHooks,
  started: number,
): Promise<Result> {
  const { signal } = hooks;
  const seedSpec = plan.spec;
  const gpuMemory = backend.info.name === 'webgpu' ? new PeakGpuMemory(backend.tf) : null;
  const progress = (p: AnalyzeProgress): void => {
    gpuMemory?.sample();
    hooks.onProgress?.(p);
  };
  const trainDepths = sweepSpecs.filter((d) => d.spec).map((d) => d.depth);
  const trainRuns = seedSpec.train !== null && (options.train ?? !plan.quick);
  const trainWorkTotal = trainRuns ? trainingWork(seedSpec, trainDepths) : 0;
  const work = plan.seeds * seedSpec.model.depth + plan.seeds * sweepSpecs.reduce((s, d) => s + (d.spec ? d.depth : 0), 0) + trainWorkTotal;
  let workDone = 0;
  const fraction = (within: number, size: number): number => Math.min(1, (workDone + within * size) / Math.max(1, work));

  const theory = theoryLine(seedSpec);
  // Static findings are about the spec as written (its ranges), even when a quick run measures a capped copy.
  const statics = staticFindingsOf(spec, hooks.source);
  const result: Result = {
    depthlens: 1,
    spec: { path: spec.file, name: spec.name },
    backend: backend.info,
    seconds: 0,
    seeds: plan.seeds,
    timings: { initSeconds: 0, diagnosticSeconds: 0, trainSeconds: 0, sweepSeconds: 0 },
    ...(plan.quick ? { quick: true, quickCaps: quickCapsOf(spec, options, plan) } : {}),
    layers: [],
    growth: null,
    theory,
    findings: statics,
  };
  let lastPartial = 0;
  const emitPartial = (force = false): void => {
    if (!hooks.onPartial) return;
    const now = performance.now();
    if (!force && now - lastPartial < PARTIAL_EVERY_MS) return;
    lastPartial = now;
    hooks.onPartial({ ...result, seconds: (now - started) / 1000, partial: true });
  };

  // ---- diagnostics, one seed at a time ----
  const runs: SeedRun[] = [];
  for (let s = 0; s < plan.seeds; s++) {
    const seed = spec.diagnostics.seed + s;
    const size = seedSpec.model.depth;
    const run = await runSeed(backend, seedSpec, seed, {
      signal,
      onProgress: (f, layer) =>
        progress({ phase: 'diagnostics', fraction: fraction(f, size), seed, layer, message: `seed ${s + 1} of ${plan.seeds}: ${passText(f, size)}` }),
    });
    workDone += size;
    runs.push(run);
    result.timings.initSeconds += run.initSeconds;
    result.timings.diagnosticSeconds += run.diagnosticSeconds;
    result.layers = aggregateLayers(runs);
    result.growth = growthFit(result.layers.map((l) => l.logGradNorm.mean));
    progress({ phase: 'diagnostics', fraction: fraction(0, 0), seed, message: `seed ${seed} done` });
    emitPartial(s === 0);
  }
  result.findings = [
    ...statics,
    ...measuredFindings({ spec: seedSpec, specDepth: spec.model.depth, layers: result.layers, growth: result.growth, theory, runs, staticFindings: statics, source: hooks.source }),
  ];

  // ---- depth sweep: ln ‖∇W_0‖ (the paper's first-layer W_1) against depth ----
  if (sweepSpecs.length > 0) {
    const t0 = performance.now();
    const points: DepthSweepPoint[] = [];
    result.depthSweep = points;
    for (const { depth, spec: atDepth } of sweepSpecs) {
      if (!atDepth) continue;
      const values: number[] = [];
      if (atDepth === seedSpec) {
        // Same network and seeds as the main diagnostics: reuse them.
        values.push(...runs.map((r) => r.pass.layers[0]?.logGradNorm ?? NaN));
        workDone += depth * plan.seeds;
      }
      for (let s = values.length; s < plan.seeds; s++) {
        const seed = spec.diagnostics.seed + s;
        const run = await runSeed(backend, atDepth, seed, {
          signal,
          onProgress: (f, layer) => progress({ phase: 'sweep', fraction: fraction(f, depth), seed, layer, message: `depth ${depth}, seed ${seed}` }),
        });
        workDone += depth;
        values.push(run.pass.layers[0]?.logGradNorm ?? NaN);
      }
      points.push({ depth, logGradNormW1: spread(values) });
      result.timings.sweepSeconds = (performance.now() - t0) / 1000;
      emitPartial();
    }
  }

  // ---- short training (src/engine/train), after the diagnostics ----
  if (trainRuns) {
    const trained = await runTraining(
      backend.tf,
      seedSpec,
      {
        signal,
        onProgress: (p) => progress({ phase: 'train', fraction: fraction(p.fraction, trainWorkTotal), step: p.step, message: p.message }),
        onPartial: (train) => {
          result.train = train;
          emitPartial();
        },
      },
      trainDepths,
    );
    result.train = trained.train;
    result.timings.trainSeconds = trained.seconds;
    const source = hooks.source;
    result.findings.push(...trained.findings.map((f) => (source ? { ...f, range: valueRange(source, f.path) } : f)));
  }

  result.seconds = (performance.now() - started) / 1000;
  progress({ phase: 'done', fraction: 1, message: 'run complete' });
  if (gpuMemory) result.memory = { peakGpuBytes: gpuMemory.peak };
  return result;
}

/** Refuses, before any work, a run that a one-thread CPU backend is predicted to take longer than `limit` seconds for. */
function assertFitsTime(backend: Backend, w: Workload, limit: number): void {
  const name = backend.info.name;
  if ((name !== 'wasm' && name !== 'cpu') || limit <= 0) return;
  const width = largestFeasibleWidth(name, w, limit);
  if (width === null) return;
  const minutes = Math.round(predictCpu(name, w) / 60);
  const fits = width > 0 ? `at this depth, batch and seed count, width ${width} would fit` : 'not even width 64 fits at this depth and batch';
  throw new RunTooLargeError(
    `a ${workloadText(w)} run (width × batch × depth) is predicted to take about ${minutes} min on ${name} (one thread), ` +
      `over the ${Number((limit / 60).toFixed(1))}-min limit for CPU backends: run it on a GPU ` +
      `(--backend webgpu, or the depthlens.backend setting), reduce model.width, data.batch or model.depth (${fits}), or raise the ` +
      `limit (--max-cpu-minutes)`,
    'model.width',
  );
}

/** The run's size as the backend cost model sees it (sweep passes counted in units of the main depth). */
function workloadOf(plan: RunPlan, sweeps: { depth: number; spec: Spec | null }[]): Workload {
  const s = plan.spec;
  const sweepLayers = sweeps.reduce((sum, d) => sum + (d.spec && d.spec !== s ? d.depth : 0), 0);
  return {
    width: s.model.width,
    batch: s.data.batch,
    features: s.data.features,
    depth: s.model.depth,
    passes: plan.seeds * (1 + sweepLayers / Math.max(1, s.model.depth)),
    orthogonal: s.model.init === 'orthogonal',
  };
}

function theoryLine(spec: Spec): TheoryLine | null {
  const p = predict(spec);
  if (!Number.isFinite(p.perLayer) || !Number.isFinite(p.lambda)) return null;
  return { perLayer: p.perLayer, lambda: p.lambda, basis: p.basis };
}

function staticFindingsOf(spec: Spec, source: SourceMap | undefined): Finding[] {
  return staticFindings(spec, source ?? new Map());
}

