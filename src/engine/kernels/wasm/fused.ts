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
  registerHeapKernel(NORM_FORWARD, ({ x }, attrs, heap) => normForwardKernel(x, attrs as unknown as NormShape & { eps: number }, heap));
  registerHeapKernel(NORM_BACKWARD, (inputs, attrs, heap) => normBackwardKernel(inputs, attrs as unknown as NormShape, heap));
  registerHeapKernel(RESCALE, ({ g }, attrs, heap) => rescaleKernel(g, attrs.tiny as number, heap));
}

// Tensors are row-major r×c on the heap.

/** Index arithmetic for "group k, member m" of a norm: axis 1 groups are rows, axis 0 groups are columns. */
function layout(shape: number[], axis: 0 | 1): { groups: number; size: number; groupStride: number; memberStride: number } {
  const [r, c] = shape;
  return axis === 1 ? { groups: r, size: c, groupStride: c, memberStride: 1 } : { groups: c, size: r, groupStride: 1, memberStride: c };
}

function normForwardKernel(x: TensorInfo, { axis, center, eps }: NormShape & { eps: number }, heap: WasmHeap): TensorInfo[] {
  const { groups, size, groupStride, memberStride } = layout(x.shape, axis);
  const y = heap.out(x.shape);
  const inv = heap.out(axis === 1 ? [groups, 1] : [1, groups]);
  const xs = heap.view(x);
  const ys = heap.view(y);
  const invs = heap.view(inv);
  for (let k = 0; k < groups; k++) {
    const base = k * groupStride;
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

function normBackwardKernel({ g, y, inv }: Record<string, TensorInfo>, { axis, center }: NormShape, heap: WasmHeap): TensorInfo {
  const { groups, size, groupStride, memberStride } = layout(g.shape, axis);
  const dx = heap.out(g.shape);
  const gs = heap.view(g);
  const ys = heap.view(y);
  const invs = heap.view(inv);
  const out = heap.view(dx);
  for (let k = 0; k < groups; k++) {
    const base = k * groupStride;
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

function rescaleKernel(g: TensorInfo, tiny: number, heap: WasmHeap): TensorInfo[] {
  const scaled = heap.out(g.shape);
  const logScale = heap.out([]);
  const gs = heap.view(g);
  const out = heap.view(scaled);
  let max = 0;
  for (let i = 0; i < gs.length; i++) {
    const a = Math.abs(gs[i]);
    if (a > max || a !== a) max = a;
    if (max !== max) break;
  }
  const k = 1 / Math.max(max, tiny);
  for (let i = 0; i < gs.length; i++) out[i] = gs[i] * k;
  heap.view(logScale)[0] = Math.log(max);
  return [scaled, logScale];
}
