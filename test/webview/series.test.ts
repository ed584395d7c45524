// The pure chart transforms and summaries, checked against values derived by hand from their definitions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LayerResult, TrainRecord } from '../../src/shared/result';
import {
  collapseRanges,
  isometrySeries,
  layerOverSteps,
  middleLayer,
  smoothSeries,
  theoryGradientLine,
  trainSeries,
  valueAt,
} from '../../src/webview/series';
import { factorText, numberText, pow10Text, totalFactorText } from '../../src/shared/numberText';
import { withAlpha } from '../../src/webview/theme';
import { evenTicks, log10AxisTicks, logTicks, powerText, widenToSpan, yAxisAt, defaultYScale } from '../../src/webview/charts/seriesChart';

function layer(index: number, phi: number | null, logGrad: number | null, degenerate = false, rank = 8): LayerResult {
  return {
    index,
    isometryGap: { mean: phi, min: phi === null ? null : phi / 2, max: phi === null ? null : phi * 2 },
    degenerate,
    rank,
    logGradNorm: { mean: logGrad, min: logGrad, max: logGrad },
  };
}

test('theory line has slope −log10(perLayer) and passes through the measured mean (ln → log10) at the output layer', () => {
  const layers = [layer(0, 1, 5), layer(1, 1, 4), layer(2, 1, 3), layer(3, 1, 2.5)];
  const line = theoryGradientLine({ layers, theory: { perLayer: 2, lambda: 4, basis: 'gaussian-bn-large-batch' } });
  assert.equal(line.length, 2);
  assert.equal(line[1].x, 3);
  assert.ok(Math.abs((line[1].y as number) - 2.5 / Math.LN10) < 1e-12);
  // Three layers toward the input, each multiplying the norm by 2: log10 grows by 3 log10 2.
  assert.equal(line[0].x, 0);
  assert.ok(Math.abs((line[0].y as number) - (2.5 / Math.LN10 + 3 * Math.log10(2))) < 1e-12);
});

test('a per-layer theory curve is drawn through every layer, anchored at the last finite measured layer', () => {
  const layers = [layer(0, 1, 9), layer(1, 1, 6), layer(2, 1, 5), layer(3, 1, null)];
  const theory = { perLayer: 1.5, lambda: 2.25, basis: 'residual-bn' as const, logGradNorm: [2, 1.2, 0.5, 0] };
  const curve = theoryGradientLine({ layers, theory });
  // Anchor: layer 2 (measured 5, profile 0.5) → offset 4.5 nats for every layer; the chart plots log10.
  assert.deepEqual(curve.map((p) => p.x), [0, 1, 2, 3]);
  [6.5, 5.7, 5, 4.5].forEach((ln, i) => assert.ok(Math.abs((curve[i]!.y as number) - ln / Math.LN10) < 1e-12, `layer ${i}: ${curve[i]!.y}`));
});

test('theory line anchors at the last finite layer and is absent when the rate is unbounded', () => {
  const layers = [layer(0, 1, 7), layer(1, 1, 6), layer(2, 1, null)];
  const line = theoryGradientLine({ layers, theory: { perLayer: Math.E, lambda: Math.E ** 2, basis: 'unknown' } });
  assert.equal(line[1].x, 1);
  assert.ok(Math.abs((line[1].y as number) - 6 / Math.LN10) < 1e-12);
  assert.ok(Math.abs((line[0].y as number) - 7 / Math.LN10) < 1e-12);
  assert.deepEqual(theoryGradientLine({ layers, theory: { perLayer: Infinity, lambda: Infinity, basis: 'unknown' } }), []);
  assert.deepEqual(theoryGradientLine({ layers, theory: null }), []);
});

test('smoothing: debiased EMA (a constant stays constant), gaps kept; weight 0 is the identity', () => {
  const flat = [1, 1, 1, 1].map((y, x) => ({ x, y }));
  assert.deepEqual(smoothSeries(flat, 0.6).map((p) => Number((p.y as number).toFixed(12))), [1, 1, 1, 1]);
  const steps = [{ x: 0, y: 0 }, { x: 1, y: null }, { x: 2, y: 10 }];
  const s = smoothSeries(steps, 0.5);
  assert.equal(s[1].y, null);
  // EMA after 0 then 10 with weight ½: (0·½ + 10·½)/(1 − ¼) = 5/0.75.
  assert.ok(Math.abs((s[2].y as number) - 5 / 0.75) < 1e-12);
  assert.deepEqual(smoothSeries(steps, 0), steps);
});

test('values between a line\'s points are interpolated; outside it there is none', () => {
  const line = [{ x: 0, y: 1 }, { x: 10, y: 3 }];
  assert.equal(valueAt(line, 5), 2);
  assert.equal(valueAt(line, 10), 3);
  assert.equal(valueAt(line, 11), null);
});

test('log10 axes: 1-2-5 steps over a few decades, whole decades beyond, values past float range still written', () => {
  const round = (vs: number[]): number[] => vs.map((v) => Number(v.toFixed(6)));
  assert.deepEqual(round(log10AxisTicks(-0.2, 3.4)), round([1, 3, 10, 30, 100, 300, 1000].map(Math.log10)));
  assert.deepEqual(round(log10AxisTicks(-0.5, 1.5)), round([0.5, 1, 2, 5, 10, 20].map(Math.log10)));
  // 41 whole decades, at most 8 ticks: every 6th.
  assert.deepEqual(log10AxisTicks(400, 440), [400, 406, 412, 418, 424, 430, 436]);
  assert.deepEqual(log10AxisTicks(0, 1).map((v) => Number(v.toFixed(6))), [0, 0.30103, 0.69897, 1].map((v) => Number(v.toFixed(6))));
  assert.equal(powerText(3), '10³');
  assert.equal(powerText(400.30103), '2·10⁴⁰⁰');
  assert.equal(powerText(Math.log10(2)), '2');
  assert.deepEqual(widenToSpan(0.1, 0.2, 1, false).map((v) => Number(v.toFixed(12))), [-0.35, 0.65]);
  assert.deepEqual(widenToSpan(0, 5, 1, false), [0, 5]);
  const [lo, hi] = widenToSpan(2, 4, 10, true);
  assert.ok(Math.abs(hi / lo - 10) < 1e-9 && Math.abs(Math.sqrt(lo * hi) - Math.sqrt(8)) < 1e-9);
});

