// λ: the per-layer factor by which the squared gradient norm grows (output → input) in a batch-normalized network
// at initialization, and the derived depth sums (activation shaping, residual variance growth).
import type { Activation } from '../spec/types';
import { activation, quadratureFor, type ActivationFunction } from './activations';
import { forEachNormalNode } from './quadrature';

export type ActivationLike = Activation | ActivationFunction;

function resolve(act: ActivationLike): ActivationFunction {
  return typeof act === 'string' ? activation(act) : act;
}

/**
 * Gaussian weights + BN + linear σ at batch size B (Yang et al. 2019): (B−2)/(B−3) with centred BN, (B−1)/(B−2)
 * without mean reduction; Infinity where the rate is undefined (B ≤ 3 centred, B ≤ 2 uncentred).
 */
export function lambdaLinearBN(batch: number, centred: boolean): number {
  const b = centred ? batch - 3 : batch - 2;
  return b > 0 ? (b + 1) / b : Infinity;
}

/**
 * Haar-orthogonal weights + BN + linear σ at batch B and width d: the per-layer factor λ of the squared gradient norm in
 * the bulk of a deep network. Meterez et al. (2024) prove a depth-independent bound for mean-free BN at B = d only; for
 * B < d this is an empirical law fitted to float64 measurements (bench/theory/TABLES.md; tested in
 * test/unit/theory-orthogonal.test.ts):
 *   λ = 1 + (1 − x)/(n − 2) + x(1 − x)/(4d),   x = n/d,   n = B uncentred, B − 1 centred
 * (centring removes one direction of the batch). The first term is the leading law: it has Yang et al.'s (B−1)/(B−2)
 * and (B−2)/(B−3) as d → ∞ and gives 1 at n = d, where an isometric batch gives every BN row the same norm. Its shape
 * comes from the row scale of an isometric batch: a Haar row w projects onto the batch's n-dimensional span with
 * ‖Pw‖² ~ Beta(n/2, (d−n)/2), so E[1/s²] = n(d−2)/(d(n−2)), and the first term is that factor times the share
 * 1 − (d−n)/(n(d−2)) of the gradient that BN's projection keeps — a share read off the measurements, not derived. The
 * second term, a finite-width correction vanishing at both ends, is fitted (coefficient 0.24 ± 0.05, rounded to ¼).
 * NaN when n > d (a degenerate batch: no law), Infinity when n ≤ 2.
 */
export function lambdaOrthogonalBN(batch: number, width: number, centred: boolean): number {
  const n = centred ? batch - 1 : batch;
  if (n > width) return NaN;
  if (n <= 2) return Infinity;
  const x = n / width;
  return 1 + (1 - x) / (n - 2) + (x * (1 - x)) / (4 * width);
}

/** The smallest batch whose orthogonal-BN rate is at most `lambda` (> 1), capped at the width (+1 centred). */
export function orthogonalBatchForLambda(lambda: number, width: number, centred: boolean): number {
  const top = centred ? width + 1 : width;
  for (let b = centred ? 4 : 3; b < top; b++) if (lambdaOrthogonalBN(b, width, centred) <= lambda) return b;
  return top;
}

/** The smallest batch whose linear-BN rate is at most `lambda` (> 1). */
export function batchForLambda(lambda: number, centred: boolean): number {
  const b = Math.ceil(1 / (lambda - 1) - 1e-9);
  return b + (centred ? 3 : 2);
}

interface GaussianMoments {
  /** E[σ′(αz)²] */
  derivativeSquare: number;
  /** E[σ(αz)] */
  mean: number;
  /** E[σ(αz)²] */
  square: number;
}

function moments(act: ActivationFunction, gain: number): GaussianMoments {
  let derivativeSquare = 0;
  let mean = 0;
  let square = 0;
  forEachNormalNode(quadratureFor(act, gain), (z, w) => {
    const x = gain * z;
    const s = act.f(x);
    const d = act.df(x);
    derivativeSquare += w * d * d;
    mean += w * s;
    square += w * s * s;
  });
  return { derivativeSquare, mean, square };
}

/**
 * A piecewise-linear σ with slopes p (x > 0) and m (x < 0): E[σ′²] = E[σ²] = (p² + m²)/2, E[σ] = (p − m)/√(2π).
 * This is the zero-gain limit of a kinked σ, and the exact value for any positively homogeneous one.
 */
function piecewiseLinearLambda(p: number, m: number, centredBN: boolean): number {
  const second = (p * p + m * m) / 2;
  const mean = (p - m) / Math.sqrt(2 * Math.PI);
  return second / (centredBN ? second - mean * mean : second);
}

