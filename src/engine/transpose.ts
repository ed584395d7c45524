// A 2-D transpose for the wasm backend, written on its heap. tfjs-backend-wasm's own Transpose walks the output with
// strided reads and is slow exactly where the pass needs it: a d×n → n×d transpose for every Gram (151 against 57 µs at
// 512×64 on this machine) and the d×d transpose that turns Wᵀ into W (1.1 against 0.46 ms at 512). Other backends keep
// tf.transpose.
import * as tfjs from '@tensorflow/tfjs';
import type { Tensor2D, TensorInfo } from '@tensorflow/tfjs';
import type { Tf } from './backend';

const KERNEL = 'DepthLensTranspose2D';
/** Square tiles small enough that a tile's source rows and destination rows stay in L1. */
const TILE = 32;

interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
}

let registered = false;

function register(): void {
  if (registered) return;
  registered = true;
  tfjs.registerKernel({
    kernelName: KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const x = inputs.x as TensorInfo;
      const heap = backend as unknown as WasmHeapBackend;
      const [rows, cols] = x.shape;
      const out = heap.makeOutput([cols, rows], 'float32');
      transposeInto(heap.typedArrayFromHeap(x), heap.typedArrayFromHeap(out), rows, cols);
      return out;
    },
  });
}

/** out (cols×rows) = aᵀ for a row-major rows×cols a, tile by tile. */
export function transposeInto(a: Float32Array, out: Float32Array, rows: number, cols: number): void {
  for (let i0 = 0; i0 < rows; i0 += TILE) {
    const i1 = Math.min(rows, i0 + TILE);
    for (let j0 = 0; j0 < cols; j0 += TILE) {
      const j1 = Math.min(cols, j0 + TILE);
      for (let j = j0; j < j1; j++) {
        const dst = j * rows;
        for (let i = i0; i < i1; i++) out[dst + i] = a[i * cols + j];
      }
    }
  }
}

/** xᵀ; on the bundled wasm backend through the heap kernel above. */
export function transpose2d(tf: Tf, x: Tensor2D): Tensor2D {
  if (tf.engine() === tfjs.engine() && x.dtype === 'float32' && tf.getBackend() === 'wasm') {
    register();
    return tf.engine().runKernel(KERNEL, { x }, {}) as Tensor2D;
  }
  return tf.transpose(x);
}
