// predict(spec): the per-layer gradient growth the theory expects at initialization (DESIGN.md §1), drawn as the
// reference line on the charts and used by the static findings.
import type { Spec } from '../spec/types';
import type { TheoryBasis, TheoryPrediction } from './types';
import { quadratureFor, type ActivationFunction } from './activations';
import { expectNormal, forEachNormalNode } from './quadrature';
import { lambdaLinearBN, lambdaOrthogonalBN, lnLambdaInfinity, lnLambdaLayerNorm, residualVarianceNormalized } from './lambda';
import { networkFacts, weightScale, type NetworkFacts } from './network';
import { lambdaMeanFreeBN } from './meanFreeBN';
import { residualForward } from './residualForward';

/** Total natural-log growth of ‖∇W‖ from W_{L−1} back to W_0, and the formula it came from. */
export interface GrowthEstimate {
  logGrowth: number;
  basis: TheoryBasis;
  /** λ of a single backward step, for depth-1 networks where there is no step to average over. */
  singleStepLambda: number;
}

export function predict(spec: Spec): TheoryPrediction {
  return toPrediction(estimateGrowth(spec), networkFacts(spec).steps);
}

/**
 * The predicted ln‖∇W_ℓ‖ − ln‖∇W_{L−1}‖ for ℓ = 0..L−1 where the theory's profile is not a straight line: residual
 * networks (without normalization: the constant rate of residualGrowth plus the W_0 step below; float64 within 0.35 nats
 * for tanh). W_ℓ (ℓ ≥ 1) sits in block ℓ + 1's branch, so its gradient carries α and the
 * trunk gradient there, which grows toward the input like Var(x): ½·ln(V_L/V_{ℓ+1}), V_ℓ = 1 + α²(ℓ − 1) (De & Smith
 * 2020); W_0 (the first block, no skip) lacks the factor α. Float64 (test/unit/theory-residual.test.ts): within 0.35 nats
 * at d = B = 48, closer than any straight line. Null elsewhere (one constant rate) and at α = 0 (no branch gradient).
 */
export function predictProfile(spec: Spec): Float64Array | null {
  const facts = networkFacts(spec);
  const m = spec.model;
  const L = facts.depth;
  if (L < 3 || !m.residual || m.residual.alpha === 0) return null;
  const alpha = m.residual.alpha;
  const out = new Float64Array(L);
  if (m.norm === 'none' && usesTrunkMeanField(facts)) return Float64Array.from(residualMeanFieldProfile(spec, facts));
  if (m.norm === 'none') {
    // One rate per block (residualGrowth), and the same missing factor α at W_0.
    const estimate = estimateGrowth(spec, facts);
    if (!Number.isFinite(estimate.logGrowth)) return null;
    const step = estimate.logGrowth / facts.steps;
    for (let l = 0; l < L; l++) out[l] = step * (L - 1 - l);
    // ‖∇W_ℓ‖ carries the norm of its input: unit-variance data for W_0, the first block's output x_1 for the rest.
    const scale = facts.gains[0]! * Math.sqrt(weightScale(m.init, m.initGain));
    const m1 = expectNormal((z) => facts.act.f(scale * z) ** 2, quadratureFor(facts.act, scale));
    out[0]! -= 0.5 * Math.log(m1);
  } else {
    const lnVL = Math.log(residualVarianceNormalized(L, alpha));
    for (let l = 0; l < L; l++) out[l] = 0.5 * (lnVL - Math.log(1 + alpha * alpha * l));
  }
  out[0]! -= Math.log(Math.abs(alpha));
  return out;
}

export function toPrediction(estimate: GrowthEstimate, steps: number): TheoryPrediction {
  const { logGrowth, basis } = estimate;
  if (Number.isNaN(logGrowth)) return { lambda: NaN, perLayer: NaN, log10Range: NaN, basis };
  const lambda = steps > 0 ? Math.exp((2 * logGrowth) / steps) : estimate.singleStepLambda;
  return { lambda, perLayer: Math.sqrt(lambda), log10Range: logGrowth / Math.LN10, basis };
}

/** `facts` defaults to the spec's own; pass them when estimating a variant of the spec with the same layers. */
export function estimateGrowth(spec: Spec, facts: NetworkFacts = networkFacts(spec)): GrowthEstimate {
  const m = spec.model;
  if (m.residual) return residualGrowth(spec, facts);
  if (m.norm === 'batchnorm') return batchNormGrowth(spec, facts);
  if (m.norm === 'layernorm') return activationGrowth(facts, 'layernorm', 0, 'layernorm-mean-field');
  return meanFieldGrowth(spec, facts);
}

