// A 2-D transpose for the wasm backend, written on its heap. tfjs-backend-wasm's own Transpose walks the output with
// strided reads and is slow exactly where the pass needs it: a d×n → n×d transpose for every Gram (151 against 57 µs at
// 512×64 on this machine) and the d×d transpose that turns Wᵀ into W (1.1 against 0.46 ms at 512). Other backends keep
// tf.transpose.
import type { Tensor2D } from '@tensorflow/tfjs';
import type { Tf } from '../../backend';
import { onBundledWasm, registerHeapKernel } from './heap';

const KERNEL = 'DepthLensTranspose2D';
/** Square tiles small enough that a tile's source rows and destination rows stay in L1. */
const TILE = 32;

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

/** From this size on the heap kernel beats tfjs's Transpose (at 128×32 they tie, and the heap kernel's JS loop loses in a pass). */
const HEAP_MIN_ELEMENTS = 16384;

/** xᵀ; on the bundled wasm backend through the heap kernel above when x is large enough. */
export function transpose2d(tf: Tf, x: Tensor2D): Tensor2D {
  if (x.dtype !== 'float32' || x.size < HEAP_MIN_ELEMENTS || !onBundledWasm(tf)) return tf.transpose(x);
  registerHeapKernel(KERNEL, ({ x: input }, _attrs, heap) => {
    const [rows, cols] = input.shape;
    const out = heap.out([cols, rows]);
    transposeInto(heap.view(input), heap.view(out), rows, cols);
    return out;
  });
  return tf.engine().runKernel(KERNEL, { x }, {}) as Tensor2D;
}
