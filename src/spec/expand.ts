// Expands the model (compact or explicit form) into the flat LayerSpec list, and summarises it as ModelSpec.
import { defaults } from './defaults';
import { childPath } from './paths';
import type { RawAlpha, RawLayer, RawModel } from './raw';
import { keyRange } from './source-map';
import type {
  Activation,
  BlockOrder,
  InitKind,
  LayerSpec,
  ModelSpec,
  NormKind,
  ResidualSpec,
  SourceMap,
} from './types';
import type { SpecPath } from '../shared/findings';
import type { PathProblem } from './validate';

function residualAlpha(alpha: RawAlpha | undefined, fallback: number, depth: number): Pick<ResidualSpec, 'alpha' | 'alphaExpr'> {
  if (alpha === '1/sqrt(depth)') return { alpha: 1 / Math.sqrt(depth), alphaExpr: alpha };
  return { alpha: alpha ?? fallback };
}

/** Shaping gain α_ℓ = ℓ^(−k) of block ℓ (1-based); 1 without shaping. */
export function shapingGain(block: number, exponent: number | null): number {
  return exponent === null ? 1 : Math.pow(block, -exponent);
}

/** Compact form: block ℓ = 1..L is dense (W_{ℓ−1}) + norm + activation in the chosen order; blocks ℓ ≥ 2 optionally residual. */
export function expandCompact(raw: RawModel & { depth: number; width: number }): ModelSpec {
  const d = defaults.model;
  const norm = raw.norm ?? d.norm;
  const center = raw.center ?? d.center;
  const eps = raw.eps ?? d.eps;
  const order = raw.order ?? d.order;
  const activation = raw.activation ?? d.activation;
  const init = raw.init ?? d.init;
  const initGain = raw['init-gain'] ?? d.initGain;
  const bias = raw.bias ?? d.bias;
  const leakySlope = raw['leaky-slope'] ?? d.leakySlope;
  const shaping = raw.shaping ? { exponent: raw.shaping.exponent ?? d.shapingExponent } : null;
  const residual: ResidualSpec | null = raw.residual
    ? { ...residualAlpha(raw.residual.alpha, d.residualAlpha, raw.depth), learnable: raw.residual.learnable ?? d.residualLearnable }
    : null;

  const layers: LayerSpec[] = [];
  for (let block = 1; block <= raw.depth; block++) {
    const dense: LayerSpec = { kind: 'dense', units: raw.width, init, gain: initGain, bias, path: 'model.init' };
    const act: LayerSpec = {
      kind: 'activation',
      fn: activation,
      gain: shapingGain(block, shaping ? shaping.exponent : null),
      ...(activation === 'leaky-relu' ? { slope: leakySlope } : {}),
      path: 'model.activation',
    };
    const body: LayerSpec[] = [];
    if (norm === 'none') body.push(dense, act);
    else {
      const n: LayerSpec = { kind: norm, center, eps, path: 'model.norm' };
      if (order === 'linear-norm-act') body.push(dense, n, act);
      else if (order === 'norm-linear-act') body.push(n, dense, act);
      else body.push(dense, act, n);
    }
    if (residual && block >= 2) layers.push({ kind: 'residual', alpha: residual.alpha, learnable: residual.learnable, body, path: 'model.residual' });
    else layers.push(...body);
  }
  return {
    form: 'compact',
    depth: raw.depth,
    width: raw.width,
    init,
    initGain,
    norm,
    center,
    eps,
    order,
    activation,
    leakySlope,
    shaping,
    residual,
    bias,
    layers,
  };
}

function countDense(list: readonly RawLayer[]): number {
  let n = 0;
  for (const item of list) {
    if (item.dense) n += 1;
    else if (item.residual) n += countDense(item.residual.layers);
    else if (item.repeat !== undefined && item.layers) n += item.repeat * countDense(item.layers);
  }
  return n;
}

/** Depth-first list of every primitive, residual bodies included (for summarising). */
function flatten(layers: readonly LayerSpec[], out: LayerSpec[] = []): LayerSpec[] {
  for (const l of layers) {
    if (l.kind === 'residual') flatten(l.body, out);
    else out.push(l);
  }
  return out;
}

/** Most frequent value (first seen wins ties); `fallback` for an empty list. */
function majority<T>(values: readonly T[], fallback: T): T {
  const counts = new Map<T, number>();
  let best = fallback;
  let bestCount = 0;
  for (const v of values) {
    const c = (counts.get(v) ?? 0) + 1;
    counts.set(v, c);
    if (c > bestCount) {
      best = v;
      bestCount = c;
    }
  }
  return best;
}

/**
 * Which block order the dense layers sit in. A repeated pattern reads the same in every order except at its ends
 * (N L A N L A = N (L A N) L A), so this looks at the last dense layer whose surroundings decide it, walking back from
 * the end (a final readout-like dense without norm is skipped).
 */
function detectOrder(flat: readonly LayerSpec[]): BlockOrder {
  const isNorm = (l: LayerSpec | undefined): boolean => l?.kind === 'batchnorm' || l?.kind === 'layernorm';
  for (let i = flat.length - 1; i >= 0; i--) {
    if (flat[i]!.kind !== 'dense') continue;
    const next = flat[i + 1];
    if (isNorm(next)) return 'linear-norm-act';
    if (next?.kind === 'activation' && isNorm(flat[i + 2])) return 'linear-act-norm';
    if (isNorm(flat[i - 1])) return 'norm-linear-act';
  }
  return defaults.model.order;
}

