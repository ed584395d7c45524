// The initializer a model records, as DepthLens's (init, init-gain): every Keras/TF.js initializer with zero mean maps
// to the scheme of equal variance (DepthLens draws Gaussians; a uniform draw of the same variance propagates alike at
// initialization), orthogonal stays orthogonal. ONNX records weights, not an initializer: weightsInit reads them.
import type { InitRule } from './graph';

/** Variance factor of a normal truncated at ±2σ (Keras TruncatedNormal, tfjs truncatedNormal): 1 − 4φ(2)/(Φ(2)−Φ(−2)). */
export const TRUNCATED_NORMAL_VARIANCE = 0.7737413;

/** "GlorotUniform", "glorot_uniform", "glorotUniform" → "glorotuniform". */
export const normalizeName = (name: string): string => name.replace(/[_\s-]/g, '').toLowerCase();

const round = (x: number): number => Number(x.toPrecision(6));

/** A Gaussian scheme of the given weight variance: named when it is one of DepthLens's, else gaussian with its gain. */
function ofVariance(variance: (fanIn: number, fanOut: number) => number): InitRule {
  return (fanIn, fanOut) => {
    const v = variance(fanIn, fanOut);
    if (!(v > 0) || !Number.isFinite(v)) return { error: `its weight variance ${v} is not a positive number` };
    return { init: 'gaussian', gain: round(Math.sqrt(v * fanIn)) };
  };
}

const fixed = (init: 'xavier' | 'he' | 'gaussian' | 'orthogonal', gain = 1): InitRule => () => ({ init, gain: round(gain) });

