// Small float64 summaries: spreads across seeds and the growth-rate fit across layers.
import type { Growth, Spread } from '../shared/result';

/** mean/min/max of per-seed values; +∞ (a collapsed gap) or NaN makes the affected statistics null, as JSON can't hold them. */
export function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { mean: null, min: null, max: null };
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  let nan = false;
  for (const v of values) {
    if (Number.isNaN(v)) nan = true;
    sum += v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const finite = (x: number): number | null => (nan || !Number.isFinite(x) ? null : x);
  return { mean: finite(sum / values.length), min: finite(min), max: finite(max) };
}

/**
 * Least-squares fit of y_ℓ = a + slope·ℓ over the finite points. perLayer = exp(−slope): the factor by which ‖∇W_ℓ‖ grows per
 * layer going from the output toward the input. log10Range: (max − min)/ln 10. Null with fewer than two finite points.
 */
export function growthFit(logNorms: readonly (number | null)[]): Growth | null {
  const xs: number[] = [];
  const ys: number[] = [];
  logNorms.forEach((y, i) => {
    if (y !== null && Number.isFinite(y)) {
      xs.push(i);
      ys.push(y);
    }
  });
  if (xs.length < 2) return null;
  const mx = xs.reduce((s, v) => s + v, 0) / xs.length;
  const my = ys.reduce((s, v) => s + v, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  for (let k = 0; k < xs.length; k++) {
    sxy += (xs[k] - mx) * (ys[k] - my);
    sxx += (xs[k] - mx) ** 2;
  }
  const slope = sxy / sxx;
  return { perLayer: Math.exp(-slope), log10Range: (Math.max(...ys) - Math.min(...ys)) / Math.LN10 };
}