/** Which per-layer rate of the activation applies: centred BN (λ∞), mean-free BN (lambdaMeanFreeBN), LayerNorm. */
export type NormalizationRate = 'batchnorm' | 'batchnorm-mean-free' | 'layernorm';

export function normalizationRate(spec: Spec): NormalizationRate {
  if (spec.model.norm === 'layernorm') return 'layernorm';
  return spec.model.center ? 'batchnorm' : 'batchnorm-mean-free';
}

const meanFreeByGain = new WeakMap<ActivationFunction, Map<number, number>>();

/**
 * ln of the mean-free BN rate. lambdaMeanFreeBN is used for the ReLU family (positively homogeneous, E σ ≠ 0), where
 * float64 measurements confirm it (within 5%, where λ∞ was 16–23% high); for GELU and sigmoid its offset mean field
 * undershoots the measurement (sigmoid's rows do not become constant at finite width), so λ∞ stays: see
 * bench/theory/TABLES.md. Odd σ: the two coincide.
 */
function lnMeanFreeRate(facts: NetworkFacts, gain: number): number {
  const act = facts.act;
  if (!act.homogeneous || act.odd) return lnLambdaInfinity(act, gain);
  const key = 1;
  let byGain = meanFreeByGain.get(act);
  if (!byGain) {
    byGain = new Map();
    meanFreeByGain.set(act, byGain);
  }
  let value = byGain.get(key);
  if (value === undefined) {
    value = Math.log(lambdaMeanFreeBN(act, key));
    byGain.set(key, value);
  }
  return value;
}

const activationGrowthCache = new WeakMap<NetworkFacts, Map<NormalizationRate, number>>();

/**
 * The activation's share of the log growth of ‖∇W‖: Σ_{ℓ=1}^{L−1} ½·ln λ(σ, α_ℓ), with λ∞ for batch normalization
 * and the LayerNorm rate otherwise. Cached per network: several rules and the prediction all need it.
 */
export function activationLogGrowth(facts: NetworkFacts, norm: NormalizationRate): number {
  let byNorm = activationGrowthCache.get(facts);
  if (!byNorm) {
    byNorm = new Map();
    activationGrowthCache.set(facts, byNorm);
  }
  let sum = byNorm.get(norm);
  if (sum === undefined) {
    sum = 0;
    let lastGain = NaN;
    let last = 0;
    for (let l = 0; l < facts.steps; l++) {
      const g = facts.gains[l]!;
      if (g !== lastGain) {
        last = lnRate(facts, norm, g);
        lastGain = g;
      }
      sum += 0.5 * last;
    }
    byNorm.set(norm, sum);
  }
  return sum;
}

export function lnRate(facts: NetworkFacts, norm: NormalizationRate, gain: number): number {
  if (norm === 'batchnorm') return lnLambdaInfinity(facts.act, gain);
  if (norm === 'batchnorm-mean-free') return lnMeanFreeRate(facts, gain);
  return lnLambdaLayerNorm(facts.act, gain);
}

/** Growth from the activation's rate plus a constant ½·ln λ per step (the finite-batch factor). */
function activationGrowth(facts: NetworkFacts, norm: NormalizationRate, lnConstant: number, basis: TheoryBasis): GrowthEstimate {
  const logGrowth = activationLogGrowth(facts, norm) + 0.5 * facts.steps * lnConstant;
  return { logGrowth, basis, singleStepLambda: Math.exp(lnRate(facts, norm, facts.gains[0]!) + lnConstant) };
}

function batchNormGrowth(spec: Spec, facts: NetworkFacts): GrowthEstimate {
  const m = spec.model;
  const linear = facts.act.name === 'identity';
  if (m.init === 'orthogonal') {
    const lambdaBatch = lambdaOrthogonalBN(spec.data.batch, m.width, m.center);
    // A degenerate batch (more samples than dimensions, repeated samples): neither the theorem nor the law applies.
    if (Number.isNaN(lambdaBatch) || degenerateData(spec)) return { logGrowth: NaN, basis: 'unknown', singleStepLambda: NaN };
    const lnBatch = Math.log(lambdaBatch);
    if (linear) {
      // Meterez et al. 2024: bounded independent of depth, proven for mean-free BN at batch = width; any other batch
      // follows the measured law of lambdaOrthogonalBN.
      const proven = !m.center && spec.data.batch === m.width;
      const basis = proven ? 'orthogonal-linear-bounded' : 'orthogonal-bn-finite-batch';
      return { logGrowth: proven ? 0 : 0.5 * facts.steps * lnBatch, basis, singleStepLambda: proven ? 1 : lambdaBatch };
    }
    const basis = facts.shaped && !facts.act.homogeneous ? 'shaped' : 'orthogonal-nonlinear';
    return activationGrowth(facts, normalizationRate(spec), lnBatch, basis);
  }
  const lnBatch = Math.log(lambdaLinearBN(spec.data.batch, m.center));
  if (linear) {
    const basis = m.center ? 'gaussian-bn-linear-centred' : 'gaussian-bn-linear-uncentred';
    return { logGrowth: 0.5 * facts.steps * lnBatch, basis, singleStepLambda: Math.exp(lnBatch) };
  }
  // Nonlinear σ: the large-batch rate λ∞(σ, α_ℓ) times the linear network's finite-batch rate. Each factor is exact in
  // its own limit (B → ∞; σ linear, which a shaped layer approaches as α_ℓ → 0). In float64 simulations (width 256–512,
  // centred BN, tanh and ReLU) the product came within 5% of the measured per-layer log growth at B = 16 and 64, where
  // the large-batch rate alone fell 4–30% short.
  return activationGrowth(facts, normalizationRate(spec), lnBatch, 'gaussian-bn-large-batch');
}

