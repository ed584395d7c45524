// What each panel chart draws: axes and series, built from the current result and the run before it.
import type { Result } from '../../shared/result';
import {
  collapseRanges,
  depthSweepSeries,
  gradientSeries,
  isometrySeries,
  layerOverSteps,
  middleLayer,
  theoryGradientLine,
  smoothSeries,
  theorySweepLine,
  trainSeries,
  type LayerRange,
  type SpreadSeries,
  type XY,
} from '../series';
import { factorText } from '../../shared/numberText';
import { THEORY_BASIS_SHORT } from '../../shared/theoryText';
import { gradientSummary, isometrySummary, sweepSummary, trainAccuracySummary, trainIsometrySummary, trainSummary } from '../summaries';
import type { PaletteColor } from '../theme';
import type { ChartDef, SeriesDef } from './seriesChart';

export type ChartId = 'isometry' | 'gradient' | 'sweep' | 'trainLoss' | 'trainAccuracy' | 'trainIsometry';

export interface ChartContent {
  series: SeriesDef[];
  collapse: LayerRange[];
  summary: string;
  /** False when the result has nothing for this chart (no sweep, no training): the card is hidden. */
  visible: boolean;
  /** The x-axis title when it depends on the run (a quick run's capped depth). */
  xTitle?: string;
  /** x units per layer (1/L on relative depth), for the rank-collapse marks. */
  xPerLayer?: number;
}

/** How the per-layer charts place their points: at layer ℓ, or at relative depth ℓ/L (runs of different depth overlaid). */
export interface LayerView {
  relative: boolean;
  /** What the current run is called in the legend when another run is overlaid ("run 5 (full, 100 layers)"). */
  current: string | null;
}

export const LAYER_VIEW: LayerView = { relative: false, current: null };

/** The earlier run drawn dashed beneath the current one (comparable: same depth and mode), and what it is called. */
export interface Baseline {
  result: Result;
  label: string;
}

export interface ChartSpec {
  id: ChartId;
  title: string;
  axes: ChartDef;
  /** A linear/log toggle for x (the depth sweep): the default is log when the depths span a decade. */
  xToggle?: (result: Result) => 'linear' | 'logarithmic';
  /** A log/linear toggle for y (where both read sensibly: gradient norms, isometry gaps, loss). */
  yToggle?: boolean;
  content(result: Result, baseline: Baseline | null, view?: LayerView): ChartContent;
}

function seedsLabel(result: Result): string {
  return result.seeds > 1 ? `mean of ${result.seeds} seeds` : '1 seed';
}

/** Band (min → max, filled) then the mean: the order the filler needs. */
function spread(key: string, label: string, color: PaletteColor, s: SpreadSeries, seeds: number): SeriesDef[] {
  const band = seeds > 1;
  return [
    { key: `${key}-min`, label: 'min over seeds', role: 'band-low', color, data: band ? s.min : [] },
    { key: `${key}-max`, label: 'max over seeds', role: 'band-high', color, data: band ? s.max : [] },
    { key: `${key}-mean`, label, role: 'mean', color, data: s.mean },
  ];
}

/** "theory (Gaussian + BN, linear): 1.07× per layer": the basis in words, never its internal id. */
function theoryLabel(result: Result, unit: string): string {
  const t = result.theory;
  if (!t) return 'theory';
  const basis = THEORY_BASIS_SHORT[t.basis] ?? 'theory';
  return Number.isFinite(t.perLayer) ? `theory (${basis}): ${factorText(t.perLayer)} ${unit}` : `theory (${basis})`;
}

/** The index of a run's last layer: relative depth ℓ/L runs from 0 (the first weight matrix) to 1 (this one). */
function lastIndex(result: Result): number {
  return result.layers[result.layers.length - 1]?.index ?? 0;
}

/** Points at layer ℓ moved to ℓ/L on a relative-depth axis (L: the last layer's index, from `result`). */
function onDepth(data: XY[], result: Result, view: LayerView): XY[] {
  const last = lastIndex(result);
  return view.relative && last > 0 ? data.map((p) => ({ x: p.x / last, y: p.y })) : data;
}

function spreadOnDepth(s: SpreadSeries, result: Result, view: LayerView): SpreadSeries {
  return { min: onDepth(s.min, result, view), max: onDepth(s.max, result, view), mean: onDepth(s.mean, result, view) };
}