/**
 * Gain-0 limit: a smooth σ becomes linear (λ → 1); a kinked one becomes piecewise linear around its kink at 0. With the
 * uncentred moment and σ(0) ≠ 0 the ratio vanishes like α²σ′(0)²/σ(0)² (the constant σ(0) swamps the signal).
 */
function zeroGainLambda(act: ActivationFunction, centredBN: boolean): number {
  if (!centredBN && act.f(0) !== 0) return 0;
  if (!act.kinks.includes(0)) return 1;
  const h = 1e-12;
  return piecewiseLinearLambda(act.df(h), act.df(-h), centredBN);
}

/** True when ln λ(α) ~ 2·ln α as α → 0 (uncentred ratio, σ(0) ≠ 0): tables then hold ln λ − 2·ln α. */
function vanishesAtZeroGain(act: ActivationFunction, centred: boolean): boolean {
  return !centred && act.f(0) !== 0;
}

/**
 * Large-batch λ∞(σ, α) = α²·E[σ′(αz)²] / Var[σ(αz)], z ~ N(0,1), by quadrature (Yang et al. 2019; α is the
 * pre-activation gain of activation shaping). α = 1: ReLU π/(π−1), tanh ≈ 1.1778, sin coth(1), identity 1.
 */
export function lambdaInfinity(act: ActivationLike, gain = 1): number {
  return gradientRatio(resolve(act), gain, true);
}

/**
 * The same ratio with the uncentred second moment, α²·E[σ′(αz)²] / E[σ(αz)²]: the mean-field rate of a
 * per-sample normalization (LayerNorm before σ), where the mean of σ is not removed by the next normalization.
 */
export function lambdaLayerNorm(act: ActivationLike, gain = 1): number {
  return gradientRatio(resolve(act), gain, false);
}

function gradientRatio(act: ActivationFunction, gain: number, centred: boolean): number {
  const g = Math.abs(gain);
  if (g < 1e-8) return zeroGainLambda(act, centred);
  const m = moments(act, g);
  const spread = centred ? m.square - m.mean * m.mean : m.square;
  return (g * g * m.derivativeSquare) / spread;
}

/** ln λ on a uniform grid α ∈ [0, 1], so shaping sums over 10⁵ layers cost one interpolation per layer. */
const TABLE_SIZE = 1024;

interface Tables {
  /** Keyed by the centring of the ratio (λ∞ for BN: true; LayerNorm: false). */
  grid: Map<boolean, Float64Array>;
  unitGain: Map<boolean, number>;
  /** shapingLogGrowth results by "exponent:layers" (editing a spec recomputes the same sums). */
  shapingSums: Map<string, number>;
}

const tablesByActivation = new WeakMap<ActivationFunction, Tables>();
const activationsByKey = new Map<string, ActivationFunction>();

const canonicalOf = new WeakMap<ActivationFunction, ActivationFunction>();
const canonicalByName = new Map<string, ActivationFunction>();

/** One ActivationFunction object per (name, slope), so its tables are built once whoever asks. */
function canonical(act: ActivationLike): ActivationFunction {
  if (typeof act === 'string') {
    let a = canonicalByName.get(act);
    if (!a) {
      a = canonical(activation(act));
      canonicalByName.set(act, a);
    }
    return a;
  }
  let known = canonicalOf.get(act);
  if (!known) {
    const key = `${act.name}:${act.df(-1)}`;
    known = activationsByKey.get(key) ?? act;
    activationsByKey.set(key, known);
    canonicalOf.set(act, known);
  }
  return known;
}

function tablesOf(act: ActivationFunction): Tables {
  let t = tablesByActivation.get(act);
  if (!t) {
    t = { grid: new Map(), unitGain: new Map(), shapingSums: new Map() };
    tablesByActivation.set(act, t);
  }
  return t;
}

function lnRatioTable(act: ActivationFunction, centred: boolean): Float64Array {
  const tables = tablesOf(act);
  let table = tables.grid.get(centred);
  if (!table) {
    table = new Float64Array(TABLE_SIZE + 1);
    const singular = vanishesAtZeroGain(act, centred);
    // Singular case: the regular part ln(E[σ′(αz)²]/E[σ(αz)²]) tends to ln(σ′(0)²/σ(0)²).
    table[0] = singular ? 2 * Math.log(Math.abs(act.df(0) / act.f(0))) : Math.log(zeroGainLambda(act, centred));
    for (let j = 1; j <= TABLE_SIZE; j++) {
      const g = j / TABLE_SIZE;
      table[j] = Math.log(gradientRatio(act, g, centred)) - (singular ? 2 * Math.log(g) : 0);
    }
    tables.grid.set(centred, table);
  }
  return table;
}

