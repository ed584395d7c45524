// The host's float64 reductions behind the isometry gap (../isometry) on WebAssembly SIMD (./linalg64.wat): the Gram of a
// representation (3.7–3.9× the JavaScript loop at n = d = 64–256) and the columns of its pivoted Cholesky factor, with
// results bit-identical to their JavaScript twins here. One instance per thread, its memory holding the work arrays; where
// WebAssembly SIMD is missing, or the memory cannot grow, the twins run on the caller's arrays.
import { LINALG64_WASM_BASE64 } from './linalg64Binary';

interface Linalg64Exports {
  lowerGram(y: number, n2: number, d: number, g: number, n: number): void;
  factorColumn(l: number, n: number, k: number, c: number, inv: number): void;
}

/** Past this many float64 entries (64 MiB) the caller's own arrays are used: wasm memory never shrinks. */
export const LINALG64_MAX_ENTRIES = 2 ** 23;
const PAGE_BYTES = 65536;

let instance: { memory: WebAssembly.Memory; exports: Linalg64Exports } | null | undefined;

function load(): typeof instance {
  if (instance !== undefined) return instance;
  try {
    const bytes = Uint8Array.from(atob(LINALG64_WASM_BASE64), (c) => c.charCodeAt(0));
    const memory = new WebAssembly.Memory({ initial: 1 });
    const module = new WebAssembly.Module(bytes);
    instance = { memory, exports: new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Linalg64Exports };
  } catch {
    instance = null; // no WebAssembly SIMD here
  }
  return instance;
}

export type WorkSlot = 'rows' | 'gram' | 'factor' | 'column';

/**
 * The work arrays of one isometry gap: n float64 rows of length d (d = 0 when the Gram comes from elsewhere), their n×n
 * Gram, the n×n Cholesky factor L and an n-vector, with the two steps that fill them.
 */
export interface Workspace {
  rows: Float64Array;
  gram: Float64Array;
  factor: Float64Array;
  column: Float64Array;
  /** The Gram's lower triangle from the rows (the upper one is not written). */
  fillGram(): void;
  /** factor[i, k] = (column[i] − Σ_{t<k} factor[i, t]·factor[k, t])·inv for i = k+1 … n−1 (factorColumnScalar). */
  factorColumn(k: number, inv: number): void;
  /** In wasm memory, computed by the SIMD kernels; else arrays from `fallback`, computed by the JavaScript twins. */
  simd: boolean;
}

/**
 * The work arrays in wasm memory when SIMD is there and they fit in LINALG64_MAX_ENTRIES: the views are then valid until
 * the next call (growing the memory detaches earlier ones), so a caller takes one workspace per reduction. Otherwise
 * `fallback(slot, entries)` gives the arrays.
 */
export function workspace(n: number, d: number, fallback: (slot: WorkSlot, entries: number) => Float64Array): Workspace {
  const sizes: Record<WorkSlot, number> = { rows: n * d, gram: n * n, factor: n * n, column: n };
  const buffer = wasmBuffer(sizes.rows + sizes.gram + sizes.factor + sizes.column);
  if (!buffer || !instance) {
    const [rows, gram, factor, column] = (['rows', 'gram', 'factor', 'column'] as const).map((slot) => fallback(slot, sizes[slot])) as [Float64Array, Float64Array, Float64Array, Float64Array];
    return {
      rows,
      gram,
      factor,
      column,
      fillGram: () => lowerGramScalar(rows, n, d, gram),
      factorColumn: (k, inv) => factorColumnScalar(factor, n, k, column, inv),
      simd: false,
    };
  }
  const gramAt = sizes.rows * 8;
  const factorAt = gramAt + sizes.gram * 8;
  const columnAt = factorAt + sizes.factor * 8;
  const rows = new Float64Array(buffer, 0, sizes.rows);
  const gram = new Float64Array(buffer, gramAt, sizes.gram);
  const kernels = instance.exports;
  return {
    rows,
    gram,
    factor: new Float64Array(buffer, factorAt, sizes.factor),
    column: new Float64Array(buffer, columnAt, sizes.column),
    fillGram: () => {
      kernels.lowerGram(0, n - (n % 2), d, gramAt, n);
      if (n % 2 === 1) lastRowGram(rows, n, d, gram);
    },
    factorColumn: (k, inv) => kernels.factorColumn(factorAt, n, k, columnAt, inv),
    simd: true,
  };
}