/** The current run's legend label names the run when another one is overlaid: the legend says which is which. */
function currentLabel(label: string, baseline: Baseline | null, view: LayerView): string {
  return baseline && view.current ? `${label} — ${view.current}` : label;
}

function layerAxis(result: Result, view: LayerView): { xTitle: string; xPerLayer: number } {
  const last = lastIndex(result);
  if (!view.relative || last === 0) return { xTitle: depthTitle(result), xPerLayer: 1 };
  return { xTitle: `relative depth ℓ/L (0: first layer, 1: last; this run ${result.layers.length} layers)`, xPerLayer: 1 / last };
}

function baselineLine(key: string, baseline: Baseline | null, data: (r: Result) => XY[]): SeriesDef {
  return { key: `${key}-previous`, label: baseline ? baseline.label : 'earlier run', role: 'previous', color: 'muted', data: baseline ? data(baseline.result) : [] };
}

function withBaselineNote(summary: string, baseline: Baseline | null): string {
  return baseline ? `${summary} Dashed grey: ${baseline.label}.` : summary;
}

/** Depth of the layer charts: the measured layers, and the spec's depth when a quick run capped it. */
export function depthTitle(result: Result): string {
  const caps = result.quickCaps;
  return caps && caps.depth.run < caps.depth.spec ? `layer ℓ (quick run: ${caps.depth.run} of the spec's ${caps.depth.spec} layers)` : 'layer ℓ';
}

const isometry: ChartSpec = {
  id: 'isometry',
  title: 'Isometry gap per layer',
  axes: { x: { type: 'linear', title: 'layer ℓ' }, y: { type: 'logarithmic', title: 'isometry gap φ (log scale)', minSpan: 10 }, collapseLabels: true },
  yToggle: true,
  content(result, baseline, view = LAYER_VIEW) {
    return {
      series: [
        ...spread('phi', currentLabel(`φ, ${seedsLabel(result)}`, baseline, view), 'blue', spreadOnDepth(isometrySeries(result.layers), result, view), result.seeds),
        baselineLine('phi', baseline, (r) => onDepth(isometrySeries(r.layers).mean, r, view)),
      ],
      collapse: collapseRanges(result.layers),
      summary: withBaselineNote(isometrySummary(result), baseline),
      visible: true,
      ...layerAxis(result, view),
    };
  },
};

const gradient: ChartSpec = {
  id: 'gradient',
  title: 'Gradient norm per layer',
  axes: { x: { type: 'linear', title: 'layer ℓ' }, y: { type: 'linear', log10: true, title: '‖∇W‖ (log scale)', minSpan: 1 } },
  yToggle: true,
  content(result, baseline, view = LAYER_VIEW) {
    return {
      series: [
        ...spread('grad', currentLabel(`‖∇W‖, ${seedsLabel(result)}`, baseline, view), 'orange', spreadOnDepth(gradientSeries(result.layers), result, view), result.seeds),
        { key: 'grad-theory', label: theoryLabel(result, 'per layer'), role: 'theory', color: 'foreground', data: onDepth(theoryGradientLine(result), result, view) },
        baselineLine('grad', baseline, (r) => onDepth(gradientSeries(r.layers).mean, r, view)),
      ],
      collapse: [],
      summary: withBaselineNote(gradientSummary(result), baseline),
      visible: true,
      ...layerAxis(result, view),
    };
  },
};

const sweep: ChartSpec = {
  id: 'sweep',
  title: 'Depth sweep: first-layer gradient vs depth',
  axes: { x: { type: 'linear', title: 'depth L' }, y: { type: 'linear', log10: true, title: '‖∇W₁‖ (log scale)', minSpan: 1 } },
  yToggle: true,
  xToggle: (result) => {
    const depths = (result.depthSweep ?? []).map((p) => p.depth).filter((d) => d > 0);
    return depths.length >= 2 && Math.max(...depths) / Math.min(...depths) >= 10 ? 'logarithmic' : 'linear';
  },
  content(result, baseline) {
    return {
      series: [
        ...spread('sweep', `‖∇W₁‖, ${seedsLabel(result)}`, 'purple', depthSweepSeries(result), result.seeds),
        { key: 'sweep-theory', label: theoryLabel(result, 'per added layer'), role: 'theory', color: 'foreground', data: theorySweepLine(result) },
        baselineLine('sweep', baseline, (r) => depthSweepSeries(r).mean),
      ],
      collapse: [],
      summary: withBaselineNote(sweepSummary(result), baseline),
      visible: (result.depthSweep?.length ?? 0) > 0,
    };
  },
};