/** Repeated samples or identical samples: the batch's Gram matrix is singular from the input on. */
export function degenerateData(spec: Spec): boolean {
  const d = spec.data;
  if (d.source === 'repeated' && d.unique !== undefined && d.unique < d.batch) return true;
  return d.source === 'correlated' && d.rho !== undefined && d.rho >= 1;
}

/**
 * Residual x_{ℓ+1} = x_ℓ + α·f(x_ℓ), blocks 2..L. The squared gradient gains a factor 1 + α²·c_ℓ per block where c_ℓ is
 * what the branch's Jacobian does to a squared norm relative to the trunk: with normalization in the branch
 * c_ℓ = 1/Var(x_ℓ), so the product telescopes to Var(x_L)/Var(x_1) = 1 + α²(L−1) (De & Smith 2020); without it the
 * branch's gain is constant per block and is offset by the growth of the block input.
 */
function residualGrowth(spec: Spec, facts: NetworkFacts): GrowthEstimate {
  const m = spec.model;
  const alpha = m.residual!.alpha;
  const skipInit = Math.abs(alpha) <= 1 / Math.sqrt(facts.depth);
  if (m.norm !== 'none') {
    const logGrowth = 0.5 * Math.log(residualVarianceNormalized(facts.depth, alpha));
    return { logGrowth, basis: skipInit ? 'residual-skipinit' : 'residual-bn', singleStepLambda: 1 + alpha * alpha };
  }
  // A non-centred branch drifts the activations along one shared direction (residualForward, DL108): the per-block
  // factors below assume no such drift, and float64 shows a profile spanning nats where they predict a flat one.
  if (meanDriftDominates(spec, facts)) return { logGrowth: NaN, basis: 'unknown', singleStepLambda: NaN };
  if (usesTrunkMeanField(facts)) {
    // The blocks' trend (W_1..W_{L−1}) of the mean-field profile, as a least-squares rate like the measured one.
    const profile = residualMeanFieldProfile(spec, facts);
    const L = facts.depth;
    if (L < 3) return { logGrowth: 0, basis: skipInit ? 'residual-skipinit' : 'residual-unnormalized', singleStepLambda: 1 };
    const logGrowth = leastSquaresDecline(profile, 1, L) * facts.steps;
    return { logGrowth, basis: skipInit ? 'residual-skipinit' : 'residual-unnormalized', singleStepLambda: Math.exp((2 * logGrowth) / facts.steps) };
  }
  // ‖∇W_ℓ‖ = ‖branch gradient‖·‖x_ℓ‖: the backward signal grows by 1 + α²·c_grad per block toward the input while the
  // block's input shrinks by 1 + α²·c_var in the same direction, so the weight gradient moves by their ratio (flat for
  // He + ReLU, where both are 2). The variance explosion itself is DL106's business, not a gradient-growth rate.
  const stepLambda = (1 + alpha * alpha * residualBranchGradientGain(spec, facts.act)) / (1 + alpha * alpha * residualBranchVarianceGain(spec, facts.act));
  return {
    logGrowth: 0.5 * facts.steps * Math.log(stepLambda),
    basis: skipInit ? 'residual-skipinit' : 'residual-unnormalized',
    singleStepLambda: stepLambda,
  };
}

/** A bounded odd σ (tanh, sin): no branch mean, and a trunk whose variance grows saturates the branches deeper down. */
function usesTrunkMeanField(facts: NetworkFacts): boolean {
  return facts.act.odd && !facts.act.homogeneous;
}

