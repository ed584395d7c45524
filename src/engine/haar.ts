// Haar-distributed orthogonal matrices as a product of Householder reflections (Stewart 1980), which is what Householder QR
// of a Gaussian matrix produces with Mezzadri's sign correction, without ever drawing or factoring the Gaussian matrix:
// by rotational invariance, the part of column k that reflector k sees is a fresh N(0, I_{d−k}) vector. Drawing the d−1
// reflectors costs O(d²); forming Q costs (4/3)d³ flops, done either in float64 on the host or in float32 on a tfjs backend
// through blocked matrix products (compact WY form); ./weights applies the blocks to a batch without forming Q at all.
// The reflectors' normals come from a counter-based generator (./haarDraw): on webgpu they are drawn on the device, a
// workgroup per reflector (kernels/webgpu/reflectors), each block's Gram VᵀV is a device product and its triangular factor
// T a kernel of our own (kernels/webgpu/wyFactor): W is drawn and formed with nothing uploaded but the key and nothing
// read back, and equals the host's W (and wasm's) per seed to float32 rounding.
import type { Tensor2D } from '@tensorflow/tfjs';
import type { Tf } from './backend';
import type { Rng } from './rng';
import { fillReflectorNormals, firstNormalSign, haarDraw, haarSigns, type HaarDraw } from './haarDraw';
import { transpose2d } from './kernels/wasm/transpose';
import { REFLECTOR_BLOCK, reflectorKeyValues, registerWebGpuKernels, WY_FACTOR } from './kernels/webgpu';

/**
 * Q = H_0 H_1 ⋯ H_{d−2} · diag(sign) with H_k = I − 2 v_k v_kᵀ acting on coordinates k..d−1. `vectors[k]` is the unit v_k
 * restricted to those coordinates (length d − k); `sign[k]` = sign(R_kk) of the QR this mimics.
 */
export interface HouseholderFactors {
  d: number;
  vectors: Float64Array[];
  sign: Float64Array;
}

/** Factors drawn on the host (reflectors in hand), as opposed to a draw whose reflectors a GPU makes itself. */
function drawnOnHost(f: HouseholderFactors | HaarDraw): f is HouseholderFactors {
  return 'vectors' in f;
}

/**
 * Draws the factors of a d×d Haar matrix from `rng` (its key, ./haarDraw): for k < d−1, x ~ N(0, I_{d−k}) (reflector k's
 * normals); QR's reflector maps x to α e₀ with α = −sign(x₀)‖x‖, so v = (x − α e₀)/‖x − α e₀‖ and R_kk = α. The last R_kk
 * is a lone Gaussian.
 */
export function drawHouseholderFactors(d: number, rng: Rng): HouseholderFactors {
  return householderFactorsOf(haarDraw(d, rng));
}

export function householderFactorsOf(draw: HaarDraw): HouseholderFactors {
  const { d } = draw;
  const vectors: Float64Array[] = [];
  const sign = new Float64Array(d);
  // All reflectors in one buffer, back to back (as packHouseholderFactors lays them out): one allocation, not d − 1.
  const packed = new Float64Array(((d - 1) * (d + 2)) / 2);
  for (let k = 0, offset = 0; k < d - 1; offset += d - k, k++) {
    const v = fillReflectorNormals(draw, k, packed.subarray(offset, offset + d - k));
    let norm2 = 0;
    for (let i = 0; i < v.length; i++) norm2 += v[i] * v[i];
    // Normal 0's sign is its quadrant's (./haarDraw firstNormalSign): r > 0 and the quarter turn's sin and cos are > 0.
    const s0 = v[0] > 0 ? 1 : -1;
    const alpha = -s0 * Math.sqrt(norm2);
    // ‖x − α e₀‖² = ‖x‖² − 2α x₀ + α² = 2(‖x‖² + |α||x₀|); no cancellation since −α and x₀ share a sign.
    const unNorm2 = 2 * (norm2 + Math.abs(alpha * v[0]));
    if (!(unNorm2 > 0)) throw new Error('drawHouseholderFactors: a Gaussian draw was exactly zero (probability zero; bad generator?)');
    v[0] -= alpha;
    const inv = 1 / Math.sqrt(unNorm2);
    for (let i = 0; i < v.length; i++) v[i] *= inv;
    vectors.push(v);
    sign[k] = alpha >= 0 ? 1 : -1;
  }
  sign[d - 1] = firstNormalSign(draw, d - 1);
  return { d, vectors, sign };
}

/** The factors in two transferable buffers (vectors back to back, then the signs), to cross a thread boundary. */
export interface PackedHouseholderFactors {
  d: number;
  packed: Float64Array;
  sign: Float64Array;
}

export function packHouseholderFactors(f: HouseholderFactors): PackedHouseholderFactors {
  const total = f.vectors.reduce((n, v) => n + v.length, 0);
  // Drawn by householderFactorsOf, the vectors already lie back to back in one buffer of their own.
  const first = f.vectors[0];
  if (first && first.byteOffset === 0 && first.buffer.byteLength === total * 8 && first.buffer instanceof ArrayBuffer) {
    return { d: f.d, packed: new Float64Array(first.buffer), sign: f.sign };
  }
  const packed = new Float64Array(total);
  let offset = 0;
  for (const v of f.vectors) {
    packed.set(v, offset);
    offset += v.length;
  }
  return { d: f.d, packed, sign: f.sign };
}

