// Runs the diagnostic pass for one seed (data, network, pass) and aggregates seeds into Result layers.
import type { Spec } from '../spec/types';
import type { ActivationStats, LayerResult } from '../shared/result';
import type { Backend } from './backend';
import { loadBatch } from './data';
import { assertPassFits, passFits } from './sizeCheck';
import { resizeSpec } from './resize';
import { throwIfAborted, yieldToEventLoop } from './errors';
import { buildHostNetwork } from './network';
import { runDiagnosticPass, type PassHooks, type PassInput, type PassResult } from './pass';
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
  // A pass shorter than its yield interval never yields inside: a run of many short passes (seeds × sweep depths) yields
  // here, so that a cancel, a signal or the parent's disconnect is seen between any two passes.
  await yieldToEventLoop();
  throwIfAborted(hooks.signal);
  const t0 = performance.now();
  const batch = loadBatch(spec, seed);
  const net = buildHostNetwork(spec.model.layers, batch.features, batch.classes, seed);
  // Native TensorFlow manages its own memory (no wasm heap, no buffer limit): it is not held to these bounds.
  if (backend.info.name !== 'tensorflow' && backend.info.name !== 'tensorflow-gpu') {
    assertPassFits(net, batch.count, backend.capacity, (width) => {
      const smaller = resizeSpec(spec, spec.model.depth, width);
      return !!smaller && passFits(buildHostNetwork(smaller.model.layers, batch.features === spec.model.width ? width : batch.features, batch.classes, seed), batch.count, backend.capacity);
    });
  }
  const t1 = performance.now();
  const pass = await runDiagnosticPass(
    backend.tf,
    net,
    { x: batch.x, n: batch.count, features: batch.features, labels: batch.labels, classes: batch.classes, loss: spec.loss, ...options },
    hooks,
  );
  const passSeconds = (performance.now() - t1) / 1000;
  return {
    seed,
    pass,
    densePaths: net.densePaths,
    initSeconds: (t1 - t0) / 1000 + pass.initSeconds,
    diagnosticSeconds: passSeconds - pass.initSeconds,
  };
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
