// Runs refused before any work: over the caller's time budget, too long for a one-thread CPU backend, or too large for
// the backend's memory (each with the prediction and what would fit, located at the spec key to change).
import type { Spec } from '../spec';
import type { Backend, Workload } from './backend';
import { durationText, largestFeasibleWidth, predictCpu, workloadText } from './backends/cost';
import { OverBudgetError, RunTooLargeError } from './errors';
import type { RunPlan, SweepNetwork } from './plan';
import { assertSpecFits } from './sizeCheck';

/** Refuses, before any work, a run predicted to take longer than the caller's budget (RunOptions.maxSeconds). */
export function assertWithinBudget(backend: Backend, w: Workload, predicted: number, budget: number | undefined): void {
  if (budget === undefined || budget <= 0 || predicted <= budget) return;
  throw new OverBudgetError(
    `a ${workloadText(w)} run (width × batch × depth) is predicted to take about ${durationText(predicted)} on ${backend.info.name}, ` +
      `over the budget of ${durationText(budget)}`,
    predicted,
    budget,
  );
}

/** Refuses, before any work, a run that a one-thread CPU backend is predicted to take longer than `limit` seconds for. */
export function assertFitsTime(backend: Backend, w: Workload, limit: number): void {
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

/** Memory, before any tensor: the main network and the deepest sweep network (a file's feature count is checked per seed). */
export function assertFitsMemory(backend: Backend, plan: RunPlan, sweeps: SweepNetwork[]): void {
  // Native TensorFlow manages its own memory (no wasm heap, no buffer limit): it is not held to these bounds.
  if (backend.info.name === 'tensorflow' || backend.info.name === 'tensorflow-gpu') return;
  const deepest = sweeps.reduce<Spec>((a, d) => (d.spec && d.spec.model.depth > a.model.depth ? d.spec : a), plan.spec);
  for (const s of new Set([plan.spec, deepest])) assertSpecFits(s, s.data.features || s.model.width, s.data.classes, s.data.batch, backend.capacity);
}
