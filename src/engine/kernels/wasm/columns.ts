// A band of columns of a 2-D tensor for the wasm backend, copied on its heap: tfjs-backend-wasm's Slice reads the whole
// input back into JS for every non-contiguous slice (16 MB per band of a 4096×1024 activation), which made banded products
// (../../bands) slower than the products themselves. Other backends keep tf.slice.
import type { Tensor2D } from '@tensorflow/tfjs';
import type { Tf } from '../../backend';
import { onBundledWasm, registerHeapKernel } from './heap';

const KERNEL = 'DepthLensColumnBand';

/** x[:, start .. start+count) as a rows×count tensor. */
export function columnBand(tf: Tf, x: Tensor2D, start: number, count: number): Tensor2D {
  const [rows, cols] = x.shape;
  if (x.dtype !== 'float32' || !onBundledWasm(tf)) return tf.slice(x, [0, start], [rows, count]);
  registerHeapKernel(KERNEL, ({ x: input }, attrs, heap) => {
    const [r, c] = input.shape;
    const first = attrs.start as number;
    const n = attrs.count as number;
    const out = heap.out([r, n]);
    const src = heap.view(input);
    const dst = heap.view(out);
    for (let i = 0; i < r; i++) dst.set(src.subarray(i * c + first, i * c + first + n), i * n);
    return out;
  });
  if (start < 0 || count < 1 || start + count > cols) throw new RangeError(`columns ${start}..${start + count} of a ${rows}×${cols} tensor`);
  return tf.engine().runKernel(KERNEL, { x }, { start, count }) as Tensor2D;
}