const trunkProfileCache = new WeakMap<NetworkFacts, Float64Array>();

/**
 * ln‖∇W_ℓ‖ − ln‖∇W_{L−1}‖ of an unnormalized residual network with a bounded odd σ, by mean field with the trunk's variance
 * as it grows (derived here in the manner of Poole et al. 2016 and Schoenholz et al. 2017; the per-block rule of
 * residualGrowth assumed unit pre-activation variance, which α ~ 1 breaks: tanh, He, α = 1 measured 3.3–4 nats where it
 * said 1.5–1.8). First block x_1 = σ(g_0 W_0 x_0) from unit-variance data; block ℓ ≥ 1 adds α·σ(g_ℓ W_ℓ x_ℓ), so with
 * q_ℓ = g_ℓ²·w²·V_ℓ (V_ℓ the trunk's second moment per unit; an odd σ adds no cross term):
 *   V_{ℓ+1} = V_ℓ + α²·E σ(√q_ℓ z)²,   ‖δ_ℓ‖² = ‖δ_{ℓ+1}‖²·(1 + α²·w²·g_ℓ²·E σ′(√q_ℓ z)²),
 *   ‖∇W_ℓ‖² ∝ α²·g_ℓ²·E σ′(√q_ℓ z)²·‖δ_{ℓ+1}‖²·V_ℓ   (W_0: no α, V_0 = 1).
 * A growing V_ℓ saturates σ, so E σ′² falls with depth and ‖∇W_ℓ‖ grows toward the input faster than the per-block rule
 * says. Float64 (test/unit/theory-residual.test.ts, tanh, d = 64, B = 16, 50 blocks): the fitted rate within 0.002 and
 * ln‖∇W_0‖ − ln‖∇W_{L−1}‖ within 0.1 nats at He α = 1, Xavier α = 1, He α = 0.3, Xavier α = 0.1.
 */
export function residualMeanFieldProfile(spec: Spec, facts: NetworkFacts): Float64Array {
  const cached = trunkProfileCache.get(facts);
  if (cached) return cached;
  const m = spec.model;
  const L = facts.depth;
  const w2 = weightScale(m.init, m.initGain);
  const a2 = (m.residual?.alpha ?? 0) ** 2;
  const lnV = new Float64Array(L);
  const lnE = new Float64Array(L);
  let V = 1;
  for (let l = 0; l < L; l++) {
    const g = facts.gains[l]!;
    const moments = activationMoments(facts.act, g * Math.sqrt(w2 * V));
    lnV[l] = Math.log(V);
    lnE[l] = Math.log(g * g * moments.derivativeSquare);
    V = l === 0 ? moments.square : V + a2 * moments.square;
  }
  const out = new Float64Array(L);
  let lnDelta = 0;
  for (let l = L - 1; l >= 0; l--) {
    out[l] = 0.5 * ((l === 0 ? 0 : Math.log(a2)) + lnE[l] + lnDelta + lnV[l]);
    if (l > 0) lnDelta += Math.log(1 + a2 * w2 * Math.exp(lnE[l]));
  }
  const top = out[L - 1]!;
  for (let l = 0; l < L; l++) out[l]! -= top;
  trunkProfileCache.set(facts, out);
  return out;
}

/** −slope of the least-squares line through ys[from..to) against the index. */
function leastSquaresDecline(ys: ArrayLike<number>, from: number, to: number): number {
  const n = to - from;
  let sl = 0;
  let sll = 0;
  let sy = 0;
  let sly = 0;
  for (let l = from; l < to; l++) {
    sl += l;
    sll += l * l;
    sy += ys[l]!;
    sly += l * ys[l]!;
  }
  return -(n * sly - sl * sy) / (n * sll - sl * sl);
}

/** Past these the branch mean, not the α² rule, shapes an unnormalized residual network (nats of RMS; share of ‖x‖²). */
const DRIFT_EXCESS = 0.5;
const DRIFT_SHARE = 0.5;

/** The forward mean drift of an unnormalized residual network adds > ½ nat of RMS growth or holds half of ‖x_L‖². */
export function meanDriftDominates(spec: Spec, facts: NetworkFacts): boolean {
  const m = spec.model;
  if (!m.residual || m.norm !== 'none' || facts.act.odd) return false;
  const f = residualForward(facts.act, weightScale(m.init, m.initGain), m.residual.alpha, facts.gains);
  return f.lnRmsGrowth - f.lnRmsGrowthSquareOnly > DRIFT_EXCESS || f.sharedFraction > DRIFT_SHARE;
}

