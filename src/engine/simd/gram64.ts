// The float64 Gram of the isometry gap (../isometry) on WebAssembly SIMD (./gram64.wat): 3.7–3.9× the JavaScript loop
// at n = d = 64–256, with bit-identical results. One instance per thread, its memory holding the rows and the Gram; where
// WebAssembly SIMD is missing, or the memory cannot grow, its JavaScript twin (lowerGramScalar) fills the caller's arrays.
import { GRAM64_WASM_BASE64 } from './gram64Binary';

interface Gram64Exports {
  lowerGram(y: number, n2: number, d: number, g: number, n: number): void;
}

/** Past this many float64 entries (rows + Gram, 64 MiB) the caller's own arrays are used: wasm memory never shrinks. */
export const GRAM64_MAX_ENTRIES = 2 ** 23;
const PAGE_BYTES = 65536;

let instance: { memory: WebAssembly.Memory; exports: Gram64Exports } | null | undefined;

function load(): typeof instance {
  if (instance !== undefined) return instance;
  try {
    const bytes = Uint8Array.from(atob(GRAM64_WASM_BASE64), (c) => c.charCodeAt(0));
    const memory = new WebAssembly.Memory({ initial: 1 });
    const module = new WebAssembly.Module(bytes);
    instance = { memory, exports: new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Gram64Exports };
  } catch {
    instance = null; // no WebAssembly SIMD here
  }
  return instance;
}

/** n float64 rows of length d and their n×n Gram, and what fills the Gram's lower triangle (the upper one is not written). */
export interface GramWorkspace {
  rows: Float64Array;
  gram: Float64Array;
  fill(): void;
  /** In wasm memory, filled by the SIMD kernel; else arrays from `fallback`, filled by lowerGramScalar. */
  simd: boolean;
}

/**
 * The work arrays of one Gram. In wasm memory when SIMD is there and the size is at most GRAM64_MAX_ENTRIES: the views
 * are then valid until the next call (growing the memory detaches earlier ones). Otherwise `fallback(slot, entries)`
 * gives the arrays.
 */
export function gramWorkspace(n: number, d: number, fallback: (slot: 'rows' | 'gram', entries: number) => Float64Array): GramWorkspace {
  const buffer = wasmBuffer(n * d + n * n);
  if (!buffer || !instance) {
    const rows = fallback('rows', n * d);
    const gram = fallback('gram', n * n);
    return { rows, gram, fill: () => lowerGramScalar(rows, n, d, gram), simd: false };
  }
  const gramAt = n * d * 8;
  const rows = new Float64Array(buffer, 0, n * d);
  const gram = new Float64Array(buffer, gramAt, n * n);
  const kernel = instance.exports;
  const fill = (): void => {
    kernel.lowerGram(0, n - (n % 2), d, gramAt, n);
    if (n % 2 === 1) lastRowGram(rows, n, d, gram);
  };
  return { rows, gram, fill, simd: true };
}

/** The wasm memory, grown to `entries` float64 values; null without SIMD, past GRAM64_MAX_ENTRIES, or when it cannot grow. */
function wasmBuffer(entries: number): ArrayBuffer | null {
  if (entries > GRAM64_MAX_ENTRIES) return null;
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
