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
  theorySweepLine,
  trainSeries,
  type LayerRange,
  type SpreadSeries,
  type XY,
} from '../series';
import { factorText } from '../../shared/numberText';
import { gradientSummary, isometrySummary, sweepSummary, trainIsometrySummary, trainSummary } from '../summaries';
import type { PaletteColor } from '../theme';
import type { ChartDef, SeriesDef } from './seriesChart';

export type ChartId = 'isometry' | 'gradient' | 'sweep' | 'train' | 'trainIsometry';

export interface ChartContent {
  series: SeriesDef[];
  collapse: LayerRange[];
  summary: string;
  /** False when the result has nothing for this chart (no sweep, no training): the card is hidden. */
  visible: boolean;
}

export interface ChartSpec {
  id: ChartId;
  title: string;
  axes: ChartDef;
  content(result: Result, previous: Result | null): ChartContent;
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

function theoryLabel(result: Result, unit: string): string {
  const t = result.theory;
  return t && Number.isFinite(t.perLayer) ? `theory: ${factorText(t.perLayer)} ${unit}` : 'theory';
}

function previousLine(key: string, data: XY[]): SeriesDef {
  return { key: `${key}-previous`, label: 'previous run', role: 'previous', color: 'muted', data };
}

const isometry: ChartSpec = {
  id: 'isometry',
  title: 'Isometry gap per layer',
  axes: { x: { type: 'linear', title: 'layer ℓ' }, y: { type: 'logarithmic', title: 'isometry gap φ (log)' }, collapseLabels: true },
  content(result, previous) {
    return {
      series: [
        ...spread('phi', `φ, ${seedsLabel(result)}`, 'blue', isometrySeries(result.layers), result.seeds),
        previousLine('phi', previous ? isometrySeries(previous.layers).mean : []),
      ],
      collapse: collapseRanges(result.layers),
      summary: isometrySummary(result),
      visible: true,
    };
  },
};

const gradient: ChartSpec = {
  id: 'gradient',
  title: 'Gradient norm per layer',
  axes: { x: { type: 'linear', title: 'layer ℓ' }, y: { type: 'linear', title: 'ln ‖∇W‖' } },
  content(result, previous) {
    return {
      series: [
        ...spread('grad', `ln ‖∇W‖, ${seedsLabel(result)}`, 'orange', gradientSeries(result.layers), result.seeds),
        { key: 'grad-theory', label: theoryLabel(result, 'per layer'), role: 'theory', color: 'foreground', data: theoryGradientLine(result) },
        previousLine('grad', previous ? gradientSeries(previous.layers).mean : []),
      ],
      collapse: [],
      summary: gradientSummary(result),
      visible: true,
    };
  },
};

const sweep: ChartSpec = {
  id: 'sweep',
  title: 'Depth sweep: first-layer gradient vs depth',
  axes: { x: { type: 'linear', title: 'depth L' }, y: { type: 'linear', title: 'ln ‖∇W₁‖' } },
  content(result, previous) {
    return {
      series: [
        ...spread('sweep', `ln ‖∇W₁‖, ${seedsLabel(result)}`, 'purple', depthSweepSeries(result), result.seeds),
        { key: 'sweep-theory', label: theoryLabel(result, 'per added layer'), role: 'theory', color: 'foreground', data: theorySweepLine(result) },
        previousLine('sweep', previous ? depthSweepSeries(previous).mean : []),
      ],
      collapse: [],
      summary: sweepSummary(result),
      visible: (result.depthSweep?.length ?? 0) > 0,
    };
  },
};

const train: ChartSpec = {
  id: 'train',
  title: 'Training loss and accuracy',
  axes: {
    x: { type: 'linear', title: 'step' },
    y: { type: 'linear', title: 'loss' },
    y1: { type: 'linear', title: 'accuracy', min: 0, max: 1, percent: true },
  },
  content(result, previous) {
    const t = trainSeries(result.train?.records ?? []);
    const p = trainSeries(previous?.train?.records ?? []);
    return {
      series: [
        { key: 'loss', label: 'loss', role: 'line', color: 'red', data: t.loss },
        { key: 'eval-loss', label: 'held-out loss', role: 'dashed', color: 'red', data: t.evalLoss },
        { key: 'accuracy', label: 'accuracy', role: 'line', color: 'green', data: t.accuracy, yAxisID: 'y1' },
        { key: 'eval-accuracy', label: 'held-out accuracy', role: 'dashed', color: 'green', data: t.evalAccuracy, yAxisID: 'y1' },
        { key: 'loss-previous', label: 'previous run loss', role: 'previous', color: 'muted', data: p.loss },
      ],
      collapse: [],
      summary: trainSummary(result),
      visible: (result.train?.records.length ?? 0) > 0,
    };
  },
};

const trainIsometry: ChartSpec = {
  id: 'trainIsometry',
  title: 'Middle-layer isometry during training',
  axes: { x: { type: 'linear', title: 'step' }, y: { type: 'logarithmic', title: 'isometry gap φ (log)' } },
  content(result, previous) {
    const records = result.train?.records ?? [];
    const depth = result.layers.length;
    const xLayer = middleLayer(records, depth, 'isometryGap');
    const wLayer = middleLayer(records, depth, 'weightIsometry');
    const prevRecords = previous?.train?.records ?? [];
    const prevLayer = middleLayer(prevRecords, previous?.layers.length ?? 0, 'isometryGap');
    return {
      series: [
        { key: 'phi-x', label: `φ(X) at layer ${xLayer ?? '—'}`, role: 'line', color: 'blue', data: xLayer === null ? [] : layerOverSteps(records, xLayer, 'isometryGap') },
        { key: 'phi-w', label: `φ(W) at layer ${wLayer ?? '—'}`, role: 'dashed', color: 'purple', data: wLayer === null ? [] : layerOverSteps(records, wLayer, 'weightIsometry') },
        previousLine('phi-x', prevLayer === null ? [] : layerOverSteps(prevRecords, prevLayer, 'isometryGap')),
      ],
      collapse: [],
      summary: trainIsometrySummary(result),
      visible: xLayer !== null || wLayer !== null,
    };
  },
};

export const CHARTS: readonly ChartSpec[] = [gradient, isometry, sweep, train, trainIsometry];
