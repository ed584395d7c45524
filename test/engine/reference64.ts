// An independent float64 reference of the diagnostic forward/backward pass, in plain JS, for small networks.
// Deliberately written differently from the engine: explicit ∂loss/∂W = dZ·Xᵀ, normalization backward through the
// explicit per-row Jacobian, no rescaling (float64 reaches e^709), eigenvalues by cyclic Jacobi for the isometry gap.
import type { Activation, LossKind } from '../../src/spec/types';
import { denseWeight, type HostNetwork, type HostOp } from '../../src/engine/network';

/** A d×n matrix, row-major. */
export interface Mat {
  rows: number;
  cols: number;
  a: Float64Array;
}

export function mat(rows: number, cols: number, a?: Float64Array): Mat {
  return { rows, cols, a: a ?? new Float64Array(rows * cols) };
}

export function matmul(x: Mat, y: Mat): Mat {
  if (x.cols !== y.rows) throw new Error('matmul shape');
  const out = mat(x.rows, y.cols);
  for (let i = 0; i < x.rows; i++)
    for (let k = 0; k < x.cols; k++) {
      const v = x.a[i * x.cols + k];
      for (let j = 0; j < y.cols; j++) out.a[i * y.cols + j] += v * y.a[k * y.cols + j];
    }
  return out;
}

export function transpose(x: Mat): Mat {
  const out = mat(x.cols, x.rows);
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < x.cols; j++) out.a[j * x.rows + i] = x.a[i * x.cols + j];
  return out;
}

function sigma(fn: Activation, u: number, slope: number): number {
  switch (fn) {
    case 'identity': return u;
    case 'tanh': return Math.tanh(u);
    case 'sin': return Math.sin(u);
    case 'relu': return u > 0 ? u : 0;
    case 'leaky-relu': return u > 0 ? u : slope * u;
    case 'sigmoid': return 1 / (1 + Math.exp(-u));
    case 'selu': return 1.0507009873554805 * (u > 0 ? u : 1.6732632423543772 * (Math.exp(u) - 1));
    case 'gelu': return 0.5 * u * (1 + erf(u / Math.SQRT2));
  }
}

function sigmaPrime(fn: Activation, u: number, slope: number): number {
  // Central difference in float64 is accurate to ~1e-10 for these smooth functions; kinks use the one-sided rule.
  if (fn === 'relu') return u > 0 ? 1 : 0;
  if (fn === 'leaky-relu') return u > 0 ? 1 : slope;
  if (fn === 'identity') return 1;
  const h = 1e-5;
  return (sigma(fn, u + h, slope) - sigma(fn, u - h, slope)) / (2 * h);
}

/** erf by its Maclaurin series: ample in float64 for the |x| ≲ 4 that small test networks produce; ±1 past 5.5. */
function erf(x: number): number {
  const s = Math.sign(x);
  const ax = Math.abs(x);
  if (ax > 5.5) return s;
  let term = ax;
  let sum = ax;
  for (let k = 1; k < 200; k++) {
    term *= (-ax * ax) / k;
    const add = term / (2 * k + 1);
    sum += add;
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
  }
  return (s * 2 * sum) / Math.sqrt(Math.PI);
}

interface NormCache { kind: 'norm'; op: HostOp & { kind: 'norm' }; input: Mat }
interface ActCache { kind: 'activation'; op: HostOp & { kind: 'activation' }; input: Mat }
interface DenseCache { kind: 'dense'; op: HostOp & { kind: 'dense' }; input: Mat }
interface ResCache { kind: 'residual'; op: HostOp & { kind: 'residual' }; body: Cache[] }
type Cache = NormCache | ActCache | DenseCache | ResCache;

export interface ReferenceResult {
  loss: number;
  /** ln ‖∂loss/∂W_ℓ‖_F per dense layer. */
  logGradNorm: number[];
  /** The representation after each top-level op (d×n). */
  outputs: Mat[];
}

