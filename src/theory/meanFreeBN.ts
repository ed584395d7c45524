// λ for batch normalization without mean reduction when σ is not centred (E σ ≠ 0): the mean of σ survives into the next
// pre-activation as a per-feature offset, so the next normalization sees shifted rows.
import type { ActivationFunction } from './activations';
import { forEachNormalNode } from './quadrature';

/** Outer (row offset) Gauss–Hermite order: the integrand is smooth in ξ. */
const OFFSET_ORDER = 48;
const MAX_ITERATIONS = 200;
/** Past this offset-to-spread ratio every row is practically constant (sigmoid): the limit is taken there. */
const MAX_OFFSET_RATIO = 1e3;
/** Below this |E σ|/sd the offsets are negligible (second order): λ∞ applies (odd σ, SELU). */
const NEGLIGIBLE_MEAN = 1e-4;

interface RowMoments {
  mean: number;
  variance: number;
  derivativeSquare: number;
}

/** Moments of σ(α·y) for y = m + √(1 − m²)·z, z ~ N(0,1): a normalized row (mean square 1) with mean m. */
function rowMoments(act: ActivationFunction, gain: number, m: number): RowMoments {
  const s = Math.sqrt(Math.max(0, 1 - m * m));
  const g = Math.abs(gain);
  // σ's kinks at x = k sit at z = (k/α − m)/s.
  const kinks = s > 0 ? act.kinks.map((k) => (k / g - m) / s) : [];
  const options = kinks.length > 0 || !act.entire ? { kinks, rule: 'panels' as const } : {};
  let mean = 0;
  let square = 0;
  let derivativeSquare = 0;
  forEachNormalNode(options, (z, w) => {
    const x = g * (m + s * z);
    const v = act.f(x);
    const d = act.df(x);
    mean += w * v;
    square += w * v * v;
    derivativeSquare += w * d * d;
  });
  return { mean, variance: Math.max(0, square - mean * mean), derivativeSquare: g * g * derivativeSquare };
}

/**
 * Mean field of deep X_{ℓ+1} = σ(α·BN₀(W_ℓ X_ℓ)) with mean-free BN₀ (Gaussian W, large width and batch). Row k of X has
 * batch mean μ_k and variance v_k; a fresh row h_i = w_iᵀX then has batch mean M_i ~ N(0, E μ²) (one draw per feature) and
 * fluctuation variance V = E v, so after BN₀ row i is shifted: y_i = m_i + √(1 − m_i²)·z with m_i = t_i/√(1 + t_i²),
 * t_i = M_i/√V ~ N(0, r²). The ratio r² = E μ² / E v is found by fixed-point iteration. Backward, row i's gradient is
 * scaled by 1/s_i² = 1/(V(1 + t_i²)) and by E σ′² over its shifted batch, so
 *   λ = E_t[ α²·E σ′(α y)² / (V·(1 + t²)) ].
 * With E σ = 0 (odd σ) r = 0 and this is λ∞ = E σ′²/Var σ; for ReLU it gives 1.338 where λ∞ = π/(π − 1) = 1.467.
 * Derived here from the mean-field assumptions of Yang et al. (2019). Float64 confirms it for ReLU and leaky ReLU (within
 * 5%, test/unit/theory-activations-batch.test.ts); for GELU and sigmoid it undershoots (bench/theory/TABLES.md), so the
 * prediction uses it for the ReLU family only.
 */
export function lambdaMeanFreeBN(act: ActivationFunction, gain = 1): number {
  const centre = rowMoments(act, gain, 0);
  if (act.odd || Math.abs(centre.mean) < NEGLIGIBLE_MEAN * Math.sqrt(centre.variance)) return centre.derivativeSquare / centre.variance;
  const offsets: { t: number; w: number }[] = [];
  let r = 1;
  let lastR = NaN;
  let moments: RowMoments[] = [];
  for (let it = 0; it < MAX_ITERATIONS && !(Math.abs(r - lastR) < 1e-9 * Math.max(1, r)) && r < MAX_OFFSET_RATIO; it++) {
    lastR = r;
    offsets.length = 0;
    moments = [];
    let meanSquare = 0;
    let variance = 0;
    forEachNormalNode({ order: OFFSET_ORDER }, (xi, w) => {
      const t = r * xi;
      const mo = rowMoments(act, gain, t / Math.sqrt(1 + t * t));
      offsets.push({ t, w });
      moments.push(mo);
      meanSquare += w * mo.mean * mo.mean;
      variance += w * mo.variance;
    });
    r = Math.sqrt(meanSquare / variance);
  }
  let V = 0;
  for (let i = 0; i < offsets.length; i++) V += offsets[i]!.w * moments[i]!.variance;
  let lambda = 0;
  for (let i = 0; i < offsets.length; i++) {
    const { t, w } = offsets[i]!;
    lambda += (w * moments[i]!.derivativeSquare) / (V * (1 + t * t));
  }
  return lambda;
}
