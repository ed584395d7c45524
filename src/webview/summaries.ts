// One-sentence text summaries of each chart: shown under the chart and referenced by aria-describedby.
import type { Result } from '../shared/result';
import { factorText, numberText, ordersText, percentText, totalFactorText } from '../shared/numberText';
import { THEORY_BASIS_SHORT } from '../shared/theoryText';
import { collapseRanges, middleLayer, layerOverSteps, type XY } from './series';

function lastFinite(points: readonly XY[]): XY | undefined {
  for (let i = points.length - 1; i >= 0; i--) if (points[i].y !== null) return points[i];
  return undefined;
}

function firstFinite(points: readonly XY[]): XY | undefined {
  return points.find((p) => p.y !== null);
}

/** "24 layers", or "the 100 layers of a quick run (the spec has 500)": every number says which depth it refers to. */
export function layersText(result: Result): string {
  const n = result.layers.length;
  const caps = result.quickCaps;
  if (caps && caps.depth.spec > n) return `the ${n} layers of a quick run (the spec has ${caps.depth.spec})`;
  return `${n} layer${n === 1 ? '' : 's'}`;
}

export function gradientSummary(result: Result): string {
  const layers = result.layers.length;
  if (layers === 0) return 'No layers measured yet.';
  const parts: string[] = [];
  const g = result.growth;
  if (g && Number.isFinite(g.perLayer)) {
    // perLayer is the fitted trend; log10Range is max/min over the layers, which noise alone makes > 1: two different
    // numbers, said as two different things.
    const verb = g.perLayer >= 1 ? 'grows' : 'shrinks';
    parts.push(
      `Over ${layersText(result)}, the gradient norm ${verb} ${factorText(g.perLayer)} per layer toward the input (fitted trend); ` +
        `largest and smallest layer differ ${totalFactorText(g.log10Range)} (${ordersText(g.log10Range)} of magnitude).`,
    );
  } else {
    parts.push(`Gradient norm measured over ${layersText(result)}; no growth fit (non-finite values).`);
  }
  const t = result.theory;
  if (t) {
    const basis = THEORY_BASIS_SHORT[t.basis] ?? 'theory';
    parts.push(Number.isFinite(t.perLayer) ? `Theory (${basis}) predicts ${factorText(t.perLayer)} per layer.` : `Theory (${basis}): growth rate unbounded.`);
  }
  const nonFinite = result.layers.find((l) => l.logGradNorm.mean === null);
  if (nonFinite) parts.push(`Non-finite gradient from layer ${nonFinite.index}.`);
  return parts.join(' ');
}

export function isometrySummary(result: Result): string {
  const layers = result.layers;
  if (layers.length === 0) return 'No layers measured yet.';
  const ranges = collapseRanges(layers);
  const measured = layers.filter((l) => l.isometryGap.mean !== null);
  const parts: string[] = [`Over ${layersText(result)}:`];
  if (measured.length > 0) {
    const a = measured[0];
    const b = measured[measured.length - 1];
    parts.push(`Isometry gap goes from ${numberText(a.isometryGap.mean)} at layer ${a.index} to ${numberText(b.isometryGap.mean)} at layer ${b.index}.`);
  }
  if (ranges.length > 0) {
    const collapsed = ranges.reduce((n, r) => n + r.to - r.from + 1, 0);
    const rank = Math.min(...ranges.map((r) => r.rank));
    parts.push(
      collapsed === layers.length
        ? `Rank collapse at every layer (rank down to ${rank}): the gap is infinite throughout, so there is no curve, only the hatched band and markers.`
        : `Rank collapse from layer ${ranges[0].from} (${collapsed} of ${layers.length} layers, rank down to ${rank}): gap infinite there (hatched, marked on top).`,
    );
  } else {
    parts.push('No rank collapse.');
  }
  return parts.join(' ');
}

export function sweepSummary(result: Result): string {
  const sweep = result.depthSweep ?? [];
  const points = sweep.filter((p) => p.logGradNormW1.mean !== null);
  if (points.length === 0) return 'No depth sweep in this run.';
  const a = points[0];
  const b = points[points.length - 1];
  const am = a.logGradNormW1.mean as number;
  const bm = b.logGradNormW1.mean as number;
  const orders = (bm - am) / Math.LN10;
  const text = `‖∇W₁‖ changes ${totalFactorText(orders)} (${ordersText(orders)} of magnitude) from depth ${a.depth} to depth ${b.depth}`;
  if (points.length < 2 || b.depth === a.depth) return `${text}.`;
  const perLayer = Math.exp((bm - am) / (b.depth - a.depth));
  return `${text}: ${factorText(perLayer)} per added layer (end to end).`;
}

export function trainSummary(result: Result): string {
  const records = result.train?.records ?? [];
  if (records.length === 0) return 'No training in this run.';
  const a = records[0];
  const b = records[records.length - 1];
  const depth = result.train?.depth ?? result.layers.length;
  let text = `Loss ${numberText(a.loss)} → ${numberText(b.loss)} over ${b.step} steps at depth ${depth}.`;
  const d = result.train?.diverged;
  if (d) text += ` Diverged at step ${d.step}: ${d.reason}.`;
  return text;
}

export function trainAccuracySummary(result: Result): string {
  const records = result.train?.records ?? [];
  if (records.length === 0) return 'No training in this run.';
  const a = records[0];
  const b = records[records.length - 1];
  const held = b.evalAccuracy === undefined ? '' : `; held-out ${percentText(b.evalAccuracy)} at the end`;
  return `Accuracy ${percentText(a.accuracy)} → ${percentText(b.accuracy)} over ${b.step} steps${held}.`;
}

export function trainIsometrySummary(result: Result): string {
  const records = result.train?.records ?? [];
  const layer = middleLayer(records, result.layers.length, 'isometryGap');
  if (layer === null) return 'No isometry gap recorded during training.';
  const series = layerOverSteps(records, layer, 'isometryGap');
  const a = firstFinite(series);
  const b = lastFinite(series);
  if (!a || !b) return `Isometry gap at layer ${layer} collapsed throughout training.`;
  const gaps = series.filter((p) => p.y === null).map((p) => p.x);
  const gapText = gaps.length > 0 ? ` Rank collapse (gap infinite, not drawn) at step${gaps.length === 1 ? '' : 's'} ${gaps.join(', ')}.` : '';
  return `Isometry gap at layer ${layer} goes from ${numberText(a.y)} at step ${a.x} to ${numberText(b.y)} at step ${b.x} (one point per recorded step).${gapText}`;
}