/** The wasm memory, grown to `entries` float64 values; null without SIMD, past LINALG64_MAX_ENTRIES, or when it cannot grow. */
function wasmBuffer(entries: number): ArrayBuffer | null {
  if (entries > LINALG64_MAX_ENTRIES) return null;
  const wasm = load();
  if (!wasm) return null;
  const have = wasm.memory.buffer.byteLength;
  if (entries * 8 > have) {
    try {
      wasm.memory.grow(Math.ceil((entries * 8 - have) / PAGE_BYTES));
    } catch {
      return null;
    }
  }
  return wasm.memory.buffer;
}

/**
 * The lower triangle of G = YYᵀ (n×n, row-major) of n contiguous float64 rows of length d in JavaScript, two rows against
 * two per pass over k (four products per four loads): the SIMD kernel's twin, summing in the same order.
 */
export function lowerGramScalar(y: Float64Array, n: number, d: number, g: Float64Array): void {
  const n2 = n - (n % 2);
  const d2 = d - (d % 2);
  for (let a = 0; a < n2; a += 2) {
    const pa = a * d;
    const pa1 = pa + d;
    for (let b = 0; b <= a; b += 2) {
      const pb = b * d;
      const pb1 = pb + d;
      // Two interleaved sets of sums (even and odd k) shorten the dependency chains.
      let s00 = 0, s01 = 0, s10 = 0, s11 = 0, t00 = 0, t01 = 0, t10 = 0, t11 = 0; // prettier-ignore
      let k = 0;
      for (; k < d2; k += 2) {
        const x0 = y[pa + k], x1 = y[pa1 + k], y0 = y[pb + k], y1 = y[pb1 + k]; // prettier-ignore
        s00 += x0 * y0;
        s01 += x0 * y1;
        s10 += x1 * y0;
        s11 += x1 * y1;
        const u0 = y[pa + k + 1], u1 = y[pa1 + k + 1], v0 = y[pb + k + 1], v1 = y[pb1 + k + 1]; // prettier-ignore
        t00 += u0 * v0;
        t01 += u0 * v1;
        t10 += u1 * v0;
        t11 += u1 * v1;
      }
      if (k < d) {
        const x0 = y[pa + k], x1 = y[pa1 + k], y0 = y[pb + k], y1 = y[pb1 + k]; // prettier-ignore
        s00 += x0 * y0;
        s01 += x0 * y1;
        s10 += x1 * y0;
        s11 += x1 * y1;
      }
      g[a * n + b] = s00 + t00;
      if (b < a) g[a * n + b + 1] = s01 + t01;
      g[(a + 1) * n + b] = s10 + t10;
      g[(a + 1) * n + b + 1] = s11 + t11;
    }
  }
  if (n2 < n) lastRowGram(y, n, d, g);
}

/** Row n − 1 of the lower triangle, for an odd n. */
function lastRowGram(y: Float64Array, n: number, d: number, g: Float64Array): void {
  const last = n - 1;
  const pa = last * d;
  for (let b = 0; b <= last; b++) {
    const pb = b * d;
    let s = 0;
    for (let k = 0; k < d; k++) s += y[pa + k] * y[pb + k];
    g[last * n + b] = s;
  }
}

/**
 * The Cholesky column step in JavaScript (the SIMD kernel's twin): four partial sums by t mod 4, the last k mod 4 terms
 * into the first, added as (s0 + s1) + (s2 + s3).
 */
export function factorColumnScalar(l: Float64Array, n: number, k: number, c: Float64Array, inv: number): void {
  const rk = k * n;
  const k4 = k - (k % 4);
  for (let i = k + 1; i < n; i++) {
    const ri = i * n;
    let s0 = c[i];
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let t = 0;
    for (; t < k4; t += 4) {
      s0 -= l[ri + t] * l[rk + t];
      s1 -= l[ri + t + 1] * l[rk + t + 1];
      s2 -= l[ri + t + 2] * l[rk + t + 2];
      s3 -= l[ri + t + 3] * l[rk + t + 3];
    }
    for (; t < k; t++) s0 -= l[ri + t] * l[rk + t];
    l[ri + k] = (s0 + s1 + (s2 + s3)) * inv;
  }
}
