// The diagnostic pass's host reduction (./pass), in float64, seed by seed: each layer's ln ‖∂loss/∂W‖ from its two
// downloaded Grams and the running sum of the backward rescale's log scales, the block's isometry gap and activation
// statistics, and where NaN/Inf first showed; and the pass's result types. Downloads of a batched pass hold every seed's
// values, seed after seed.
import type { ActivationStats } from '../shared/result';
import type { GapResult } from './isometry';
import type { Download } from './passTensors';

export interface LayerMeasure {
  index: number;
  /** φ of the representation the block containing W_index outputs. */
  gap: GapResult;
  /** ln ‖∂loss/∂W_index‖_F; NaN when the pass went non-finite, −Infinity for an exactly zero gradient. */
  logGradNorm: number;
  /** Mean, RMS and saturated/dead fraction of the block's last activation output; measured on ≤ 128 evenly spaced blocks. */
  activations: ActivationStats | null;
}

export interface NonFinite {
  phase: 'forward' | 'backward';
  /** The first weight layer (forward order for the forward pass, from the output for the backward pass) where NaN/Inf showed. */
  layer: number;
}

export interface PassResult {
  loss: number;
  /** Seconds spent drawing and uploading weights (part of the pass's wall time). */
  initSeconds: number;
  layers: LayerMeasure[];
  nonFinite: NonFinite | null;
}

/** What the pass recorded of one block: its weights, the download of its output's Gram, the gaps, its statistics. */
export interface GroupRecord {
  denseIndices: number[];
  /** One per seed, awaited here. */
  gaps: Promise<GapResult>[];
  /** [S, 3] (mean, RMS, unhealthy fraction) per seed; null when the block was not sampled. */
  stats: Download | null;
}

export interface PassRecord {
  seeds: number;
  n: number;
  depth: number;
  groups: GroupRecord[];
  /** By weight index: the Gram of the layer's input and of the backward signal at its output ([S·n, n] each). */
  gramIn: Download[];
  gramGrad: Download[];
  /** By weight index: how many rescales came before the backward signal reached the layer. */
  scaleCount: number[];
  /** Each rescale's ln max|g|, one per seed. */
  scales: Download[];
  /** The loss of each seed. */
  losses: Float32Array;
  initSeconds: number;
  /** Awaited every layer: yields to the event loop (and honours a cancel) when due. */
  pause: () => Promise<void>;
}

export async function reducePasses(r: PassRecord): Promise<PassResult[]> {
  const gaps = await Promise.all(r.groups.map((group) => Promise.all(group.gaps)));
  const results: PassResult[] = [];
  for (let s = 0; s < r.seeds; s++) results.push(await reduceSeed(r, s, gaps.map((g) => g[s])));
  return results;
}

async function reduceSeed(r: PassRecord, s: number, gaps: GapResult[]): Promise<PassResult> {
  const { n, depth } = r;
  const gramOf = (d: Download): Float32Array => (d.data as Float32Array).subarray(s * n * n, (s + 1) * n * n);
  const logScales = new Float64Array(r.scales.length + 1);
  for (let k = 0; k < r.scales.length; k++) logScales[k + 1] = logScales[k] + (r.scales[k].data as Float32Array)[s];

  const layers: LayerMeasure[] = new Array(depth);
  let forwardBad: number | null = null;
  for (const [k, group] of r.groups.entries()) {
    const gap = gaps[k];
    const st = group.stats?.data?.subarray(3 * s, 3 * s + 3);
    const activations: ActivationStats | null = st ? { mean: st[0], rms: st[1], saturated: st[2] } : null;
    for (const index of group.denseIndices) {
      if (forwardBad === null && (gap.nonFinite || !allFinite(gramOf(r.gramIn[index])))) forwardBad = index;
      layers[index] = { index, gap, logGradNorm: NaN, activations };
    }
  }
  let backwardBad: number | null = null;
  for (let index = depth - 1; index >= 0; index--) {
    // n² per layer: thousands of layers at a large batch take seconds.
    await r.pause();
    const gramGrad = gramOf(r.gramGrad[index]);
    const gramIn = gramOf(r.gramIn[index]);
    const logScale = logScales[r.scaleCount[index]];
    let dot = 0;
    for (let k = 0; k < n * n; k++) dot += gramIn[k] * gramGrad[k];
    // ⟨XᵀX, dZᵀdZ⟩ = ‖dZ Xᵀ‖²_F ≥ 0; round-off can only push an exactly-zero gradient slightly negative.
    const value = logScale + 0.5 * Math.log(Math.max(dot, 0));
    const badScale = Number.isNaN(logScale) || logScale === Infinity;
    if (backwardBad === null && (badScale || !allFinite(gramGrad))) backwardBad = index;
    layers[index].logGradNorm = Number.isNaN(dot) || badScale ? NaN : value;
  }
  const loss = r.losses[s];
  const nonFinite: NonFinite | null =
    forwardBad !== null || !Number.isFinite(loss)
      ? { phase: 'forward', layer: forwardBad ?? depth - 1 }
      : backwardBad !== null
        ? { phase: 'backward', layer: backwardBad }
        : null;
  return { loss, initSeconds: r.initSeconds, layers, nonFinite };
}

function allFinite(a: Float32Array): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}
