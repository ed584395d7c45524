// analyze(spec, options, hooks): the engine's entry point. Runs the diagnostic pass for every seed on the chosen backend,
// the optional depth sweep, and returns a Result (DESIGN §3b) with the theory's static findings and the measured ones.
import type { Result, TheoryLine } from '../shared/result';
import type { RunOptions } from '../shared/protocol';
import type { Spec } from '../spec';
import { predict, predictProfile, staticFindings } from '../theory';
import { deviceLossError, selectBackend, type Backend } from './backend';
import { CALIBRATE_FROM_SECONDS, calibrate, remainingSeconds } from './backends/calibrate';
import { DEFAULT_MAX_CPU_MINUTES, durationText, predictSeconds } from './backends/cost';
import { watchOutOfMemory } from './backends/gpuOutOfMemory';
import { buildHostNetwork } from './network';
import { passFootprint } from './sizeCheck';
import { checkDataFiles } from './data';
import { CancelledError, RunTooLargeError, throwIfAborted } from './errors';
import { PeakGpuMemory } from './gpuMemory';
import type { AnalyzeHooks } from './hooks';
import { diagnosticsPhase, RunTracker, sweepPhase, trainingPhase } from './phases';
import { planRun, sweepNetworks, trainingPlan, workloadOf, type RunPlan, type SweepNetwork, type TrainingPlan } from './plan';
import { assertFitsMemory, assertFitsTime, assertWithinBudget } from './runLimits';
import { validateRunOptions } from './runOptions';

export { CancelledError, OverBudgetError, RunTooLargeError } from './errors';
export { DataError } from './data';
export { RunOptionsError, validateRunOptions } from './runOptions';
export { selectBackend, BackendUnavailableError, type Backend, type Tf } from './backend';
export { durationText } from './backends/cost';
export { describeError } from './runError';
export { isometryGapFromGram } from './isometry';
export { warmUp } from './warm';
export type { AnalyzeHooks, AnalyzeProgress } from './hooks';
export { planRun, type RunPlan } from './plan';

export async function analyze(specAsWritten: Spec, options: RunOptions, hooks: AnalyzeHooks = {}): Promise<Result> {
  const started = performance.now();
  validateRunOptions(options);
  // Data files are checked (allowed folder, regular file, size) before the backend starts; the run reads the checked paths.
  const spec = checkDataFiles(specAsWritten, { root: options.dataRoot, allowOutside: options.allowDataOutside });
  const plan = planRun(spec, options);
  const sweepSpecs = sweepNetworks(plan, spec);
  hooks.onProgress?.({ phase: 'backend', fraction: 0, message: `starting the ${options.backend} backend` });
  const workload = workloadOf(plan, sweepSpecs);
  const backend = await selectBackend(options.backend, options.nativeModulePaths ?? [], workload);
  hooks.onBackend?.(backend.info);
  throwIfAborted(hooks.signal);
  const training = trainingPlan(plan, options, sweepSpecs);
  const trainingPasses = training.work / Math.max(1, plan.spec.model.depth);
  const whole = { ...workload, passes: workload.passes + trainingPasses, batchedPasses: (workload.batchedPasses ?? workload.passes) + trainingPasses };
  assertFitsTime(backend, whole, (options.maxCpuMinutes ?? DEFAULT_MAX_CPU_MINUTES) * 60);
  const benchmarked = predictSeconds(backend.info.name, whole);
  // The benchmark's rates scaled by this machine's measured rate now (a loaded machine runs slower than the benchmark's).
  // Not for short runs: the probe would be a good share of them (an edit's quick run waited 150 ms more for its first
  // curve), and nothing — the run budget, the time limit — turns on so short a prediction.
  const calibration = benchmarked !== null && benchmarked >= CALIBRATE_FROM_SECONDS ? await calibrate(backend.tf, backend.info.name, workload.width) : null;
  throwIfAborted(hooks.signal);
  const predicted = benchmarked === null ? null : benchmarked * (calibration?.factor ?? 1);
  if (predicted !== null) {
    assertWithinBudget(backend, whole, predicted, options.maxSeconds);
    const machine = calibration && Math.abs(calibration.factor - 1) >= 0.1 ? ` (this machine runs at ${calibrationText(calibration.factor)} the benchmark's speed now)` : '';
    hooks.onProgress?.({ phase: 'backend', fraction: 0, message: `predicted: about ${durationText(predicted)} on ${backend.info.name}${machine}`, predictedSeconds: predicted });
  }
  assertFitsMemory(backend, plan, sweepSpecs);
  // A GPU that runs out of memory mid-run (its size is not known up front) stops the run with a too-large error.
  const stop = new AbortController();
  const forward = (): void => stop.abort();
  hooks.signal?.addEventListener('abort', forward);
  if (hooks.signal?.aborted) stop.abort();
  const oom = backend.device ? watchOutOfMemory(backend.device, () => stop.abort()) : null;
  let result: Result;
  try {
    result = await measure(spec, plan, sweepSpecs, training, backend, withRemainingTime({ ...hooks, signal: stop.signal }, predicted), started);
  } catch (e) {
    const outOfMemory = await oom?.stop();
    if (!hooks.signal?.aborted) {
      if (outOfMemory) throw gpuOutOfMemoryError(outOfMemory, plan);
      // Stopped by a GPU error that was not out-of-memory: say so, not "cancelled".
      const gpuError = oom?.firstError();
      if (gpuError && e instanceof CancelledError) throw new Error(`the GPU reported an error during the run: ${gpuError}`);
    }
    throw deviceLossError(backend, e) ?? e;
  } finally {
    hooks.signal?.removeEventListener('abort', forward);
  }
  const outOfMemory = await oom?.stop();
  if (outOfMemory) throw gpuOutOfMemoryError(outOfMemory, plan);
  if (predicted !== null) result.predictedSeconds = predicted;
  if (calibration) result.calibration = calibration.factor;
  return result;
}