/** Forward and backward in float64. `w` overrides weights (for finite differences). */
export function reference64(
  net: HostNetwork,
  xRows: Float64Array,
  n: number,
  labels: Int32Array,
  loss: LossKind,
  w: Float64Array[] = collectWeights(net),
): ReferenceResult {
  const x0 = transpose(mat(n, net.features, xRows));
  const outputs: Mat[] = [];
  const forward = (ops: HostOp[], x: Mat, caches: Cache[], top: boolean): Mat => {
    for (const op of ops) {
      switch (op.kind) {
        case 'dense':
          caches.push({ kind: 'dense', op, input: x });
          x = matmul(mat(op.fanOut, op.fanIn, w[op.index]), x);
          break;
        case 'norm':
          caches.push({ kind: 'norm', op, input: x });
          x = normForward(op, x);
          break;
        case 'activation': {
          caches.push({ kind: 'activation', op, input: x });
          const y = mat(x.rows, x.cols);
          for (let k = 0; k < y.a.length; k++) y.a[k] = sigma(op.fn, op.gain * x.a[k], op.slope);
          x = y;
          break;
        }
        case 'residual': {
          const body: Cache[] = [];
          const h = forward(op.body, x, body, false);
          const y = mat(x.rows, x.cols);
          for (let k = 0; k < y.a.length; k++) y.a[k] = x.a[k] + op.alpha * h.a[k];
          caches.push({ kind: 'residual', op, body });
          x = y;
          break;
        }
      }
      if (top) outputs.push(x);
    }
    return x;
  };
  const caches: Cache[] = [];
  const xL = forward(net.ops, x0, caches, true);
  const V = mat(net.classes, net.width, net.readout);
  const logits = matmul(V, xL);
  const C = net.classes;
  const dlogits = mat(C, n);
  let lossValue = 0;
  for (let j = 0; j < n; j++) {
    if (loss === 'cross-entropy') {
      let mx = -Infinity;
      for (let c = 0; c < C; c++) mx = Math.max(mx, logits.a[c * n + j]);
      let z = 0;
      for (let c = 0; c < C; c++) z += Math.exp(logits.a[c * n + j] - mx);
      lossValue += -(logits.a[labels[j] * n + j] - mx - Math.log(z)) / n;
      for (let c = 0; c < C; c++) dlogits.a[c * n + j] = (Math.exp(logits.a[c * n + j] - mx) / z - (c === labels[j] ? 1 : 0)) / n;
    } else {
      for (let c = 0; c < C; c++) {
        const diff = logits.a[c * n + j] - (c === labels[j] ? 1 : 0);
        lossValue += (diff * diff) / (n * C);
        dlogits.a[c * n + j] = (2 * diff) / (n * C);
      }
    }
  }
  const logGradNorm: number[] = new Array(net.depth).fill(NaN);
  const backward = (entries: Cache[], g: Mat): Mat => {
    for (let i = entries.length - 1; i >= 0; i--) {
      const e = entries[i];
      switch (e.kind) {
        case 'dense': {
          const dW = matmul(g, transpose(e.input));
          let s = 0;
          for (const v of dW.a) s += v * v;
          logGradNorm[e.op.index] = 0.5 * Math.log(s);
          g = matmul(transpose(mat(e.op.fanOut, e.op.fanIn, w[e.op.index])), g);
          break;
        }
        case 'norm':
          g = normBackward(e.op, e.input, g);
          break;
        case 'activation': {
          const out = mat(g.rows, g.cols);
          for (let k = 0; k < out.a.length; k++) out.a[k] = g.a[k] * e.op.gain * sigmaPrime(e.op.fn, e.op.gain * e.input.a[k], e.op.slope);
          g = out;
          break;
        }
        case 'residual': {
          const scaled = mat(g.rows, g.cols);
          for (let k = 0; k < g.a.length; k++) scaled.a[k] = e.op.alpha * g.a[k];
          const h = backward(e.body, scaled);
          const out = mat(g.rows, g.cols);
          for (let k = 0; k < g.a.length; k++) out.a[k] = g.a[k] + h.a[k];
          g = out;
          break;
        }
      }
    }
    return g;
  };
  backward(caches, matmul(transpose(V), dlogits));
  return { loss: lossValue, logGradNorm, outputs };
}

