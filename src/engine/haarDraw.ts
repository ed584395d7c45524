// The random numbers behind a Haar (orthogonal) weight, drawn so that the host and a GPU produce the same ones: a
// counter-based generator (Threefry-2x32-20, Salmon et al. 2011, Random123's known answers) keyed once per weight from its
// seed's stream, and the standard normals of reflector k taken by Box–Muller from counters (k, 0), (k, 1), … — each value
// a pure function of (key, k, i), so a GPU workgroup per reflector computes exactly the values the host loop does (in
// float32: to float32 rounding; kernels/webgpu/reflectors holds the WGSL twin). The branch-free transform matters: a
// rejection sampler (the ziggurat) could take a different branch in float32 and draw a different number altogether.
// The sign of each normal comes from its angle's quadrant, an integer test, so host and device never disagree on it.
import type { Rng } from './rng';

/** A d×d Haar matrix's draw: its size and the generator key of its reflectors. */
export interface HaarDraw {
  d: number;
  key: readonly [number, number];
}

/** The key is the next two 32-bit draws of `rng` (the weight's own stream, ../network weightStream). */
export function haarDraw(d: number, rng: Rng): HaarDraw {
  if (!Number.isInteger(d) || d < 1) throw new Error(`haarDraw: size must be a positive integer, got ${d}`);
  return { d, key: [rng.nextUint32(), rng.nextUint32()] };
}

const KEY_PARITY = 0x1bd11bda;
const rotl = (x: number, s: number): number => (x << s) | (x >>> (32 - s));

/**
 * Threefry-2x32-20 of the counters (c0, c1), (c0, c1 + 1), …, (c0, c1 + count − 1): words 2j and 2j + 1 of `out` are
 * counter j's two output words. Counters go two at a time, as two independent chains interleaved (the rounds are one long
 * dependency chain, so two run in about the time of one), and a whole reflector's counters in one call: per-pair calls
 * returning words through a small typed array made the host draw 1.4× slower. Five groups of four rounds (rotations
 * 13 15 26 6 in odd groups, 17 29 16 24 in even ones), each followed by a key injection (k1, k2+1; k2, k0+2; k0, k1+3; …).
 */
export function threefryBlock(k0: number, k1: number, c0: number, c1: number, count: number, out: Uint32Array): void {
  const k2 = KEY_PARITY ^ k0 ^ k1;
  for (let j = 0; j < count; j += 2) {
    let x0 = (c0 + k0) | 0;
    let x1 = (c1 + j + k1) | 0;
    let y0 = x0;
    let y1 = (c1 + j + 1 + k1) | 0;
    let ka = k1;
    let kb = k2;
    let kc = k0;
    for (let g = 1; g <= 5; g++) {
      if (g & 1) {
        x0 = (x0 + x1) | 0; y0 = (y0 + y1) | 0; x1 = rotl(x1, 13) ^ x0; y1 = rotl(y1, 13) ^ y0; // prettier-ignore
        x0 = (x0 + x1) | 0; y0 = (y0 + y1) | 0; x1 = rotl(x1, 15) ^ x0; y1 = rotl(y1, 15) ^ y0; // prettier-ignore
        x0 = (x0 + x1) | 0; y0 = (y0 + y1) | 0; x1 = rotl(x1, 26) ^ x0; y1 = rotl(y1, 26) ^ y0; // prettier-ignore
        x0 = (x0 + x1) | 0; y0 = (y0 + y1) | 0; x1 = rotl(x1, 6) ^ x0; y1 = rotl(y1, 6) ^ y0; // prettier-ignore
      } else {
        x0 = (x0 + x1) | 0; y0 = (y0 + y1) | 0; x1 = rotl(x1, 17) ^ x0; y1 = rotl(y1, 17) ^ y0; // prettier-ignore
        x0 = (x0 + x1) | 0; y0 = (y0 + y1) | 0; x1 = rotl(x1, 29) ^ x0; y1 = rotl(y1, 29) ^ y0; // prettier-ignore
        x0 = (x0 + x1) | 0; y0 = (y0 + y1) | 0; x1 = rotl(x1, 16) ^ x0; y1 = rotl(y1, 16) ^ y0; // prettier-ignore
        x0 = (x0 + x1) | 0; y0 = (y0 + y1) | 0; x1 = rotl(x1, 24) ^ x0; y1 = rotl(y1, 24) ^ y0; // prettier-ignore
      }
      x0 = (x0 + ka) | 0; y0 = (y0 + ka) | 0; x1 = (x1 + kb + g) | 0; y1 = (y1 + kb + g) | 0; // prettier-ignore
      const next = ka;
      ka = kb;
      kb = kc;
      kc = next;
    }
    out[2 * j] = x0;
    out[2 * j + 1] = x1;
    if (j + 1 < count) {
      out[2 * j + 2] = y0;
      out[2 * j + 3] = y1;
    }
  }
}