function lnRatioUnitGain(act: ActivationFunction, centred: boolean): number {
  const tables = tablesOf(act);
  let value = tables.unitGain.get(centred);
  if (value === undefined) {
    value = Math.log(gradientRatio(act, 1, centred));
    tables.unitGain.set(centred, value);
  }
  return value;
}

/** ln of the gradient ratio at gain α: 4-point Lagrange on the table for α ≤ 1, direct quadrature above. */
function lnRatio(act: ActivationFunction, gain: number, centred: boolean): number {
  const g = Math.abs(gain);
  // A positively homogeneous σ ignores the gain: σ(αx) = ασ(x) cancels in the ratio.
  if ((act.homogeneous && g >= 1e-8) || g === 1) return lnRatioUnitGain(act, centred);
  if (g > 1) return Math.log(gradientRatio(act, g, centred));
  const table = lnRatioTable(act, centred);
  const t = g * TABLE_SIZE;
  const i = Math.min(Math.max(Math.floor(t) - 1, 0), TABLE_SIZE - 3);
  const u = t - i;
  const y0 = table[i]!;
  const y1 = table[i + 1]!;
  const y2 = table[i + 2]!;
  const y3 = table[i + 3]!;
  const regular =
    (-y0 * (u - 1) * (u - 2) * (u - 3)) / 6 +
    (y1 * u * (u - 2) * (u - 3)) / 2 -
    (y2 * u * (u - 1) * (u - 3)) / 2 +
    (y3 * u * (u - 1) * (u - 2)) / 6;
  return vanishesAtZeroGain(act, centred) ? regular + 2 * Math.log(g) : regular;
}

/** ln λ∞(σ, α) (interpolated on a cached table for 0 ≤ α ≤ 1; relative error < 1e−9 of λ − 1). */
export function lnLambdaInfinity(act: ActivationLike, gain: number): number {
  return lnRatio(canonical(act), gain, true);
}

/** ln of the LayerNorm rate at gain α, like lnLambdaInfinity. */
export function lnLambdaLayerNorm(act: ActivationLike, gain: number): number {
  return lnRatio(canonical(act), gain, false);
}

/** Activation-shaping gain of layer ℓ (1-based): α_ℓ = ℓ^{−k} (Meterez et al. 2024). */
export function shapingGain(layer: number, exponent: number): number {
  return Math.pow(layer, -exponent);
}

/**
 * Total log growth of ‖∇‖ through `layers` shaped layers: Σ_{ℓ=1}^{layers} ½·ln λ∞(σ, ℓ^{−k}). For tanh/sin
 * (σ(x) = x + a x³ + …, λ ≈ 1 + 12a²α⁴) it stays bounded as layers → ∞ iff 4k > 1.
 */
export function shapingLogGrowth(act: ActivationLike, exponent: number, layers: number): number {
  const a = canonical(act);
  const memo = tablesOf(a).shapingSums;
  const key = `${exponent}:${layers}`;
  const known = memo.get(key);
  if (known !== undefined) return known;
  let sum = 0;
  for (let l = 1; l <= layers; l++) sum += 0.5 * lnLambdaInfinity(a, shapingGain(l, exponent));
  if (memo.size > 64) memo.clear();
  memo.set(key, sum);
  return sum;
}

/**
 * Residual x_{ℓ+1} = x_ℓ + α·f(x_ℓ) with a normalized branch (unit-variance output, uncorrelated with x_ℓ at init):
 * Var(x_ℓ) = Var(x_1) + α²(ℓ − 1) — linear in depth (De & Smith 2020).
 */
export function residualVarianceNormalized(layer: number, alpha: number, firstVariance = 1): number {
  return firstVariance + alpha * alpha * (layer - 1);
}

/**
 * Residual without normalization, branch multiplying the second moment by `branchGain` (1 for He-initialized ReLU):
 * Var(x_ℓ) = Var(x_1)·(1 + α²·branchGain)^{ℓ−1} — doubling per block at α = 1, bounded by e^{branchGain} for α ≤ 1/√L.
 */
export function residualVarianceUnnormalized(layer: number, alpha: number, branchGain = 1, firstVariance = 1): number {
  return firstVariance * Math.pow(1 + alpha * alpha * branchGain, layer - 1);
}