/** The factors of a packed copy, as views on its buffer (no copy). */
export function unpackHouseholderFactors({ d, packed, sign }: PackedHouseholderFactors): HouseholderFactors {
  const vectors: Float64Array[] = [];
  let offset = 0;
  for (let k = 0; k < d - 1; k++) {
    vectors.push(packed.subarray(offset, offset + d - k));
    offset += d - k;
  }
  return { d, vectors, sign };
}

/**
 * The explicit Q (row-major d×d, float64) of the factors, times `scale`. Accumulates backwards, Q ← H_k Q for
 * k = d−2..0 starting from scale·diag(sign): H_k only touches the trailing (d−k)×(d−k) block, hence (4/3)d³ flops.
 */
export function formHouseholderProduct(f: HouseholderFactors, scale = 1): Float64Array {
  const { d, vectors, sign } = f;
  const q = new Float64Array(d * d);
  for (let i = 0; i < d; i++) q[i * d + i] = scale * sign[i];
  const w = new Float64Array(d);
  for (let k = d - 2; k >= 0; k--) {
    const v = vectors[k];
    const m = d - k;
    // w = vᵀ B, then B −= 2 v wᵀ, with B = Q[k.., k..].
    w.fill(0, 0, m);
    for (let i = 0; i < m; i++) {
      const vi = v[i];
      if (vi === 0) continue;
      const row = (k + i) * d + k;
      for (let j = 0; j < m; j++) w[j] += vi * q[row + j];
    }
    for (let i = 0; i < m; i++) {
      const c = 2 * v[i];
      if (c === 0) continue;
      const row = (k + i) * d + k;
      for (let j = 0; j < m; j++) q[row + j] -= c * w[j];
    }
  }
  return q;
}

/** Reflectors per block of the device path: large enough for efficient matmuls, small enough that T stays cheap. */
export const DEFAULT_BLOCK = 64;

/** One block of reflectors as device tensors: their product is I − V T Vᵀ on the coordinates start..d−1. */
export interface WYBlock {
  start: number;
  /** count × (d − start) */
  vt: Tensor2D;
  /** (d − start) × count */
  v: Tensor2D;
  /** count × count, upper triangular */
  t: Tensor2D;
  /** Tᵀ, when asked for */
  tT: Tensor2D | null;
}

/**
 * The reflectors in blocks of `block` (the last one partial), on the backend with their compact-WY factor T. The caller
 * owns the returned tensors. From factors drawn on the host the reflectors are uploaded; from a HaarDraw (webgpu only)
 * they are drawn on the device. T comes from VᵀV, a small product computed on the backend. On webgpu T is computed
 * there too (no download); elsewhere the Grams of all blocks are read back in one awaited download and T is formed in
 * float64.
 */
export async function compactWYBlocks(tf: Tf, f: HouseholderFactors | HaarDraw, block = DEFAULT_BLOCK, withTransposedT = false): Promise<WYBlock[]> {
  if (!Number.isInteger(block) || block < 1) throw new Error(`compactWYBlocks: block must be a positive integer, got ${block}`);
  const onWebGpu = tf.getBackend() === 'webgpu';
  if (onWebGpu) registerWebGpuKernels();
  const hostFactors = drawnOnHost(f) ? f : null;
  if (!hostFactors && !onWebGpu) throw new Error('internal: reflectors are drawn on the device only on webgpu');
  const uploaded: { start: number; count: number; vt: Tensor2D; v: Tensor2D }[] = [];
  const key = drawnOnHost(f) ? null : tf.tensor1d(reflectorKeyValues(f.key));
  try {
    for (let start = 0; start < f.d - 1; start += block) {
      const count = Math.min(block, f.d - 1 - start);
      const vt = hostFactors
        ? tf.tensor2d(reflectorRows(hostFactors, start, count), [count, f.d - start])
        : (tf.engine().runKernel(REFLECTOR_BLOCK, { key: key! }, { d: f.d, start, count }) as Tensor2D);
      uploaded.push({ start, count, vt, v: tf.transpose(vt) });
    }
  } catch (e) {
    for (const u of uploaded) for (const x of [u.vt, u.v]) x.dispose();
    throw e;
  } finally {
    key?.dispose();
  }
  if (uploaded.length === 0) return [];
  if (onWebGpu) {
    return uploaded.map(({ start, vt, v }) => {
      const gram = tf.matMul(vt, v);
      const [t, tT] = tf.engine().runKernel(WY_FACTOR, { gram }, {}) as unknown as [Tensor2D, Tensor2D];
      gram.dispose();
      if (!withTransposedT) tT.dispose();
      return { start, vt, v, t, tT: withTransposedT ? tT : null };
    });
  }
  // One download for every block's Gram: each is count × count, stacked along the rows (the last block may be smaller).
  const grams = tf.tidy(() => tf.concat(uploaded.map(({ vt, v, count }) => tf.reshape(tf.matMul(vt, v), [count * count, 1])), 0));
  const all = (await grams.data()) as Float32Array;
  grams.dispose();
  let offset = 0;
  return uploaded.map(({ start, count, vt, v }) => {
    const tValues = compactWYFactor(all.subarray(offset, offset + count * count), count);
    offset += count * count;
    const t = tf.tensor2d(tValues, [count, count]);
    return { start, vt, v, t, tT: withTransposedT ? tf.tensor2d(transposeSquare(tValues, count), [count, count]) : null };
  });
}