/** w²·E[σ′(z)²]: squared-norm gain of an unnormalized residual branch's backward pass (unit pre-activation variance). */
export function residualBranchGradientGain(spec: Spec, act: ActivationFunction): number {
  const w2 = weightScale(spec.model.init, spec.model.initGain);
  return w2 * expectNormal((z) => act.df(z) ** 2, quadratureFor(act, 1));
}

/** w²·E[σ(z)²]: second-moment gain of an unnormalized residual branch's forward pass (1 for He + ReLU). */
export function residualBranchVarianceGain(spec: Spec, act: ActivationFunction): number {
  const w2 = weightScale(spec.model.init, spec.model.initGain);
  return w2 * expectNormal((z) => act.f(z) ** 2, quadratureFor(act, 1));
}

/**
 * Past this many blocks the mean-field recursion is taken as settled: later blocks repeat the last one's factors. With
 * shaping the gains keep shrinking, but then ln χ_ℓ and the step of ln m_ℓ both approach 2·ln α_ℓ + const and cancel
 * in the growth, so the extrapolation error is second order.
 */
const MEAN_FIELD_EXACT_BLOCKS = 1024;
/** Below this log-variance the Taylor term of σ beyond the linear one is < 1e−15 relative. */
const TINY_LN_VARIANCE = -40;

/**
 * No normalization (Poole et al. 2016; Schoenholz et al. 2017 mean field): pre-activation variance q_ℓ = w²·m_ℓ with
 * m_{ℓ+1} = E[σ(α_ℓ√q_ℓ z)²]; the backward squared norm gains χ_ℓ = w²α_ℓ²E[σ′(α_ℓ√q_ℓ z)²] per block, and
 * ‖∇W_ℓ‖² ∝ ‖δ_ℓ‖²·m_ℓ, so ln(‖∇W_0‖²/‖∇W_{L−1}‖²) = Σ_{ℓ<L−1} ln χ_ℓ + ln m_0 − ln m_{L−1}. For a positively
 * homogeneous σ the two terms cancel exactly: the gradient profile is flat whatever the weight scale. Input m_0 = 1.
 */
function meanFieldGrowth(spec: Spec, facts: NetworkFacts): GrowthEstimate {
  const act = facts.act;
  const w2 = weightScale(spec.model.init, spec.model.initGain);
  if (act.homogeneous) return { logGrowth: 0, basis: 'no-normalization', singleStepLambda: 1 };
  let lnM = 0;
  const lnM0 = lnM;
  let sumLnChi = 0;
  let lastLnChi = 0;
  let lastLnMStep = 0;
  let exact = Math.min(facts.steps, MEAN_FIELD_EXACT_BLOCKS);
  for (let l = 0; l < exact; l++) {
    const g = facts.gains[l]!;
    const lnS = 2 * Math.log(g) + Math.log(w2) + lnM;
    let lnSquare: number;
    let derivativeSquare: number;
    if (lnS < TINY_LN_VARIANCE && act.f(0) === 0) {
      // σ is linear at this scale: E[σ(√s z)²] = s·σ′(0)², E[σ′²] = σ′(0)² (avoids underflow in the ordered phase).
      derivativeSquare = act.df(0) ** 2;
      lnSquare = lnS + Math.log(derivativeSquare);
    } else {
      const moments = activationMoments(act, Math.exp(0.5 * lnS));
      derivativeSquare = moments.derivativeSquare;
      lnSquare = Math.log(moments.square);
    }
    if (!Number.isFinite(lnSquare)) return { logGrowth: NaN, basis: 'unknown', singleStepLambda: NaN };
    lastLnChi = Math.log(w2 * g * g * derivativeSquare);
    sumLnChi += lastLnChi;
    lastLnMStep = lnSquare - lnM;
    lnM = lnSquare;
    if (!facts.shaped && Math.abs(lastLnMStep) < 1e-13) {
      // At the fixed point q*: every later block repeats this one.
      exact = l + 1;
      break;
    }
  }
  const remaining = facts.steps - exact;
  sumLnChi += remaining * lastLnChi;
  lnM += remaining * lastLnMStep;
  const logGrowth = 0.5 * (sumLnChi + lnM0 - lnM);
  return { logGrowth, basis: 'no-normalization', singleStepLambda: Math.exp(2 * logGrowth) };
}

function activationMoments(act: ActivationFunction, scale: number): { square: number; derivativeSquare: number } {
  let square = 0;
  let derivativeSquare = 0;
  forEachNormalNode(quadratureFor(act, scale), (z, w) => {
    const x = scale * z;
    const s = act.f(x);
    const d = act.df(x);
    square += w * s * s;
    derivativeSquare += w * d * d;
  });
  return { square, derivativeSquare };
}
