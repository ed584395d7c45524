// Pure transforms from a Result to the points the charts draw. No DOM, no Chart.js: unit-tested in Node.
import type { LayerResult, Result, Spread, TrainRecord } from '../shared/result';

export interface XY {
  x: number;
  y: number | null;
}

/** Mean line and min–max band across seeds. */
export interface SpreadSeries {
  mean: XY[];
  min: XY[];
  max: XY[];
}

type ValueMap = (v: number) => number | null;

const finite: ValueMap = (v) => (Number.isFinite(v) ? v : null);
/** A log axis cannot place zero or negatives: they become gaps, not bogus points. */
const positive: ValueMap = (v) => (Number.isFinite(v) && v > 0 ? v : null);

function mapValue(v: number | null | undefined, map: ValueMap): number | null {
  return v === null || v === undefined ? null : map(v);
}

export function spreadSeries<T>(items: readonly T[], x: (t: T) => number, spread: (t: T) => Spread, map: ValueMap = finite): SpreadSeries {
  const out: SpreadSeries = { mean: [], min: [], max: [] };
  for (const item of items) {
    const s = spread(item);
    const px = x(item);
    out.mean.push({ x: px, y: mapValue(s.mean, map) });
    out.min.push({ x: px, y: mapValue(s.min, map) });
    out.max.push({ x: px, y: mapValue(s.max, map) });
  }
  return out;
}

/** Isometry gap per layer for a log axis; collapsed layers (null φ) stay null so the line breaks there. */
export function isometrySeries(layers: readonly LayerResult[]): SpreadSeries {
  return spreadSeries(layers, (l) => l.index, (l) => l.isometryGap, positive);
}

/** The Result stores natural logs; every chart and message speaks log10 (orders of magnitude). */
const log10FromLn: ValueMap = (v) => (Number.isFinite(v) ? v / Math.LN10 : null);

/** log10 ‖∇W_ℓ‖ per layer. */
export function gradientSeries(layers: readonly LayerResult[]): SpreadSeries {
  return spreadSeries(layers, (l) => l.index, (l) => l.logGradNorm, log10FromLn);
}

export interface LayerRange {
  from: number;
  to: number;
  /** Smallest numerical rank seen in the range. */
  rank: number;
}

/** Contiguous runs of rank-collapsed layers, by layer index. */
export function collapseRanges(layers: readonly LayerResult[]): LayerRange[] {
  const ranges: LayerRange[] = [];
  let open: LayerRange | null = null;
  let previousIndex = Number.NaN;
  for (const l of layers) {
    if (l.degenerate && open && l.index === previousIndex + 1) {
      open.to = l.index;
      open.rank = Math.min(open.rank, l.rank);
    } else if (l.degenerate) {
      open = { from: l.index, to: l.index, rank: l.rank };
      ranges.push(open);
    } else {
      open = null;
    }
    previousIndex = l.index;
  }
  return ranges;
}

/**
 * The theory's predicted log10 gradient norm: a line of slope −log10(perLayer) in ℓ, anchored at the measured mean at
 * the output layer (the last layer with a finite mean), so it shows the growth toward the input the theory expects; where
 * the theory gives a per-layer curve (theory.logGradNorm, natural log like the layers'), that curve, anchored at the
 * same layer.
 */
export function theoryGradientLine(result: Pick<Result, 'layers' | 'theory'>): XY[] {
  const perLayer = result.theory?.perLayer;
  if (perLayer === undefined || !Number.isFinite(perLayer) || perLayer <= 0) return [];
  const measured = result.layers.filter((l) => l.logGradNorm.mean !== null && Number.isFinite(l.logGradNorm.mean));
  if (measured.length === 0) return [];
  const anchor = measured[measured.length - 1];
  const profile = result.theory?.logGradNorm;
  if (profile && profile.length > anchor.index && Number.isFinite(profile[anchor.index])) {
    // A per-layer theory curve (shaped or residual networks), anchored at the same layer as the line.
    const offset = (anchor.logGradNorm.mean as number) - profile[anchor.index];
    return result.layers.filter((l) => Number.isFinite(profile[l.index])).map((l) => ({ x: l.index, y: (profile[l.index] + offset) / Math.LN10 }));
  }
  const first = result.layers[0].index;
  const slope = -Math.log10(perLayer);
  const y0 = (anchor.logGradNorm.mean as number) / Math.LN10;
  const yAt = (x: number): number => y0 + slope * (x - anchor.index);
  return first === anchor.index ? [{ x: first, y: yAt(first) }] : [{ x: first, y: yAt(first) }, { x: anchor.index, y: yAt(anchor.index) }];
}

