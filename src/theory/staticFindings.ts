// staticFindings(spec, source): the theory rules DL101–DL108 (DESIGN.md §5), computed on every edit.
import type { SourceMap, Spec } from '../spec/types';
import { errorLog10Range } from '../spec';
import type { SpecPath } from '../shared/findings';
import type { Finding, FindingCode, FindingFix, Severity } from '../shared/findings';
import { lambdaLinearBN, lambdaOrthogonalBN, batchForLambda, orthogonalBatchForLambda, shapingLogGrowth } from './lambda';
import { networkFacts, type NetworkFacts } from './network';
import { activationLogGrowth, estimateGrowth, lnRate, normalizationRate, residualBranchVarianceGain, toPrediction, type NormalizationRate } from './predict';
import { rangeOf } from './locate';
import { residualForward } from './residualForward';
import { weightScale } from './network';

const SHAPING_EXPONENT = 0.4;

interface Context {
  spec: Spec;
  source: SourceMap;
  facts: NetworkFacts;
  /** Threshold on the predicted total growth of ‖∇W‖, in orders of magnitude. */
  threshold: number;
}

export function staticFindings(spec: Spec, source: SourceMap): Finding[] {
  const ctx: Context = { spec, source, facts: networkFacts(spec), threshold: spec.thresholds.gradLog10Range };
  const rules = [initRule, shapingRule, activationRule, batchRule, degenerateBatchRules, residualRule, batchWidthRule, forwardRule];
  return rules.flatMap((rule) => rule(ctx));
}

function finding(ctx: Context, code: FindingCode, severity: Severity, path: SpecPath, message: string, fix?: FindingFix, alternatives?: FindingFix[]): Finding {
  return {
    code,
    severity,
    message,
    path,
    range: rangeOf(ctx.source, path),
    measured: false,
    ...(fix ? { fix } : {}),
    ...(alternatives && alternatives.length > 0 ? { alternatives } : {}),
  };
}

/** One fix that sets the same value at every path (e.g. every dense layer of an explicit list). */
function fixAll(paths: readonly SpecPath[], value: unknown, title: string, preferred?: boolean): FindingFix | undefined {
  const [first, ...rest] = paths;
  if (first === undefined) return undefined;
  return {
    path: first,
    value,
    title,
    ...(preferred !== undefined ? { preferred } : {}),
    ...(rest.length > 0 ? { more: rest.map((path) => ({ path, value })) } : {}),
  };
}

/** Severity for a predicted growth of `orders` (log10) orders of magnitude: an error only past thresholds.error-log10-range. */
function severityFor(ctx: Context, orders: number): Severity {
  return !Number.isFinite(orders) || orders > errorLog10Range(ctx.spec.thresholds) ? 'error' : 'warning';
}

function formatOrders(orders: number): string {
  if (!Number.isFinite(orders)) return '∞';
  if (orders >= 10) return `10^${Math.round(orders)}`;
  return `10^${orders.toFixed(1)}`;
}

function formatLambda(lambda: number): string {
  return Number.isFinite(lambda) ? lambda.toFixed(4) : '∞';
}

function layersPhrase(ctx: Context): string {
  return `${ctx.facts.depth} layers`;
}

/** The activation's share of the growth, in orders of magnitude (log10). */
function activationOrders(ctx: Context): number {
  return activationLogGrowth(ctx.facts, normRate(ctx)) / Math.LN10;
}

function normRate(ctx: Context): NormalizationRate {
  return normalizationRate(ctx.spec);
}

/** What the activation's rate is called in messages: mean-free BN with a non-centred σ has its own (lambdaMeanFreeBN). */
function rateName(ctx: Context): string {
  return normRate(ctx) === 'batchnorm-mean-free' && !ctx.facts.act.odd ? 'λ of mean-free BN' : 'λ∞';
}

/** λ of the activation at gain 1 for this normalization. */
function unitGainLambda(ctx: Context): number {
  return Math.exp(lnRate(ctx.facts, normRate(ctx), 1));
}

function withModel(spec: Spec, change: Partial<Spec['model']>): Spec {
  return { ...spec, model: { ...spec.model, ...change } };
}