/** Every W_ℓ of the network, drawn the way the engine draws them. */
export function collectWeights(net: HostNetwork): Float64Array[] {
  const out: Float64Array[] = [];
  const walk = (ops: HostOp[]): void => {
    for (const op of ops) {
      if (op.kind === 'dense') out[op.index] = denseWeight(op, net.seed);
      if (op.kind === 'residual') walk(op.body);
    }
  };
  walk(net.ops);
  return out;
}

/** Groups of the normalized axis: rows of a d×n matrix for batchnorm (axis 1), columns for layernorm (axis 0). */
function groups(x: Mat, axis: 0 | 1): number[][] {
  const out: number[][] = [];
  if (axis === 1) for (let i = 0; i < x.rows; i++) out.push(Array.from({ length: x.cols }, (_, j) => i * x.cols + j));
  else for (let j = 0; j < x.cols; j++) out.push(Array.from({ length: x.rows }, (_, i) => i * x.cols + j));
  return out;
}

function normForward(op: HostOp & { kind: 'norm' }, x: Mat): Mat {
  const y = mat(x.rows, x.cols);
  for (const idx of groups(x, op.axis)) {
    const m = idx.length;
    const mu = op.center ? idx.reduce((s, k) => s + x.a[k], 0) / m : 0;
    const v = idx.reduce((s, k) => s + (x.a[k] - mu) ** 2, 0) / m;
    const sd = Math.sqrt(v + op.eps);
    for (const k of idx) y.a[k] = (x.a[k] - mu) / sd;
  }
  return y;
}

/** Backward through the explicit Jacobian ∂y_j/∂h_k = (δ_jk − c/m)/s − c_j c_k/(m s³), c = h − μ (μ = 0 uncentred). */
function normBackward(op: HostOp & { kind: 'norm' }, x: Mat, g: Mat): Mat {
  const out = mat(x.rows, x.cols);
  const cFlag = op.center ? 1 : 0;
  for (const idx of groups(x, op.axis)) {
    const m = idx.length;
    const mu = op.center ? idx.reduce((s, k) => s + x.a[k], 0) / m : 0;
    const c = idx.map((k) => x.a[k] - mu);
    const s = Math.sqrt(c.reduce((t, v) => t + v * v, 0) / m + op.eps);
    for (let kk = 0; kk < m; kk++) {
      let acc = 0;
      for (let jj = 0; jj < m; jj++) {
        const jac = ((jj === kk ? 1 : 0) - cFlag / m) / s - (c[jj] * c[kk]) / (m * s * s * s);
        acc += g.a[idx[jj]] * jac;
      }
      out.a[idx[kk]] = acc;
    }
  }
  return out;
}

/** Eigenvalues of a symmetric matrix by cyclic Jacobi rotations (float64). */
export function symmetricEigenvalues(a: Float64Array, n: number): number[] {
  const m = Float64Array.from(a);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p * n + q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (m[q * n + q] - m[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k * n + p];
          const mkq = m[k * n + q];
          m[k * n + p] = c * mkp - s * mkq;
          m[k * n + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p * n + k];
          const mqk = m[q * n + k];
          m[p * n + k] = c * mpk - s * mqk;
          m[q * n + k] = s * mpk + c * mqk;
        }
      }
  }
  return Array.from({ length: n }, (_, i) => m[i * n + i]).sort((x, y) => x - y);
}

/** φ from eigenvalues of XᵀX; `dropSmallest` removes the eigenvalue of the all-ones direction of a centred representation. */
export function referenceGap(x: Mat, dropSmallest: boolean): number {
  const g = matmul(transpose(x), x);
  let ev = symmetricEigenvalues(g.a, g.rows);
  if (dropSmallest) ev = ev.slice(1);
  const am = ev.reduce((s, v) => s + v, 0) / ev.length;
  const logGm = ev.reduce((s, v) => s + Math.log(v), 0) / ev.length;
  return Math.log(am) - logGm;
}