test('rank-collapsed layers become gaps on the log axis and contiguous collapse ranges', () => {
  const layers = [layer(0, 0.5, 0), layer(1, null, 0, true, 3), layer(2, null, 0, true, 2), layer(3, 0, 0), layer(4, null, 0, true, 5)];
  const s = isometrySeries(layers);
  assert.deepEqual(s.mean.map((p) => p.y), [0.5, null, null, null, null]); // φ = 0 cannot sit on a log axis either
  assert.deepEqual(s.max.map((p) => p.x), [0, 1, 2, 3, 4]);
  assert.deepEqual(collapseRanges(layers), [{ from: 1, to: 2, rank: 2 }, { from: 4, to: 4, rank: 5 }]);
});

test('middle layer is the recorded one closest to (L−1)/2, and its gap is followed over steps', () => {
  const rec = (step: number, v: number | null): TrainRecord => ({ step, loss: 1, accuracy: 0.5, logGradNorm: [], isometryGap: [{ layer: 0, value: 9 }, { layer: 4, value: v }, { layer: 9, value: 1 }] });
  const records = [rec(0, 2), rec(5, null), rec(10, 0.5)];
  assert.equal(middleLayer(records, 10, 'isometryGap'), 4);
  assert.equal(middleLayer(records, 10, 'weightIsometry'), null);
  assert.deepEqual(layerOverSteps(records, 4, 'isometryGap'), [{ x: 0, y: 2 }, { x: 5, y: null }, { x: 10, y: 0.5 }]);
  assert.deepEqual(trainSeries(records).evalLoss, []);
  assert.deepEqual(trainSeries(records).loss.map((p) => p.x), [0, 5, 10]);
});

test('factors are written with the digits that matter', () => {
  assert.equal(pow10Text(82.3), '10⁸²');
  assert.equal(pow10Text(-3), '10⁻³');
  assert.equal(factorText(1.2134), '1.21×');
  assert.equal(factorText(1.0004), '1.0004×');
  assert.equal(factorText(1.0377), '1.038×');
  assert.equal(totalFactorText(2), '100×');
  assert.equal(totalFactorText(82.4), '10⁸²×');
});

test('band colours keep the hue and scale the alpha', () => {
  assert.equal(withAlpha('rgb(55, 148, 255)', 0.2), 'rgba(55, 148, 255, 0.2)');
  assert.equal(withAlpha('rgba(10, 20, 30, 0.5)', 0.5), 'rgba(10, 20, 30, 0.25)');
});

test('log-axis ticks: the finest of 1-1.2-1.5-…, 1-2-5, 1-3 steps that fits 8 ticks, else powers of ten', () => {
  assert.deepEqual(logTicks(0.3, 1), [0.3, 0.4, 0.5, 0.6, 0.8, 1]);
  assert.deepEqual(logTicks(1.05, 2.7), [1.2, 1.5, 2, 2.5]);
  assert.deepEqual(logTicks(0.04, 3), [0.05, 0.1, 0.2, 0.5, 1, 2]);
  assert.deepEqual(logTicks(0.004, 3), [0.01, 0.03, 0.1, 0.3, 1, 3]); // 1-2-5 would be 9 ticks: 1-3 instead
  assert.deepEqual(logTicks(1e-6, 1e6), [1e-6, 1e-4, 0.01, 1, 100, 1e4, 1e6]);
  assert.deepEqual(logTicks(0, 1), []);
});

test('numbers far from 1 are written with powers of ten', () => {
  assert.equal(numberText(1e-4), '10⁻⁴');
  assert.equal(numberText(2.5e-7), '2.5·10⁻⁷');
  assert.equal(numberText(-3e6), '−3·10⁶');
  assert.equal(numberText(0.0123), '0.0123');
  assert.equal(numberText(-0.5), '−0.5');
  assert.equal(numberText(null), '—');
});

test('even ticks for a log axis over a fraction of a decade; the y axis at the other scale', () => {
  assert.deepEqual(logTicks(1.26, 1.6), [1.5], 'premise: 1-2-5 steps leave one tick');
  assert.deepEqual(evenTicks(1.26, 1.6), [1.3, 1.4, 1.5, 1.6]);
  assert.deepEqual(evenTicks(0.02, 0.1), [0.02, 0.04, 0.06, 0.08, 0.1]);
  assert.deepEqual(evenTicks(1, 1), []);
  const log10 = { type: 'linear' as const, log10: true, title: '‖∇W‖ (log scale)', minSpan: 1 };
  assert.equal(defaultYScale(log10), 'log');
  assert.deepEqual(yAxisAt(log10, 'log'), log10);
  assert.deepEqual(yAxisAt(log10, 'linear'), { type: 'linear', log10: false, title: '‖∇W‖' });
  assert.deepEqual(yAxisAt({ type: 'linear', title: 'loss' }, 'log'), { type: 'logarithmic', log10: false, title: 'loss (log scale)' });
  assert.deepEqual(yAxisAt({ type: 'logarithmic', title: 'φ (log scale)', minSpan: 10 }, 'linear'), { type: 'linear', log10: false, title: 'φ' });
});