/** DL101: BN with a Gaussian-type init and no residual: λ^{L/2} gradient growth. */
function initRule(ctx: Context): Finding[] {
  const { spec } = ctx;
  const m = spec.model;
  if (m.norm !== 'batchnorm' || m.init === 'orthogonal' || m.residual || ctx.facts.steps === 0) return [];
  const prediction = toPrediction(estimateGrowth(spec, ctx.facts), ctx.facts.steps);
  const orders = prediction.log10Range;
  if (!(orders > ctx.threshold)) return [];
  const orthogonal = toPrediction(estimateGrowth(withModel(spec, { init: 'orthogonal' }), ctx.facts), ctx.facts.steps);
  const helps = orthogonal.log10Range <= ctx.threshold;
  const paths = ctx.facts.paths.init;
  const path = paths[0] ?? 'model';
  const message =
    `${m.init} init with batch normalization: gradients predicted to grow ~${formatOrders(orders)}× over ${layersPhrase(ctx)} ` +
    `(λ = ${formatLambda(prediction.lambda)} per layer, B = ${spec.data.batch}; Yang et al. 2019)` +
    (helps
      ? '. Orthogonal init keeps them bounded (Meterez et al. 2024).'
      : `. Orthogonal init alone still leaves ~${formatOrders(orthogonal.log10Range)}× (the activation's share).`);
  return [finding(ctx, 'DL101', severityFor(ctx, orders), path, message, fixAll(paths, 'orthogonal', 'Use orthogonal init', helps))];
}

function shapeableActivation(ctx: Context): boolean {
  const act = ctx.facts.act;
  return act.centred && !act.homogeneous;
}

/** DL102: tanh/sin (σ(0) = 0, σ′(0) = 1) with normalization, unshaped or exponent ≤ 1/4: growth ½·ln λ∞ per layer. */
function shapingRule(ctx: Context): Finding[] {
  const { spec } = ctx;
  const m = spec.model;
  if (m.norm === 'none' || m.residual || !shapeableActivation(ctx)) return [];
  if (m.shaping && m.shaping.exponent > 0.25) return [];
  const orders = activationOrders(ctx);
  if (!(orders > ctx.threshold)) return [];
  const act = ctx.facts.act;
  // tanh and sin are odd, so the LayerNorm rate equals λ∞ and one sum serves both normalizations.
  const shapedOrders = shapingLogGrowth(act, SHAPING_EXPONENT, ctx.facts.steps) / Math.LN10;
  const lambdaOne = unitGainLambda(ctx);
  const cause = m.shaping
    ? `shaping exponent ${m.shaping.exponent} ≤ 0.25 decays too slowly (the excess λ_ℓ − 1 ≈ 12a²α_ℓ⁴ sums to infinity unless 4k > 1)`
    : `no activation shaping (λ∞ = ${formatLambda(lambdaOne)} per layer)`;
  const message =
    `${act.name} with ${m.norm === 'layernorm' ? 'layer' : 'batch'} normalization and ${cause}: gradients predicted to grow ` +
    `~${formatOrders(orders)}× over ${layersPhrase(ctx)}; shaping α_ℓ = ℓ^−${SHAPING_EXPONENT} bounds the total at ` +
    `~${formatOrders(shapedOrders)}× (Meterez et al. 2024).`;
  const title = `Add activation shaping (exponent ${SHAPING_EXPONENT})`;
  const fix =
    m.form === 'compact'
      ? { path: 'model.shaping', value: { exponent: SHAPING_EXPONENT }, title, preferred: true }
      : fixAll(ctx.facts.paths.activation, { fn: act.name, 'shaping-exponent': SHAPING_EXPONENT }, title, true);
  const path = m.shaping && m.form === 'compact' ? 'model.shaping.exponent' : ctx.facts.paths.activation[0] ?? 'model';
  return [finding(ctx, 'DL102', severityFor(ctx, orders), path, message, fix)];
}

/** DL103: ReLU-like (non-centred or positively homogeneous) activation with normalization: shaping cannot fix it. */
function activationRule(ctx: Context): Finding[] {
  const { spec } = ctx;
  const m = spec.model;
  const act = ctx.facts.act;
  if (m.norm === 'none' || m.residual || act.name === 'identity' || shapeableActivation(ctx)) return [];
  const orders = activationOrders(ctx);
  if (!(orders > ctx.threshold)) return [];
  const why = act.homogeneous
    ? `a pre-activation gain cannot help a positively homogeneous activation (σ(αx) = ασ(x))`
    : `activation shaping needs σ(0) = 0 and σ′(0) = 1, which ${act.name} does not have`;
  const lambdaOne = unitGainLambda(ctx);
  const message =
    `${act.name} with ${m.norm === 'layernorm' ? 'layer' : 'batch'} normalization: gradients predicted to grow ` +
    `~${formatOrders(orders)}× over ${layersPhrase(ctx)} (${rateName(ctx)} = ${formatLambda(lambdaOne)} per layer; Yang et al. 2019); ${why}.`;
  const title = `Switch to tanh with activation shaping (exponent ${SHAPING_EXPONENT})`;
  let fix: FindingFix | undefined;
  const alternatives: FindingFix[] = [];
  if (m.form === 'compact') {
    fix = { path: 'model.activation', value: 'tanh', title, more: [{ path: 'model.shaping', value: { exponent: SHAPING_EXPONENT } }] };
    alternatives.push({ path: 'model.residual', value: { alpha: 0 }, title: 'Add residual connections with SkipInit (alpha: 0)' });
  } else {
    fix = fixAll(ctx.facts.paths.activation, { fn: 'tanh', 'shaping-exponent': SHAPING_EXPONENT }, title);
  }
  const path = ctx.facts.paths.activation[0] ?? 'model';
  return [finding(ctx, 'DL103', severityFor(ctx, orders), path, message, fix, alternatives)];
}