interface ExplicitState {
  /** Dense layers seen so far: the block index ℓ used by shaping-exponent. */
  dense: number;
  /** Current feature count flowing through the list. */
  width: number;
  totalDense: number;
  problems: PathProblem[];
  source: SourceMap;
  exponents: number[];
}

function expandList(list: readonly RawLayer[], path: SpecPath, st: ExplicitState): LayerSpec[] {
  const out: LayerSpec[] = [];
  const L = defaults.layer;
  list.forEach((item, i) => {
    const itemPath = childPath(path, i);
    if (item.dense) {
      const dense = item.dense;
      st.dense += 1;
      st.width = dense.units;
      out.push({
        kind: 'dense',
        units: dense.units,
        init: dense.init ?? L.init,
        gain: dense['init-gain'] ?? L.initGain,
        bias: dense.bias ?? L.bias,
        path: childPath(itemPath, 'dense'),
      });
    } else if (item.batchnorm !== undefined || item.layernorm !== undefined) {
      const kind = item.batchnorm !== undefined ? 'batchnorm' : 'layernorm';
      const opts = item[kind] ?? {};
      out.push({ kind, center: opts.center ?? L.center, eps: opts.eps ?? L.eps, path: childPath(itemPath, kind) });
    } else if (item.activation !== undefined) {
      const a = item.activation;
      const fn: Activation = typeof a === 'string' ? a : a.fn;
      const exponent = typeof a === 'string' ? undefined : a['shaping-exponent'];
      if (exponent !== undefined) st.exponents.push(exponent);
      const slope = typeof a === 'string' ? undefined : a.slope;
      out.push({
        kind: 'activation',
        fn,
        gain: shapingGain(Math.max(1, st.dense), exponent ?? null),
        ...(fn === 'leaky-relu' ? { slope: slope ?? L.slope } : {}),
        path: childPath(itemPath, 'activation'),
      });
    } else if (item.residual) {
      const r = item.residual;
      const before = st.width;
      const body = expandList(r.layers, childPath(childPath(itemPath, 'residual'), 'layers'), st);
      if (st.width !== before) {
        const p = childPath(itemPath, 'residual');
        st.problems.push({ path: p, range: keyRange(st.source, p), message: `${p}: the residual branch maps ${before} features to ${st.width}; it must keep the width (x + alpha·f(x))` });
        st.width = before;
      }
      out.push({ kind: 'residual', ...residualAlpha(r.alpha, L.alpha, st.totalDense), learnable: r.learnable ?? L.learnable, body, path: childPath(itemPath, 'residual') });
    } else if (item.repeat !== undefined && item.layers) {
      const layersPath = childPath(itemPath, 'layers');
      for (let k = 0; k < item.repeat; k++) out.push(...expandList(item.layers, layersPath, st));
    }
  });
  return out;
}

/**
 * Explicit form. depth = number of dense layers; width = units of the last dense layer. The model-level summary fields
 * (init, init-gain, bias, norm, center, eps, activation, leaky slope, shaping exponent, residual alpha) are the most
 * frequent value over the expanded layers, so theory reasons about what most of the network does; order is read from the
 * arrangement around the dense layers (see detectOrder). Problems (no dense layer, a residual branch that changes the width) are returned.
 */
export function expandExplicit(list: readonly RawLayer[], features: number, source: SourceMap): { model?: ModelSpec; problems: PathProblem[] } {
  const st: ExplicitState = { dense: 0, width: features, totalDense: countDense(list), problems: [], source, exponents: [] };
  if (st.totalDense === 0) {
    return { problems: [{ path: 'model.layers', range: keyRange(source, 'model.layers'), message: 'model.layers: needs at least one dense layer' }] };
  }
  const layers = expandList(list, 'model.layers', st);
  if (st.problems.length > 0) return { problems: st.problems };

  const flat = flatten(layers);
  const dense = flat.filter((l): l is Extract<LayerSpec, { kind: 'dense' }> => l.kind === 'dense');
  const norms = flat.filter((l): l is Extract<LayerSpec, { kind: 'batchnorm' | 'layernorm' }> => l.kind === 'batchnorm' || l.kind === 'layernorm');
  const acts = flat.filter((l): l is Extract<LayerSpec, { kind: 'activation' }> => l.kind === 'activation');
  const residuals = layers.filter((l): l is Extract<LayerSpec, { kind: 'residual' }> => l.kind === 'residual');
  const d = defaults.model;
  const last = dense[dense.length - 1]!;
  const activation = majority<Activation>(acts.map((a) => a.fn), d.activation);
  const model: ModelSpec = {
    form: 'layers',
    depth: dense.length,
    width: last.units,
    init: majority<InitKind>(dense.map((l) => l.init), d.init),
    initGain: majority(dense.map((l) => l.gain), d.initGain),
    norm: majority<NormKind>(norms.map((l) => l.kind), 'none'),
    center: majority(norms.map((l) => l.center), d.center),
    eps: majority(norms.map((l) => l.eps), d.eps),
    order: detectOrder(flat),
    activation,
    leakySlope: majority(acts.filter((a) => a.slope !== undefined).map((a) => a.slope as number), d.leakySlope),
    shaping: st.exponents.length > 0 ? { exponent: majority(st.exponents, d.shapingExponent) } : null,
    residual:
      residuals.length > 0
        ? { alpha: majority(residuals.map((r) => r.alpha), d.residualAlpha), learnable: majority(residuals.map((r) => r.learnable), d.residualLearnable) }
        : null,
    bias: majority(dense.map((l) => l.bias), d.bias),
    layers,
  };
  return { model, problems: [] };
}