/** Threefry's output words, reused by every call on this thread (grown to the longest reflector drawn). */
let words = new Uint32Array(4);

const TWO_POW_M24 = 2 ** -24;
const TWO_POW_M22 = 2 ** -22;
const HALF_PI = Math.PI / 2;
const QUARTER = 1 << 22;

/**
 * Normals i = 0 … out.length−1 of reflector k: pair p = ⌊i/2⌋ is Threefry(key, (k, p)) = (a, b), with
 * u₁ = (⌊a/2⁸⌋ + ½)·2⁻²⁴ and u₂ = (⌊b/2⁸⌋ + ½)·2⁻²⁴ (24 bits each, exact in float32; |x| ≤ 5.9, a tail of 4e-9 cut),
 * r = √(−2 ln u₁), x_{2p} = r cos 2πu₂, x_{2p+1} = r sin 2πu₂.
 */
export function fillReflectorNormals(draw: HaarDraw, k: number, out: Float64Array): Float64Array {
  const n = out.length;
  const pairs = (n + 1) >>> 1;
  if (words.length < 2 * pairs) words = new Uint32Array(2 * pairs);
  threefryBlock(draw.key[0], draw.key[1], k, 0, pairs, words);
  for (let i = 0; i < n; i += 2) normalPair(words[i], words[i + 1], out, i, n);
  return out;
}

/**
 * Box–Muller on one pair's words into out[i] (cos) and out[i + 1] (sin, when i + 1 < n). 2πu₂ = (π/2)(q + φ'), q the
 * quarter turn; sin and cos of φ = (π/2)φ' in (0, π/2) by Taylor series to φ¹⁵ / φ¹⁶ (error < 1e-11, far below
 * float32; twice as fast as Math.sin and Math.cos, in the O(d²) draw's hot loop).
 */
function normalPair(a: number, b: number, out: Float64Array, i: number, n: number): void {
  const r = Math.sqrt(-2 * Math.log(((a >>> 8) + 0.5) * TWO_POW_M24));
  const b24 = b >>> 8;
  const phi = ((b24 & 0x3fffff) + 0.5) * TWO_POW_M22 * HALF_PI;
  const p2 = phi * phi;
  const sn = phi * (1 + p2 * (-1 / 6 + p2 * (1 / 120 + p2 * (-1 / 5040 + p2 * (1 / 362880 + p2 * (-1 / 39916800 + p2 * (1 / 6227020800 + p2 * (-1 / 1307674368000))))))));
  const cs = 1 + p2 * (-1 / 2 + p2 * (1 / 24 + p2 * (-1 / 720 + p2 * (1 / 40320 + p2 * (-1 / 3628800 + p2 * (1 / 479001600 + p2 * (-1 / 87178291200 + p2 * (1 / 20922789888000))))))));
  const q = b24 >>> 22;
  out[i] = r * (q === 0 ? cs : q === 1 ? -sn : q === 2 ? -cs : sn);
  if (i + 1 < n) out[i + 1] = r * (q === 0 ? sn : q === 1 ? cs : q === 2 ? -sn : -cs);
}

/** The sign of normal 0 of reflector k (cos 2πu₂ > 0 ⇔ u₂ in the first or last quarter turn): ±1, never 0. */
export function firstNormalSign(draw: HaarDraw, k: number): 1 | -1 {
  threefryBlock(draw.key[0], draw.key[1], k, 0, 1, words);
  const b24 = words[1] >>> 8;
  return b24 < QUARTER || b24 >= 3 * QUARTER ? 1 : -1;
}

/**
 * sign(R_kk) of every k (./haar): reflector k maps its x to α e₀ with α = −sign(x₀)‖x‖, so sign(R_kk) = −sign(x₀); the last
 * R_kk is a lone Gaussian, normal 0 of "reflector" d − 1.
 */
export function haarSigns(draw: HaarDraw): Float64Array {
  const sign = new Float64Array(draw.d);
  for (let k = 0; k < draw.d - 1; k++) sign[k] = -firstNormalSign(draw, k);
  sign[draw.d - 1] = firstNormalSign(draw, draw.d - 1);
  return sign;
}