/** DL104: BN batch too small: B ≤ 3 (centred) / B ≤ 2 makes the rate infinite; a small B makes it large. */
function batchRule(ctx: Context): Finding[] {
  const { spec } = ctx;
  const m = spec.model;
  if (m.norm !== 'batchnorm') return [];
  const B = spec.data.batch;
  const lambda = lambdaLinearBN(B, m.center);
  const formula = m.center ? '(B−2)/(B−3)' : '(B−1)/(B−2)';
  const minimum = m.center ? 4 : 3;
  const title = (b: number): string => `Raise the batch to ${b}`;
  if (!Number.isFinite(lambda)) {
    const suggested = m.init === 'orthogonal' ? Math.max(m.width, minimum) : Math.max(suggestedBatch(ctx), minimum);
    const message =
      `batch B = ${B} with ${m.center ? 'centred' : 'mean-free'} batch normalization: the gradient growth rate ${formula} is infinite ` +
      `(B ≤ ${minimum - 1}); each feature's batch statistics are degenerate.`;
    return [finding(ctx, 'DL104', 'error', 'data.batch', message, { path: 'data.batch', value: suggested, title: title(suggested), preferred: true })];
  }
  if (m.init === 'orthogonal' || m.residual || ctx.facts.steps === 0) return [];
  const orders = (0.5 * ctx.facts.steps * Math.log(lambda)) / Math.LN10;
  if (!(orders > ctx.threshold)) return [];
  const suggested = Math.max(suggestedBatch(ctx), B + 1);
  const message =
    `batch B = ${B}: batch-normalization noise alone makes gradients grow ~${formatOrders(orders)}× over ${layersPhrase(ctx)} ` +
    `(λ = ${formula} = ${formatLambda(lambda)} per layer; Yang et al. 2019); B = ${suggested} keeps it within 10^${ctx.threshold}.`;
  return [finding(ctx, 'DL104', severityFor(ctx, orders), 'data.batch', message, { path: 'data.batch', value: suggested, title: title(suggested) })];
}

/** The smallest batch whose linear-BN growth over the network stays within the threshold. */
function suggestedBatch(ctx: Context): number {
  const steps = Math.max(1, ctx.facts.steps);
  const lambdaMax = Math.pow(10, (2 * ctx.threshold) / steps);
  return batchForLambda(lambdaMax, ctx.spec.model.center);
}

/** DL105: degenerate batch: more samples than dimensions, repeated samples, rank-deficient input. */
function degenerateBatchRules(ctx: Context): Finding[] {
  const { spec } = ctx;
  const { data, model } = spec;
  const out: Finding[] = [];
  const void_ = 'the isometry gap is infinite and the depth-independent gradient bound does not apply';
  // Centred BN makes every representation's columns sum to zero; φ is then taken on the n−1 dimensions left.
  const centred = model.norm === 'batchnorm' && model.center;
  const effective = data.batch - (centred ? 1 : 0);
  if (effective > model.width) {
    out.push(
      finding(
        ctx,
        'DL105',
        'warning',
        'data.batch',
        (centred
          ? `batch B = ${data.batch} exceeds width + 1 = ${model.width + 1} (centred BN leaves B − 1 = ${effective} dimensions)`
          : `batch B = ${data.batch} exceeds the width d = ${model.width}`) +
          `: a layer's ${data.batch}×${data.batch} Gram matrix has rank ≤ ${model.width}, so ${void_}.`,
      ),
    );
  }
  if (data.source === 'repeated' && data.unique !== undefined && data.unique < data.batch) {
    out.push(
      finding(
        ctx,
        'DL105',
        'warning',
        'data.unique',
        `only ${data.unique} distinct samples in a batch of ${data.batch}: repeated samples stay identical through every layer, so ${void_}.`,
      ),
    );
  }
  if (data.source === 'correlated' && data.rho !== undefined && data.rho >= 1) {
    out.push(finding(ctx, 'DL105', 'warning', 'data.rho', `rho = ${data.rho}: every sample is the same vector, so ${void_}.`));
  }
  const synthetic = data.source === 'gaussian' || data.source === 'correlated';
  if (synthetic && ctx.facts.act.name === 'identity' && data.features > 0 && data.features < effective && effective <= model.width) {
    out.push(
      finding(
        ctx,
        'DL105',
        'warning',
        'data.features',
        `features = ${data.features} < batch B = ${data.batch}${centred ? ' − 1' : ''}: the input has rank ≤ ${data.features} and a linear ` +
          `network cannot raise it, so ${void_}.`,
      ),
    );
  }
  return out;
}

