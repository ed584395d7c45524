// Custom kernels that work on the bundled wasm backend's heap directly (tfjs-backend-wasm's own JS kernels do the same):
// the output is allocated by the backend and every tensor is viewed as a Float32Array over wasm memory.
import * as tfjs from '@tensorflow/tfjs';
import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import type { Tf } from '../../backend';

export interface WasmHeap {
  out(shape: number[]): TensorInfo;
  view(t: TensorInfo): Float32Array;
}

interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
}

/** True when `tf` computes on the bundled tfjs's wasm backend (a native package brings its own tfjs-core). */
export function onBundledWasm(tf: Tf): boolean {
  return tf.engine() === tfjs.engine() && tf.getBackend() === 'wasm';
}

const registered = new Set<string>();

/** Registers `kernel` for the wasm backend under `name`, once per process. */
export function registerHeapKernel(
  name: string,
  kernel: (inputs: Record<string, TensorInfo>, attrs: NamedAttrMap, heap: WasmHeap) => TensorInfo | TensorInfo[],
): void {
  if (registered.has(name)) return;
  registered.add(name);
  tfjs.registerKernel({
    kernelName: name,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const b = backend as unknown as WasmHeapBackend;
      const heap: WasmHeap = { out: (shape) => b.makeOutput(shape, 'float32'), view: (t) => b.typedArrayFromHeap(t) };
      return kernel(inputs as Record<string, TensorInfo>, attrs ?? {}, heap);
    },
  });
}
