// Runs the diagnostic pass for a run's seeds (data, network, pass; several seeds per pass where the backend batches them,
// ./seedPlan) and aggregates seeds into Result layers.
import type { Spec } from '../spec/types';
import type { ActivationStats, LayerResult } from '../shared/result';
import type { Backend } from './backend';
import { loadBatch, type DataBatch } from './data';
import { assertPassFits, passFits } from './sizeCheck';
import { resizeSpec } from './resize';
import { throwIfAborted, yieldToEventLoop } from './errors';
import { buildHostNetwork, type HostNetwork } from './network';
import { runDiagnosticPasses, type PassHooks, type PassInput, type PassResult } from './pass';
import { seedPasses } from './seedPlan';
import { spread } from './stats';

export interface SeedRun {
  seed: number;
  pass: PassResult;
  /** Spec path of each weight layer (for findings). */
  densePaths: string[];
  initSeconds: number;
  diagnosticSeconds: number;
}

export async function runSeed(
  backend: Backend,
  spec: Spec,
  seed: number,
  hooks: PassHooks = {},
  options: Pick<PassInput, 'weightForm'> = {},
): Promise<SeedRun> {
  return (await runSeeds(backend, spec, [seed], { signal: hooks.signal, onProgress: (f, layer) => hooks.onProgress?.(f, layer) }, options))[0];
}

export interface SeedsHooks {
  signal?: AbortSignal;
  /** Within the pass running `seeds` (one batch of the run's seeds): fraction done and the layer being worked on. */
  onProgress?: (fraction: number, layer: number, seeds: readonly number[]) => void;
  /** After each pass, with its seeds' runs. */
  onPassDone?: (runs: readonly SeedRun[]) => void | Promise<void>;
}

/**
 * The diagnostic pass for each of `seeds` (own data and weights each), in as few passes as the backend batches and its
 * memory allows (./seedPlan). Runs in the order of `seeds`.
 */
export async function runSeeds(
  backend: Backend,
  spec: Spec,
  seeds: readonly number[],
  hooks: SeedsHooks = {},
  options: Pick<PassInput, 'weightForm'> = {},
): Promise<SeedRun[]> {
  const runs: SeedRun[] = [];
  let passes: number[][] | null = null;
  for (let k = 0; k < seeds.length; ) {
    // A pass shorter than its yield interval never yields inside: a run of many short passes (seeds × sweep depths) yields
    // here, so that a cancel, a signal or the parent's disconnect is seen between any two passes.
    await yieldToEventLoop();
    throwIfAborted(hooks.signal);
    const t0 = performance.now();
    const first = prepareSeed(backend, spec, seeds[k]);
    passes ??= seedPasses(backend.info.name, backend.capacity ?? {}, first.net, first.batch.count, seeds);
    const group = passes.find((p) => p[0] === seeds[k])!;
    const prepared = [first, ...group.slice(1).map((seed) => prepareSeed(backend, spec, seed))];
    const t1 = performance.now();
    const results = await runDiagnosticPasses(
      backend.tf,
      prepared.map((p) => p.net),
      prepared.map(({ batch }) => ({ x: batch.x, n: batch.count, features: batch.features, labels: batch.labels, classes: batch.classes, loss: spec.loss, ...options })),
      { signal: hooks.signal, onProgress: (f, layer) => hooks.onProgress?.(f, layer, group) },
    );
    // The pass's time is shared out evenly between its seeds (results[s].initSeconds already is).
    const perSeed = (performance.now() - t1) / 1000 / group.length;
    const prepareSeconds = (t1 - t0) / 1000 / group.length;
    const done = results.map((pass, s) => ({
      seed: group[s],
      pass,
      densePaths: prepared[s].net.densePaths,
      initSeconds: prepareSeconds + pass.initSeconds,
      diagnosticSeconds: perSeed - pass.initSeconds,
    }));
    runs.push(...done);
    await hooks.onPassDone?.(done);
    k += group.length;
  }
  return runs;
}

/** A seed's batch and network, checked against the backend's memory. */
function prepareSeed(backend: Backend, spec: Spec, seed: number): { batch: DataBatch; net: HostNetwork } {
  const batch = loadBatch(spec, seed);
  const net = buildHostNetwork(spec.model.layers, batch.features, batch.classes, seed);
  // Native TensorFlow manages its own memory (no wasm heap, no buffer limit): it is not held to these bounds.
  if (backend.info.name !== 'tensorflow' && backend.info.name !== 'tensorflow-gpu') {
    assertPassFits(net, batch.count, backend.capacity, (width) => {
      const smaller = resizeSpec(spec, spec.model.depth, width);
      return !!smaller && passFits(buildHostNetwork(smaller.model.layers, batch.features === spec.model.width ? width : batch.features, batch.classes, seed), batch.count, backend.capacity);
    });
  }
  return { batch, net };
}

/** One LayerResult per weight matrix: spreads across seeds (a collapsed gap counts as +∞), minimum rank, mean activation stats. */
export function aggregateLayers(runs: readonly SeedRun[]): LayerResult[] {
  if (runs.length === 0) return [];
  const depth = runs[0].pass.layers.length;
  const layers: LayerResult[] = [];
  for (let i = 0; i < depth; i++) {
    const per = runs.map((r) => r.pass.layers[i]);
    const gaps = per.map((m) => (m.gap.gap === null ? (m.gap.nonFinite ? NaN : Infinity) : m.gap.gap));
    const layer: LayerResult = {
      index: i,
      isometryGap: spread(gaps),
      degenerate: per.some((m) => m.gap.degenerate),
      rank: Math.min(...per.map((m) => m.gap.rank)),
      logGradNorm: spread(per.map((m) => m.logGradNorm)),
    };
    const stats = per.map((m) => m.activations).filter((a): a is ActivationStats => a !== null && [a.mean, a.rms, a.saturated].every(Number.isFinite));
    if (stats.length === per.length) {
      layer.activations = {
        mean: stats.reduce((s, a) => s + a.mean, 0) / stats.length,
        rms: stats.reduce((s, a) => s + a.rms, 0) / stats.length,
        saturated: stats.reduce((s, a) => s + a.saturated, 0) / stats.length,
      };
    }
    layers.push(layer);
  }
  return layers;
}
