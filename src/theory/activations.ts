// Activation functions σ and their derivatives σ′ as plain float64 functions, with the structural facts the theory
// needs. The engine's float64 reference tests reuse these.
import type { Activation } from '../spec/types';
import type { ExpectationOptions } from './quadrature';

export interface ActivationFunction {
  name: Activation;
  f: (x: number) => number;
  df: (x: number) => number;
  /** σ(0) = 0 and σ′(0) = 1: activation shaping (α_ℓ → 0 makes the block linear) applies. */
  centred: boolean;
  /** σ(−x) = −σ(x). */
  odd: boolean;
  /** σ(cx) = cσ(x) for c > 0: a pre-activation gain changes nothing after normalization. */
  homogeneous: boolean;
  /** Points where σ or σ′ is not smooth (quadrature splits there). */
  kinks: readonly number[];
  /** σ is an entire function (no kinks, no complex poles): Gauss–Hermite converges fast for it at any gain. */
  entire: boolean;
}

/** Standard SELU constants (Klambauer et al. 2017). */
export const SELU_SCALE = 1.0507009873554804934193349852946;
export const SELU_ALPHA = 1.6732632423543772848170429916717;
export const DEFAULT_LEAKY_SLOPE = 0.01;

const SQRT_PI = Math.sqrt(Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * erf(x) = (2/√π) e^{−x²} Σ_{n≥0} 2ⁿ x^{2n+1} / (2n+1)!!  — every term positive, so no cancellation; the terms grow
 * until n ≈ x² and the series is summed to full precision. |x| ≥ 6 gives ±1 exactly in float64 (erfc(6) ≈ 2e−17).
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax >= 6) return Math.sign(x);
  const x2 = ax * ax;
  let term = ax;
  let sum = ax;
  for (let n = 1; n < 500; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  const value = ((2 / SQRT_PI) * Math.exp(-x2)) * sum;
  return x < 0 ? -value : value;
}

/** Standard normal CDF Φ(x). */
export function normalCdf(x: number): number {
  return 0.5 * (1 + erf(x / Math.SQRT2));
}

/** Standard normal density φ(x). */
export function normalPdf(x: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}

function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** The activation by name; `slope` is the negative-side slope of leaky-relu. */
export function activation(name: Activation, slope = DEFAULT_LEAKY_SLOPE): ActivationFunction {
  switch (name) {
    case 'identity':
      return { name, f: (x) => x, df: () => 1, centred: true, odd: true, homogeneous: true, kinks: [], entire: true };
    case 'tanh':
      return {
        name,
        f: Math.tanh,
        df: (x) => {
          const t = Math.tanh(x);
          return 1 - t * t;
        },
        centred: true,
        odd: true,
        homogeneous: false,
        kinks: [],
        entire: false,
      };
    case 'sin':
      return { name, f: Math.sin, df: Math.cos, centred: true, odd: true, homogeneous: false, kinks: [], entire: true };
    case 'relu':
      return {
        name,
        f: (x) => (x > 0 ? x : 0),
        df: (x) => (x > 0 ? 1 : 0),
        centred: false,
        odd: false,
        homogeneous: true,
        kinks: [0],
        entire: false,
      };
    case 'leaky-relu':
      return {
        name,
        f: (x) => (x > 0 ? x : slope * x),
        df: (x) => (x > 0 ? 1 : slope),
        centred: false,
        odd: slope === -1,
        homogeneous: true,
        kinks: [0],
        entire: false,
      };
    case 'gelu':
      return {
        name,
        f: (x) => x * normalCdf(x),
        df: (x) => normalCdf(x) + x * normalPdf(x),
        centred: false,
        odd: false,
        homogeneous: false,
        kinks: [],
        entire: true,
      };
    case 'selu':
      return {
        name,
        f: (x) => (x > 0 ? SELU_SCALE * x : SELU_SCALE * SELU_ALPHA * Math.expm1(x)),
        df: (x) => (x > 0 ? SELU_SCALE : SELU_SCALE * SELU_ALPHA * Math.exp(x)),
        centred: false,
        odd: false,
        homogeneous: false,
        kinks: [0],
        entire: false,
      };
    case 'sigmoid':
      return {
        name,
        f: sigmoid,
        df: (x) => {
          const s = sigmoid(x);
          return s * (1 - s);
        },
        centred: false,
        odd: false,
        homogeneous: false,
        kinks: [],
        entire: false,
      };
  }
}

/**
 * The quadrature options for E[g(σ(αz), σ′(αz))]: Gauss–Hermite for entire σ, and for smooth σ up to gain 1 (the poles
 * of tanh(αz) at z = ±iπ/(2α) are then far enough for ~1e−10); panels split at the kinks otherwise.
 */
export function quadratureFor(act: ActivationFunction, gain: number): ExpectationOptions {
  if (act.entire || (act.kinks.length === 0 && gain <= 1)) return {};
  return { kinks: gain > 0 ? act.kinks.map((k) => k / gain) : [], rule: 'panels' };
}

/** Every activation of the spec (declared once in spec/types.ts). */
export { ACTIVATIONS } from '../spec/types';