/**
 * The theory's log10 ‖∇W₁‖ against depth: each added layer multiplies the first layer's gradient by perLayer, so a
 * line of slope log10(perLayer) in depth, anchored at the shallowest measured depth. One point per swept depth, so it
 * stays exact on a log-depth axis too.
 */
export function theorySweepLine(result: Pick<Result, 'depthSweep' | 'theory'>): XY[] {
  const perLayer = result.theory?.perLayer;
  if (perLayer === undefined || !Number.isFinite(perLayer) || perLayer <= 0) return [];
  const measured = (result.depthSweep ?? []).filter((p) => p.logGradNormW1.mean !== null && Number.isFinite(p.logGradNormW1.mean));
  if (measured.length < 2) return [];
  const anchor = measured[0];
  const y0 = (anchor.logGradNormW1.mean as number) / Math.LN10;
  return measured.map((p) => ({ x: p.depth, y: y0 + Math.log10(perLayer) * (p.depth - anchor.depth) }));
}

export function depthSweepSeries(result: Pick<Result, 'depthSweep'>): SpreadSeries {
  return spreadSeries(result.depthSweep ?? [], (p) => p.depth, (p) => p.logGradNormW1, log10FromLn);
}

/** A line's value at x by linear interpolation between its points (null outside it or across a gap). */
export function valueAt(line: readonly XY[], x: number): number | null {
  for (let i = 0; i < line.length; i++) {
    const a = line[i];
    if (a.x === x) return a.y;
    const b = line[i + 1];
    if (b && a.x < x && x < b.x) {
      if (a.y === null || b.y === null) return null;
      return a.y + ((b.y - a.y) * (x - a.x)) / (b.x - a.x);
    }
  }
  return null;
}

/**
 * Exponential moving average as TensorBoard draws it: debiased (early points are not pulled toward 0), gaps skipped.
 * weight 0 returns the input.
 */
export function smoothSeries(points: readonly XY[], weight: number): XY[] {
  let last = 0;
  let count = 0;
  return points.map((p) => {
    if (p.y === null) return { x: p.x, y: null };
    last = last * weight + (1 - weight) * p.y;
    count++;
    const debias = weight === 0 ? 1 : 1 - weight ** count;
    return { x: p.x, y: last / debias };
  });
}

export interface TrainSeries {
  loss: XY[];
  accuracy: XY[];
  evalLoss: XY[];
  evalAccuracy: XY[];
}

export function trainSeries(records: readonly TrainRecord[]): TrainSeries {
  const pick = (f: (r: TrainRecord) => number | undefined, map: ValueMap = finite): XY[] =>
    records.some((r) => f(r) !== undefined) ? records.map((r) => ({ x: r.step, y: mapValue(f(r), map) })) : [];
  return {
    loss: pick((r) => r.loss),
    accuracy: pick((r) => r.accuracy),
    evalLoss: pick((r) => r.evalLoss),
    evalAccuracy: pick((r) => r.evalAccuracy),
  };
}

/** The recorded layer closest to the middle of the network, among those the training records carry. */
export function middleLayer(records: readonly TrainRecord[], depth: number, field: 'isometryGap' | 'weightIsometry'): number | null {
  const seen = new Set<number>();
  for (const r of records) for (const g of r[field] ?? []) seen.add(g.layer);
  if (seen.size === 0) return null;
  const target = (depth - 1) / 2;
  return [...seen].sort((a, b) => Math.abs(a - target) - Math.abs(b - target) || a - b)[0];
}

/** φ at one layer over training steps (log axis: non-positive or collapsed values are gaps). */
export function layerOverSteps(records: readonly TrainRecord[], layer: number, field: 'isometryGap' | 'weightIsometry'): XY[] {
  return records.map((r) => ({ x: r.step, y: mapValue(r[field]?.find((g) => g.layer === layer)?.value, positive) }));
}
