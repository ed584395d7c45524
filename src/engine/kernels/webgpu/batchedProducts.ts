// A fact about tfjs-backend-webgpu 4.22's batched matMul that the batched pass (../../pass) must work around: its shaders
// read the right operand B without a bounds check on the inner dimension (mm_readB), relying on A's zero padding. In a
// batch of products, the rows read past batch b's B are batch b+1's: finite values there are multiplied by zero and change
// nothing, but NaN or ±Inf in batch b+1 turns batch b's product into NaN (0·NaN). Measured on SwiftShader at 8×8×6 and
// 8×8×64 ([3, …] batches, NaN in batch 1: batches 0 and 1 NaN, batch 2 clean).
import type { Tf } from '../../backend';

/** Whether a non-finite seed of a batched pass on this backend can make the seed before it non-finite too. */
export function batchedProductsLeakNonFinite(tf: Tf): boolean {
  return tf.getBackend() === 'webgpu';
}