const num = (config: Record<string, unknown>, key: string, fallback: number): number => {
  const v = config[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
};

/** Keras VarianceScaling(scale, mode, distribution): variance scale / fan (distribution-corrected in Keras ≥ 2.2). */
function varianceScaling(config: Record<string, unknown>): InitRule | string {
  const scale = num(config, 'scale', 1);
  const mode = normalizeName(String(config.mode ?? 'fan_in'));
  if (!(scale > 0)) return `VarianceScaling with scale ${scale}`;
  if (mode === 'fanavg') return scale === 1 ? fixed('xavier') : fixed('xavier', Math.sqrt(scale));
  if (mode === 'fanin') return scale === 2 ? fixed('he') : fixed('gaussian', Math.sqrt(scale));
  if (mode === 'fanout') return ofVariance((_, fanOut) => scale / fanOut);
  return `VarianceScaling with mode "${String(config.mode)}"`;
}

/**
 * A Keras / TF.js initializer (`{class_name, config}` or a bare name) → an InitRule, or the reason it has none.
 * Keras's Dense default is GlorotUniform.
 */
export function kerasInit(spec: unknown): { rule: InitRule; name: string } | { error: string } {
  if (spec === undefined || spec === null) return { rule: fixed('xavier'), name: 'GlorotUniform, the Dense default' };
  const className = typeof spec === 'string' ? spec : typeof spec === 'object' ? (spec as { class_name?: unknown }).class_name : undefined;
  if (typeof className !== 'string') return { error: 'its kernel_initializer has no class_name' };
  const raw = typeof spec === 'object' ? (spec as { config?: unknown }).config : undefined;
  const config = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const name = normalizeName(className);
  const rule = ((): InitRule | string => {
    switch (name) {
      case 'orthogonal': {
        const gain = num(config, 'gain', 1);
        return gain > 0 ? fixed('orthogonal', gain) : `Orthogonal with gain ${gain}`;
      }
      case 'glorotuniform':
      case 'glorotnormal':
      case 'xavieruniform':
      case 'xaviernormal':
        return fixed('xavier');
      case 'henormal':
      case 'heuniform':
        return fixed('he');
      case 'lecunnormal':
      case 'lecununiform':
        return fixed('gaussian');
      case 'variancescaling':
        return varianceScaling(config);
      case 'randomnormal':
      case 'normal':
      case 'truncatednormal': {
        if (num(config, 'mean', 0) !== 0) return `${className} with mean ${num(config, 'mean', 0)} (DepthLens draws zero-mean weights)`;
        const std = num(config, 'stddev', 0.05);
        const factor = name === 'truncatednormal' ? TRUNCATED_NORMAL_VARIANCE : 1;
        return ofVariance(() => std * std * factor);
      }
      case 'randomuniform':
      case 'uniform': {
        const lo = num(config, 'minval', -0.05);
        const hi = num(config, 'maxval', 0.05);
        if (lo + hi !== 0) return `${className} on [${lo}, ${hi}] (DepthLens draws zero-mean weights)`;
        return ofVariance(() => ((hi - lo) * (hi - lo)) / 12);
      }
      default:
        return `${className} is not an initializer DepthLens can draw (it draws orthogonal, Glorot/Xavier, He, LeCun, VarianceScaling, RandomNormal, TruncatedNormal, RandomUniform)`;
    }
  })();
  return typeof rule === 'string' ? { error: rule } : { rule, name: className };
}

/** Orthogonal within this relative tolerance: float32 storage of an orthogonal matrix is ~1e-7 off; Gaussian ones 1/√n. */
const ORTHOGONAL_TOLERANCE = 1e-3;
/** Columns (or rows) whose Gram matrix is tested: enough to tell Gaussian from orthogonal, cheap at any width. */
const GRAM_SAMPLE = 64;

/**
 * The named scheme whose variance the measured one matches to within 4 standard errors of a variance estimate from `count`
 * Gaussian draws (√(2/count) relative; capped at 15%, which keeps He, LeCun and Glorot apart), first match wins.
 */
function namedScheme(variance: number, count: number, fanIn: number, fanOut: number): InitRule | null {
  const tolerance = Math.min(0.15, 4 * Math.sqrt(2 / count));
  const schemes: ['he' | 'gaussian' | 'xavier', number][] = [['he', 2 / fanIn], ['gaussian', 1 / fanIn], ['xavier', 2 / (fanIn + fanOut)]];
  for (const [kind, v] of schemes) if (Math.abs(variance / v - 1) <= tolerance) return fixed(kind);
  return null;
}

/**
 * Reads the initialization from the weights themselves, W given row-major as fanOut × fanIn: orthogonal (with its gain) when
 * the sampled columns (rows, if fewer) are orthogonal with equal norms; else He, LeCun (gaussian) or Glorot (xavier) when
 * the weights' variance is theirs to within sampling error; else gaussian with the gain of the measured variance.
 */
export function weightsInit(w: Float32Array | Float64Array, fanOut: number, fanIn: number): InitRule {
  let sumSq = 0;
  for (let i = 0; i < w.length; i++) sumSq += w[i]! * w[i]!;
  const variance = sumSq / w.length;
  const byColumns = fanIn <= fanOut;
  const count = Math.min(GRAM_SAMPLE, byColumns ? fanIn : fanOut);
  const length = byColumns ? fanOut : fanIn;
  const at = (vec: number, k: number): number => (byColumns ? w[k * fanIn + vec]! : w[vec * fanIn + k]!);
  const gram = (a: number, b: number): number => {
    let s = 0;
    for (let k = 0; k < length; k++) s += at(a, k) * at(b, k);
    return s;
  };
  const norms = Array.from({ length: count }, (_, a) => gram(a, a));
  const mean = norms.reduce((s, x) => s + x, 0) / count;
  let orthogonal = mean > 0 && norms.every((x) => Math.abs(x - mean) <= ORTHOGONAL_TOLERANCE * mean);
  for (let a = 0; orthogonal && a < count; a++) {
    for (let b = a + 1; b < count; b++) {
      if (Math.abs(gram(a, b)) > ORTHOGONAL_TOLERANCE * mean) {
        orthogonal = false;
        break;
      }
    }
  }
  if (orthogonal) return fixed('orthogonal', Math.sqrt(mean));
  if (!(variance > 0)) return () => ({ error: 'its weights are all zero' });
  return namedScheme(variance, w.length, fanIn, fanOut) ?? ofVariance(() => variance);
}