/** Orders of magnitude (log10) of the α² variance growth of an unnormalized residual network over its skip blocks. */
function squareRuleOrders(ctx: Context): number {
  const alpha = ctx.spec.model.residual?.alpha ?? 0;
  const c = residualBranchVarianceGain(ctx.spec, ctx.facts.act);
  return 0.5 * ctx.facts.steps * Math.log10(1 + alpha * alpha * c);
}

/** DL106: residual without normalization, α large enough that the variance explodes (doubles per block at α = 1, He). */
function residualRule(ctx: Context): Finding[] {
  const { spec } = ctx;
  const m = spec.model;
  if (!m.residual || m.norm !== 'none') return [];
  const alpha = m.residual.alpha;
  const c = residualBranchVarianceGain(spec, ctx.facts.act);
  const perBlock = 1 + alpha * alpha * c;
  const blocks = ctx.facts.steps; // blocks 2..L carry the skip connection
  const orders = squareRuleOrders(ctx);
  if (!(orders > ctx.threshold)) return [];
  const paths = ctx.facts.paths.residual;
  const value = m.residual.learnable ? { alpha: 0, learnable: true } : { alpha: 0 };
  const message =
    `residual connections without normalization, alpha = ${formatNumber(alpha)}: the activation variance multiplies by ` +
    `1 + α²·${formatNumber(c)} = ${perBlock.toFixed(2)} per block (${m.init} init, ${ctx.facts.act.name}), so activations and gradients ` +
    `grow ~${formatOrders(orders)}× over ${blocks} blocks. SkipInit (alpha initialised to 0) trains 1000-block networks without ` +
    `normalization (De & Smith 2020).`;
  const fix =
    m.form === 'compact'
      ? { path: 'model.residual', value, title: 'SkipInit: initialise alpha to 0', preferred: true }
      : fixAll(paths.map((p) => `${p}.alpha`), 0, 'SkipInit: initialise alpha to 0', true);
  const path = paths[0] ? `${paths[0]}.alpha` : 'model';
  return [finding(ctx, 'DL106', severityFor(ctx, orders), path, message, fix)];
}

function formatNumber(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(4).replace(/0+$/, '').replace(/\.$/, '');
}

/**
 * DL107: orthogonal + BN with batch ≠ width. The depth-independent bound (Meterez et al. 2024) is proven for batch = width
 * only; below it the squared gradient grows by the measured law lambdaOrthogonalBN per layer, which compounds over depth.
 * A warning when a measured run would cross either threshold DL201 applies — the total growth (grad-log10-range) or the
 * per-layer factor √λ (grad-growth-per-layer), the latter with the law's measured error (|Δλ| ≤ 0.0035 for n ≥ 15, up to
 * 0.011 below) added — information otherwise.
 */
