// Forward signal of an unnormalized residual network x_{ℓ+1} = x_ℓ + α·σ(g_ℓ·W_ℓ x_ℓ): the branch's mean accumulates.
import type { ActivationFunction } from './activations';
import { quadratureFor } from './activations';
import { forEachNormalNode } from './quadrature';

export interface ResidualForward {
  /** ln(RMS(x_L) / RMS(x_1)): the growth of the activations from the first block's output to the last. */
  lnRmsGrowth: number;
  /** The same with the cross term dropped (branch mean ignored): the α² rule of De & Smith (2020). */
  lnRmsGrowthSquareOnly: number;
  /** Share of ‖x_L‖² in the component every sample shares (a²/m below): → 1 is a collapse to rank one. */
  sharedFraction: number;
}

/** Past this many blocks every later block repeats the last one's factors (the recursion is scale-free by then). */
const EXACT_BLOCKS = 4096;
/** Quadrature scale cap: beyond it every activation here is in its asymptotic (homogeneous or saturated) regime. */
const MAX_LN_SCALE = 300;

/**
 * Mean field of one sample's representation, written x = a·1 + r (a the mean over features, r the rest, v = ‖r‖²/d,
 * m = a² + v). A fresh Gaussian W_ℓ with fan-in variance w² gives every pre-activation variance q = w²·m; the branch
 * f = σ(g·h) has feature mean μ(q) = E σ(g√q z) and second moment s(q). Adding α·f to x adds α·μ to a coherently (every
 * feature, every sample: the same sign) and α²·(s − μ²) to v, so
 *   m_{ℓ+1} = m_ℓ + 2α·a_ℓ·μ + α²·s:
 * a cross term of order α, not α², whenever σ is not centred (ReLU family, GELU, SELU, sigmoid). With α = 1/√L and
 * ReLU (He) a_ℓ grows by a factor 1 + α/√π per block once it dominates: RMS ~ e^{√(L/π)}, and the samples align
 * along the shared direction (rank one). The first block (no skip) is x_1 = σ(g_1 W_0 x_0) from unit-variance data.
 */
export function residualForward(
  act: ActivationFunction,
  weightScale: number,
  alpha: number,
  gains: ArrayLike<number>,
  inputVariance = 1,
): ResidualForward {
  const L = gains.length;
  const first = branchMoments(act, gains[0] ?? 1, Math.log(weightScale * inputVariance));
  // Normalized state: â = a/√m, ln m.
  let lnM = Math.log(first.square);
  let aHat = first.mean / Math.sqrt(first.square);
  const lnM1 = lnM;
  let lnSquareOnly = lnM;
  let lastStep = 0;
  let lastSquareStep = 0;
  const exact = Math.min(L, EXACT_BLOCKS);
  for (let l = 1; l < exact; l++) {
    const lnQ = Math.log(weightScale) + lnM;
    const m = branchMoments(act, gains[l] ?? 1, lnQ);
    // Moments relative to m (not to q): μ/√m and s/m.
    const mu = m.mean * Math.exp(-0.5 * lnM + 0.5 * (m.lnScaleUsed - lnQ));
    const s = m.square * Math.exp(-lnM + (m.lnScaleUsed - lnQ));
    const aNew = aHat + alpha * mu;
    const vNew = 1 - aHat * aHat + alpha * alpha * (s - mu * mu);
    const ratio = aNew * aNew + vNew;
    lastStep = Math.log(ratio);
    lastSquareStep = Math.log(1 + alpha * alpha * s);
    lnM += lastStep;
    lnSquareOnly += lastSquareStep;
    aHat = aNew / Math.sqrt(ratio);
  }
  const remaining = L - exact;
  lnM += remaining * lastStep;
  lnSquareOnly += remaining * lastSquareStep;
  return {
    lnRmsGrowth: 0.5 * (lnM - lnM1),
    lnRmsGrowthSquareOnly: 0.5 * (lnSquareOnly - lnM1),
    sharedFraction: aHat * aHat,
  };
}

interface BranchMoments {
  mean: number;
  square: number;
  /** ln q actually used (capped at MAX_LN_SCALE); the caller rescales the moments to the true q as a homogeneous σ. */
  lnScaleUsed: number;
}

/** E σ(g√q z) and E σ(g√q z)², q = e^{lnQ}. */
function branchMoments(act: ActivationFunction, gain: number, lnQ: number): BranchMoments {
  const lnScaleUsed = Math.min(lnQ, MAX_LN_SCALE);
  const scale = Math.abs(gain) * Math.exp(0.5 * lnScaleUsed);
  let mean = 0;
  let square = 0;
  forEachNormalNode(quadratureFor(act, scale), (z, w) => {
    const s = act.f(scale * z);
    mean += w * s;
    square += w * s * s;
  });
  return { mean, square, lnScaleUsed };
}
