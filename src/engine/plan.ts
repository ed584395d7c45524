// What a run will do, decided before any backend starts: quick caps and overrides applied (RunPlan), the sweep's networks,
// the training's share, and the size the cost model prices (Workload).
import type { QuickCaps } from '../shared/result';
import type { RunOptions } from '../shared/protocol';
import type { Spec } from '../spec';
import type { Workload } from './backend';
import { resizeSpec } from './resize';
import { trainingWork } from './train';

/** One depth of the depth sweep and its network (null when the spec cannot be resized to it). */
export interface SweepNetwork {
  depth: number;
  spec: Spec | null;
}

/** What a run actually does once quick caps and overrides are applied. */
export interface RunPlan {
  spec: Spec;
  seeds: number;
  quick: boolean;
  /** A quick run's caps: each capped value as the spec (or the options) asked and as run. */
  quickCaps: QuickCaps | null;
  sweepDepths: number[];
}

export function planRun(spec: Spec, options: RunOptions): RunPlan {
  let run = options.thresholds ? { ...spec, thresholds: { ...spec.thresholds, ...options.thresholds } } : spec;
  let seeds = options.seeds ?? spec.diagnostics.seeds;
  const q = options.quick;
  if (q) {
    const depth = Math.min(spec.model.depth, q.maxDepth);
    const batch = Math.min(spec.data.batch, q.maxBatch ?? q.maxWidth);
    // Never below the (capped) batch: a width under the batch makes every Gram rank-deficient, a different network entirely.
    const width = Math.min(spec.model.width, Math.max(q.maxWidth, batch));
    const capped = batch === run.data.batch ? run : { ...run, data: { ...run.data, batch } };
    // An explicit layer list cannot change its width: it keeps it (capped depth and batch only).
    run = resizeSpec(capped, depth, width) ?? resizeSpec(capped, depth) ?? capped;
    seeds = Math.min(seeds, q.seeds);
  }
  const wantSweep = options.sweep ?? !q;
  let sweepDepths = wantSweep && spec.diagnostics.depths ? [...spec.diagnostics.depths] : [];
  if (q) sweepDepths = sweepDepths.filter((d) => d <= q.maxDepth);
  seeds = Math.max(1, Math.floor(seeds));
  const quickCaps: QuickCaps | null = q
    ? {
        depth: { spec: spec.model.depth, run: run.model.depth },
        width: { spec: spec.model.width, run: run.model.width },
        seeds: { spec: options.seeds ?? spec.diagnostics.seeds, run: seeds },
      }
    : null;
  return { spec: run, seeds, quick: !!q, quickCaps, sweepDepths };
}

/**
 * The sweep's networks: the compact form re-expands from the (possibly capped) run spec; the explicit form can only be
 * cut from the original.
 */
export function sweepNetworks(plan: RunPlan, spec: Spec): SweepNetwork[] {
  const base = plan.spec.model.form === 'compact' ? plan.spec : spec;
  return plan.sweepDepths.map((depth) => ({ depth, spec: resizeSpec(base, depth) }));
}

export interface TrainingPlan {
  runs: boolean;
  /** Depths the training compares (the sweep's). */
  depths: number[];
  /** Its cost in layer passes (./train trainingWork); 0 when it does not run. */
  work: number;
}

export function trainingPlan(plan: RunPlan, options: RunOptions, sweepSpecs: SweepNetwork[]): TrainingPlan {
  const depths = sweepSpecs.filter((d) => d.spec).map((d) => d.depth);
  const runs = plan.spec.train !== null && (options.train ?? !plan.quick);
  return { runs, depths, work: runs ? trainingWork(plan.spec, depths) : 0 };
}

/** The run's size as the backend cost model sees it (sweep passes counted in units of the main depth). */
export function workloadOf(plan: RunPlan, sweeps: SweepNetwork[]): Workload {
  const s = plan.spec;
  const sweepLayers = sweeps.reduce((sum, d) => sum + (d.spec && d.spec !== s ? d.depth : 0), 0);
  return {
    width: s.model.width,
    batch: s.data.batch,
    features: s.data.features,
    depth: s.model.depth,
    passes: plan.seeds * (1 + sweepLayers / Math.max(1, s.model.depth)),
    // On a GPU all seeds share one pass (./seedPlan; fewer only when memory is short, which the prediction ignores).
    batchedPasses: 1 + sweepLayers / Math.max(1, s.model.depth),
    orthogonal: s.model.init === 'orthogonal',
  };
}
