// The pass's normalization forward/backward and rescale as one JS loop each on the bundled wasm backend's heap (float64
// accumulators, float32 storage), registered as tfjs kernels for 'wasm' under the names ../webgpu/names shares. tfjs
// spends ~3 µs dispatching every kernel: on a 128×32 layer the 4 + 5 + 6 kernels of these steps cost more than their
// arithmetic. Past FUSED_MAX_ELEMENTS wasm's SIMD kernels win (a 512×64 normalization: 28 µs as four kernels, 75 µs as a
// JS loop), so ../../ops only sends small tensors here.
import type { TensorInfo } from '@tensorflow/tfjs';
import { NORM_BACKWARD, NORM_FORWARD, RESCALE, type NormShape } from '../webgpu/names';
import { registerHeapKernel, type WasmHeap } from './heap';

export const FUSED_MAX_ELEMENTS = 8192;

/** Registers the three kernels for the wasm backend; later calls do nothing. */
export function registerWasmKernels(): void {
  registerHeapKernel(NORM_FORWARD, ({ x }, attrs, heap) => normForwardKernel(x, attrs as unknown as NormShape & { eps: number; seeds?: number }, heap));
  registerHeapKernel(NORM_BACKWARD, (inputs, attrs, heap) => normBackwardKernel(inputs, attrs as unknown as NormShape & { seeds?: number }, heap));
  registerHeapKernel(RESCALE, ({ g }, attrs, heap) => rescaleKernel(g, attrs.tiny as number, seedsOf(attrs, g.shape[0] ?? 1), heap));
}

// Tensors are row-major r×c on the heap. `seeds` (default 1) stacked representations of r/seeds rows each share one tensor
// (../../seedBatch): rows and elementwise steps do not mind, a layer norm's columns and the rescale's maximum are per seed.

interface Layout {
  groups: number;
  size: number;
  memberStride: number;
  /** First element of group k. */
  base(k: number): number;
}

/** Index arithmetic for "group k, member m" of a norm: axis 1 groups are rows, axis 0 groups are each seed's columns. */
function layout(shape: number[], axis: 0 | 1, seeds: number): Layout {
  const [r, c] = shape;
  if (axis === 1) return { groups: r, size: c, memberStride: 1, base: (k) => k * c };
  const rows = r / seeds;
  return { groups: seeds * c, size: rows, memberStride: c, base: (k) => Math.floor(k / c) * rows * c + (k % c) };
}

function seedsOf(attrs: { seeds?: unknown }, rows: number): number {
  const seeds = attrs.seeds ?? 1;
  if (typeof seeds !== 'number' || !Number.isInteger(seeds) || seeds < 1 || rows % seeds !== 0) throw new Error(`DepthLens fused kernel: ${String(seeds)} seeds do not divide ${rows} rows`);
  return seeds;
}

function normForwardKernel(x: TensorInfo, attrs: NormShape & { eps: number; seeds?: number }, heap: WasmHeap): TensorInfo[] {
  const { axis, center, eps } = attrs;
  const seeds = seedsOf(attrs, x.shape[0]);
  const { groups, size, base: baseOf, memberStride } = layout(x.shape, axis, seeds);
  const y = heap.out(x.shape);
  const inv = heap.out(axis === 1 ? [groups, 1] : [seeds, groups / seeds]);
  const xs = heap.view(x);
  const ys = heap.view(y);
  const invs = heap.view(inv);
  for (let k = 0; k < groups; k++) {
    const base = baseOf(k);
    let mean = 0;
    if (center) {
      for (let m = 0; m < size; m++) mean += xs[base + m * memberStride];
      mean /= size;
    }
    let ss = 0;
    for (let m = 0; m < size; m++) {
      const v = xs[base + m * memberStride] - mean;
      ss += v * v;
    }
    const s = 1 / Math.sqrt(ss / size + eps);
    invs[k] = s;
    for (let m = 0; m < size; m++) {
      const i = base + m * memberStride;
      ys[i] = (xs[i] - mean) * s;
    }
  }
  return [y, inv];
}

function normBackwardKernel({ g, y, inv }: Record<string, TensorInfo>, attrs: NormShape & { seeds?: number }, heap: WasmHeap): TensorInfo {
  const { axis, center } = attrs;
  const { groups, size, base: baseOf, memberStride } = layout(g.shape, axis, seedsOf(attrs, g.shape[0]));
  const dx = heap.out(g.shape);
  const gs = heap.view(g);
  const ys = heap.view(y);
  const invs = heap.view(inv);
  const out = heap.view(dx);
  for (let k = 0; k < groups; k++) {
    const base = baseOf(k);
    let gy = 0;
    for (let m = 0; m < size; m++) {
      const i = base + m * memberStride;
      gy += gs[i] * ys[i];
    }
    gy /= size;
    const s = invs[k];
    let mean = 0;
    for (let m = 0; m < size; m++) {
      const i = base + m * memberStride;
      const v = s * (gs[i] - ys[i] * gy);
      out[i] = v;
      mean += v;
    }
    if (center) {
      mean /= size;
      for (let m = 0; m < size; m++) out[base + m * memberStride] -= mean;
    }
  }
  return dx;
}

/** Per seed: g / max|g| and ln max|g| (a scalar for one seed, one per seed otherwise). */
function rescaleKernel(g: TensorInfo, tiny: number, seeds: number, heap: WasmHeap): TensorInfo[] {
  const scaled = heap.out(g.shape);
  const logScale = heap.out(seeds === 1 ? [] : [seeds]);
  const gs = heap.view(g);
  const out = heap.view(scaled);
  const logs = heap.view(logScale);
  const block = gs.length / seeds;
  for (let s = 0; s < seeds; s++) {
    const start = s * block;
    const end = start + block;
    let max = 0;
    for (let i = start; i < end; i++) {
      const a = Math.abs(gs[i]);
      if (a > max || a !== a) max = a;
      if (max !== max) break;
    }
    const k = 1 / Math.max(max, tiny);
    for (let i = start; i < end; i++) out[i] = gs[i] * k;
    logs[s] = Math.log(max);
  }
  return [scaled, logScale];
}