/** The run ran out of GPU memory: what the GPU said, what the run was predicted to need, and what to change. */
function gpuOutOfMemoryError(message: string, plan: RunPlan): RunTooLargeError {
  const s = plan.spec;
  const need = passFootprint(buildHostNetwork(s.model.layers, s.data.features || s.model.width, s.data.classes, 0), s.data.batch).deviceBytes;
  return new RunTooLargeError(
    `the GPU ran out of memory during the run (${message}); the run was predicted to need about ${(need / 2 ** 30).toFixed(1)} GiB of GPU memory ` +
      `(width ${s.model.width}, batch ${s.data.batch}, depth ${s.model.depth}), and WebGPU does not tell the GPU's size up front: ` +
      `reduce model.width, data.batch or model.depth, or use a GPU with more memory`,
    'model.width',
  );
}

/** "1/2.3×" (slower) or "1.4×" (faster) for a calibration factor (measured over modelled seconds). */
function calibrationText(factor: number): string {
  return factor >= 1 ? `1/${factor.toFixed(1)}×` : `${(1 / factor).toFixed(1)}×`;
}

/** hooks whose progress events carry the seconds left: the prediction's at first, the measured pace's as the run goes on. */
function withRemainingTime(hooks: AnalyzeHooks, predicted: number | null): AnalyzeHooks {
  const onProgress = hooks.onProgress;
  if (predicted === null || !onProgress) return hooks;
  const started = performance.now();
  return { ...hooks, onProgress: (p) => onProgress({ ...p, remainingSeconds: remainingSeconds(predicted, (performance.now() - started) / 1000, p.fraction) }) };
}

/** The run's phases on a started backend: diagnostics for every seed, the depth sweep, the short training. */
async function measure(
  spec: Spec,
  plan: RunPlan,
  sweeps: SweepNetwork[],
  training: TrainingPlan,
  backend: Backend,
  hooks: AnalyzeHooks,
  started: number,
): Promise<Result> {
  const seedSpec = plan.spec;
  const gpuMemory = backend.info.name === 'webgpu' ? new PeakGpuMemory(backend.tf) : null;
  const total = plan.seeds * seedSpec.model.depth + plan.seeds * sweeps.reduce((s, d) => s + (d.spec ? d.depth : 0), 0) + training.work;
  const tracker = new RunTracker(total, hooks, started, gpuMemory);
  const result: Result = {
    depthlens: 1,
    spec: { path: spec.file, name: spec.name },
    backend: backend.info,
    seconds: 0,
    seeds: plan.seeds,
    timings: { initSeconds: 0, diagnosticSeconds: 0, trainSeconds: 0, sweepSeconds: 0 },
    ...(plan.quickCaps ? { quick: true, quickCaps: plan.quickCaps } : {}),
    layers: [],
    growth: null,
    theory: theoryLine(seedSpec),
    // Static findings are about the spec as written (its ranges), even when a quick run measures a capped copy.
    findings: staticFindings(spec, hooks.source ?? new Map()),
  };
  const context = { spec, plan, backend, hooks, result, tracker };
  const runs = await diagnosticsPhase(context);
  if (sweeps.length > 0) await sweepPhase(context, sweeps, runs);
  if (training.runs) await trainingPhase(context, training);
  result.seconds = (performance.now() - started) / 1000;
  tracker.progress({ phase: 'done', fraction: 1, message: 'run complete' });
  if (gpuMemory) result.memory = { peakGpuBytes: gpuMemory.peak };
  return result;
}

function theoryLine(spec: Spec): TheoryLine | null {
  const p = predict(spec);
  if (!Number.isFinite(p.perLayer) || !Number.isFinite(p.lambda)) return null;
  const profile = predictProfile(spec);
  return { perLayer: p.perLayer, lambda: p.lambda, basis: p.basis, ...(profile ? { logGradNorm: Array.from(profile) } : {}) };
}