function batchWidthRule(ctx: Context): Finding[] {
  const { spec } = ctx;
  const m = spec.model;
  const B = spec.data.batch;
  if (m.norm !== 'batchnorm' || m.init !== 'orthogonal' || m.residual || B === m.width) return [];
  const lambda = lambdaOrthogonalBN(B, m.width, m.center);
  // n > d is DL105's degenerate batch; B ≤ 3 (centred: n ≤ 2) is DL104's infinite rate.
  if (!Number.isFinite(lambda)) return [];
  const orders = 0.5 * ctx.facts.steps * Math.log10(lambda);
  const n = m.center ? 'n = B − 1' : 'n = B';
  const law = `λ ≈ 1 + (1 − x)/(n − 2) + x(1 − x)/(4d) = ${formatLambda(lambda)} per layer, x = n/d, ${n}: an empirical law fitted to float64 measurements`;
  const lawError = (m.center ? B - 1 : B) >= 15 ? 0.0035 : 0.011;
  const perLayerLimit = spec.thresholds.gradGrowthPerLayer;
  const fastPerLayer = Math.sqrt(lambda + lawError) > perLayerLimit;
  const over = orders > ctx.threshold || fastPerLayer;
  const perLayer = fastPerLayer ? `; ‖∇W‖ grows ${Math.sqrt(lambda).toFixed(3)}× per layer, at or above the ${perLayerLimit}× threshold within the law's error` : '';
  const message =
    `orthogonal init + batch normalization at B = ${B}, d = ${m.width}: gradients predicted to grow ~${formatOrders(orders)}× over ` +
    `${layersPhrase(ctx)} (${law}${perLayer}). The depth-independent bound (Meterez et al. 2024) is proven for batch = width only; ` +
    `batch = width removes this growth.`;
  const fix: FindingFix = { path: 'data.batch', value: m.width, title: `Set the batch to the width (${m.width})`, ...(over ? { preferred: true } : {}) };
  // near-identity data needs batch == features: move both.
  if (spec.data.source === 'near-identity') fix.more = [{ path: 'data.features', value: m.width }];
  const alternatives: FindingFix[] = [];
  if (over && spec.data.source !== 'near-identity') {
    // The smallest batch whose growth over this depth stays within the threshold, when it is below the width.
    const enough = orthogonalBatchForLambda(Math.pow(10, (2 * ctx.threshold) / Math.max(1, ctx.facts.steps)), m.width, m.center);
    if (enough > B && enough < m.width) {
      alternatives.push({ path: 'data.batch', value: enough, title: `Raise the batch to ${enough} (growth within 10^${ctx.threshold})` });
    }
  }
  return [finding(ctx, 'DL107', over ? severityFor(ctx, orders) : 'info', 'data.batch', message, fix, alternatives)];
}

/** Share of ‖x‖² in the component common to all samples above which the representation counts as collapsed to rank one. */
const COLLAPSE_SHARE = 0.9;

/**
 * DL108: residual without normalization where the α² rule (DL106) stays under the threshold but the forward signal
 * still explodes or collapses: a non-centred branch (E σ ≠ 0) adds its mean coherently, a cross term of order α per block,
 * so α = 1/√L does not bound it (residualForward).
 */
function forwardRule(ctx: Context): Finding[] {
  const { spec } = ctx;
  const m = spec.model;
  if (!m.residual || m.norm !== 'none' || ctx.facts.steps === 0) return [];
  if (squareRuleOrders(ctx) > ctx.threshold) return []; // DL106 already says it
  const alpha = m.residual.alpha;
  const forward = residualForward(ctx.facts.act, weightScale(m.init, m.initGain), alpha, ctx.facts.gains);
  const orders = forward.lnRmsGrowth / Math.LN10;
  const collapsed = forward.sharedFraction > COLLAPSE_SHARE;
  if (!(orders > ctx.threshold) && !collapsed) return [];
  const act = ctx.facts.act.name;
  const growth = `activations predicted to grow ~${formatOrders(orders)}× in RMS over ${ctx.facts.steps} blocks`;
  const collapse = collapsed
    ? ` and ${(100 * forward.sharedFraction).toFixed(0)}% of their squared norm to sit in one direction shared by every sample (a collapse toward rank one)`
    : '';
  const message =
    `residual connections without normalization, alpha = ${formatNumber(alpha)}, ${act}: ${act} is not centred (E σ ≠ 0), so each ` +
    `branch adds its mean coherently — a cross term of order α per block, not α² — with ${growth}${collapse}. ` +
    `The α² rule alone predicts ~${formatOrders(forward.lnRmsGrowthSquareOnly / Math.LN10)}×, so alpha ≤ 1/√depth does not bound it; ` +
    `SkipInit (alpha initialised to 0), a centred activation (tanh) or normalization in the branch does.`;
  const paths = ctx.facts.paths.residual;
  const value = m.residual.learnable ? { alpha: 0, learnable: true } : { alpha: 0 };
  const title = 'SkipInit: initialise alpha to 0';
  const fix = m.form === 'compact' ? { path: 'model.residual', value, title, preferred: true } : fixAll(paths.map((p) => `${p}.alpha`), 0, title, true);
  const alternatives: FindingFix[] = m.form === 'compact' ? [{ path: 'model.activation', value: 'tanh', title: 'Switch to tanh (a centred activation)' }] : [];
  const path = paths[0] ? `${paths[0]}.alpha` : 'model';
  return [finding(ctx, 'DL108', orders > ctx.threshold ? severityFor(ctx, orders) : 'warning', path, message, fix, alternatives)];
}