/**
 * The same Q as `formHouseholderProduct` (or Qᵀ), as a float32 d×d tensor formed on the backend. A block's product is
 * I − V T Vᵀ (compact WY); accumulating backwards only the trailing (d − start)² block changes, and it is Qᵀ that is
 * accumulated, Mᵀ ← Mᵀ − ((Mᵀ V) Tᵀ) Vᵀ: three matmuls per block, (4/3)d³ flops in all, and the big operand Mᵀ is always
 * the left factor. (tfjs-backend-wasm repacks its right factor on every call: M ← M − V (T (Vᵀ M)) spent more time
 * packing M than multiplying.) Q itself is then one transpose away.
 */
export async function formHouseholderProductOnDevice(
  tf: Tf,
  /** Factors drawn on the host, or (webgpu) the draw whose reflectors the device draws itself. */
  f: HouseholderFactors | HaarDraw,
  scale = 1,
  block = DEFAULT_BLOCK,
  transposed = false,
  /** Called between blocks (../bands): forming a wide Q takes seconds on a CPU backend. */
  pause: () => Promise<void> = () => Promise.resolve(),
): Promise<Tensor2D> {
  const d = f.d;
  const sign = drawnOnHost(f) ? f.sign : haarSigns(f);
  const blocks = await compactWYBlocks(tf, f, block, true);
  // The trailing matrix starts as scale·diag(sign) of the coordinates from the last block on (diagonal: its own transpose).
  const lastStart = blocks.length > 0 ? blocks[blocks.length - 1].start : 0;
  const tailSize = d - lastStart;
  const tail = new Float32Array(tailSize * tailSize);
  for (let i = 0; i < tailSize; i++) tail[i * tailSize + i] = scale * sign[lastStart + i];
  let qT: Tensor2D = tf.tensor2d(tail, [tailSize, tailSize]);
  try {
    for (let j = blocks.length - 1; j >= 0; j--) {
      const { start, vt, v, tT } = blocks[j];
      const size = d - start;
      const mT = qT;
      qT = tf.tidy(() => {
        let m = mT;
        if (start !== lastStart) {
          // M_in = scale·diag(sign[start..start+b)) ⊕ M_old, and so is its transpose
          const b = size - (m.shape[0] as number);
          const top = new Float32Array(b * size);
          for (let i = 0; i < b; i++) top[i * size + i] = scale * sign[start + i];
          m = tf.concat([tf.tensor2d(top, [b, size]), tf.pad(m, [[0, 0], [b, 0]])], 0) as Tensor2D;
        }
        return tf.sub(m, tf.matMul(tf.matMul(tf.matMul(m, v), tT!), vt)) as Tensor2D;
      });
      mT.dispose();
      if (j > 0) await pause();
    }
  } catch (e) {
    qT.dispose();
    throw e;
  } finally {
    for (const b of blocks) for (const x of [b.vt, b.v, b.t, b.tT]) x?.dispose();
  }
  if (transposed) return qT;
  const q = transpose2d(tf, qT);
  qT.dispose();
  return q;
}

function transposeSquare(a: Float32Array, n: number): Float32Array {
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[j * n + i] = a[i * n + j];
  return out;
}

/** Vᵀ of the reflectors start..start+count−1 in the coordinates start..d−1 (count×size, row-major; v_i fills row i from column i). */
function reflectorRows(f: HouseholderFactors, start: number, count: number): Float32Array {
  const size = f.d - start;
  const vt = new Float32Array(count * size);
  for (let i = 0; i < count; i++) vt.set(f.vectors[start + i], i * size + i);
  return vt;
}

/**
 * T (count×count, upper triangular) with H_start ⋯ H_{start+count−1} = I − V T Vᵀ, from the Gram VᵀV: T_ii = 2 and
 * T[0:i, i] = −2 · T[0:i, 0:i] · (VᵀV)[0:i, i] (LAPACK's larft, with τ = 2 for unit reflectors).
 */
function compactWYFactor(gram: ArrayLike<number>, count: number): Float32Array {
  const t = new Float64Array(count * count);
  for (let i = 0; i < count; i++) {
    for (let row = 0; row < i; row++) {
      let s = 0;
      for (let p = row; p < i; p++) s += t[row * count + p] * gram[p * count + i];
      t[row * count + i] = -2 * s;
    }
    t[i * count + i] = 2;
  }
  return Float32Array.from(t);
}