/** TensorBoard's default-like smoothing, only where there are enough points for it to mean anything. */
function smoothing(points: number): number {
  return points >= 10 ? 0.6 : 0;
}

/** A training curve: the raw values faint, the smoothed ones on top (or just the values when too few to smooth). */
function trainCurve(key: string, label: string, color: PaletteColor, data: XY[], role: 'line' | 'dashed'): SeriesDef[] {
  const weight = smoothing(data.length);
  if (weight === 0) return [{ key, label, role, color, data }];
  return [
    { key: `${key}-raw`, label: `${label} (raw)`, role: 'raw', color, data },
    { key, label: `${label} (smoothed)`, role, color, data: smoothSeries(data, weight) },
  ];
}

const trainLoss: ChartSpec = {
  id: 'trainLoss',
  title: 'Training loss',
  axes: { x: { type: 'linear', title: 'step', ticksAtData: true }, y: { type: 'linear', title: 'loss' } },
  yToggle: true,
  content(result, baseline) {
    const t = trainSeries(result.train?.records ?? []);
    return {
      series: [
        ...trainCurve('loss', 'training loss', 'blue', t.loss, 'line'),
        ...trainCurve('eval-loss', 'held-out loss', 'orange', t.evalLoss, 'dashed'),
        baselineLine('loss', baseline, (r) => trainSeries(r.train?.records ?? []).loss),
      ],
      collapse: [],
      summary: withBaselineNote(trainSummary(result), baseline),
      visible: (result.train?.records.length ?? 0) > 0,
    };
  },
};

const trainAccuracy: ChartSpec = {
  id: 'trainAccuracy',
  title: 'Training accuracy',
  axes: { x: { type: 'linear', title: 'step', ticksAtData: true }, y: { type: 'linear', title: 'accuracy', min: 0, max: 1, percent: true } },
  content(result, baseline) {
    const t = trainSeries(result.train?.records ?? []);
    return {
      series: [
        ...trainCurve('accuracy', 'training accuracy', 'blue', t.accuracy, 'line'),
        ...trainCurve('eval-accuracy', 'held-out accuracy', 'orange', t.evalAccuracy, 'dashed'),
        baselineLine('accuracy', baseline, (r) => trainSeries(r.train?.records ?? []).accuracy),
      ],
      collapse: [],
      summary: withBaselineNote(trainAccuracySummary(result), baseline),
      visible: (result.train?.records.length ?? 0) > 0,
    };
  },
};

const trainIsometry: ChartSpec = {
  id: 'trainIsometry',
  title: 'Middle-layer isometry during training',
  axes: { x: { type: 'linear', title: 'step', ticksAtData: true }, y: { type: 'logarithmic', title: 'isometry gap φ (log scale)', minSpan: 10 } },
  yToggle: true,
  content(result, baseline) {
    const records = result.train?.records ?? [];
    const depth = result.layers.length;
    const xLayer = middleLayer(records, depth, 'isometryGap');
    const wLayer = middleLayer(records, depth, 'weightIsometry');
    const prevRecords = baseline?.result.train?.records ?? [];
    const prevLayer = middleLayer(prevRecords, baseline?.result.layers.length ?? 0, 'isometryGap');
    return {
      series: [
        { key: 'phi-x', label: `φ(X) at layer ${xLayer ?? '—'}`, role: 'line', color: 'blue', data: xLayer === null ? [] : layerOverSteps(records, xLayer, 'isometryGap') },
        { key: 'phi-w', label: `φ(W) at layer ${wLayer ?? '—'}`, role: 'dashed', color: 'purple', data: wLayer === null ? [] : layerOverSteps(records, wLayer, 'weightIsometry') },
        baselineLine('phi-x', prevLayer === null ? null : baseline, (r) => layerOverSteps(r.train?.records ?? [], prevLayer ?? 0, 'isometryGap')),
      ],
      collapse: [],
      summary: withBaselineNote(trainIsometrySummary(result), baseline),
      visible: xLayer !== null || wLayer !== null,
    };
  },
};

export const CHARTS: readonly ChartSpec[] = [gradient, isometry, sweep, trainLoss, trainAccuracy, trainIsometry];
