// The pass's per-layer elementwise and reduction steps, backend-neutral: normalization forward and backward, the backward
// signal's rescale, and the activation forward and backward (Grams: ./bands). Each step runs as one fused kernel where the backend
// has one (kernels/wasm for small tensors on the bundled wasm backend, kernels/webgpu on webgpu, where every tfjs op costs
// a dispatch and a JS-number operand a buffer upload), and as composite tfjs ops elsewhere; the composite ops are also the
// reference the fused kernels are tested against.
import type { Scalar, Tensor2D } from '@tensorflow/tfjs';
import type { Activation } from '../spec/types';
import { activate, derivative } from './activations';
import type { Tf } from './backend';
import { FUSED_MAX_ELEMENTS, registerWasmKernels } from './kernels/wasm/fused';
import { onBundledWasm } from './kernels/wasm/heap';
import { ACTIVATION_BACKWARD, ACTIVATION_FORWARD, NORM_BACKWARD, NORM_FORWARD, RESCALE, registerWebGpuKernels } from './kernels/webgpu';
import type { NormShape } from './kernels/webgpu/names';

export { FUSED_MAX_ELEMENTS } from './kernels/wasm/fused';
export type { NormShape } from './kernels/webgpu/names';

/** Which fused kernels serve this tensor: 'webgpu', 'wasm' (small tensors only), or none. */
function fusedOn(tf: Tf, x: Tensor2D): 'wasm' | 'webgpu' | null {
  if (onBundledWasm(tf)) {
    if (x.size > FUSED_MAX_ELEMENTS) return null;
    registerWasmKernels();
    return 'wasm';
  }
  if (onBundledWebGpu(tf)) {
    registerWebGpuKernels();
    return 'webgpu';
  }
  return null;
}

function onBundledWebGpu(tf: Tf): boolean {
  return tf.getBackend() === 'webgpu';
}

/** y = (x − mean)·inv with inv = 1/√(mean((x − mean)²) + eps) along the norm's axis (no mean when not centred). */
export function normForward(tf: Tf, x: Tensor2D, norm: NormShape, eps: number): [Tensor2D, Tensor2D] {
  if (!fusedOn(tf, x)) {
    return tf.tidy(() => {
      const c = norm.center ? tf.sub(x, tf.mean(x, norm.axis, true)) : x;
      const meanSquare = tf.mean(tf.square(c), norm.axis, true);
      const inv = tf.rsqrt(eps === 0 ? meanSquare : tf.add(meanSquare, eps));
      return [tf.mul(c, inv) as Tensor2D, inv as Tensor2D];
    });
  }
  return tf.engine().runKernel(NORM_FORWARD, { x }, { axis: norm.axis, center: norm.center, eps }) as unknown as [Tensor2D, Tensor2D];
}

/** ∂loss/∂x from g = ∂loss/∂y: inv·(g − y·mean(g·y)), minus its mean when centred. */
export function normBackward(tf: Tf, g: Tensor2D, y: Tensor2D, inv: Tensor2D, norm: NormShape): Tensor2D {
  if (!fusedOn(tf, g)) {
    return tf.tidy(() => {
      const dc = tf.mul(inv, tf.sub(g, tf.mul(y, tf.mean(tf.mul(g, y), norm.axis, true))));
      return (norm.center ? tf.sub(dc, tf.mean(dc, norm.axis, true)) : dc) as Tensor2D;
    });
  }
  return tf.engine().runKernel(NORM_BACKWARD, { g, y, inv }, { axis: norm.axis, center: norm.center }) as Tensor2D;
}

/**
 * g / max|g| and ln max|g|. An all-zero g is divided by `tiny` instead (it stays zero, and logs −∞); NaN or ±∞ in g give a
 * NaN or +∞ log scale, which the pass reports as a non-finite backward pass.
 */
export function rescaleByMaxAbs(tf: Tf, g: Tensor2D, tiny: number): [Tensor2D, Scalar] {
  if (!fusedOn(tf, g)) {
    return tf.tidy(() => {
      const m = tf.max(tf.abs(g));
      // The reciprocal is taken on the scalar: a d×n multiply is cheaper than a d×n divide.
      return [tf.mul(g, tf.reciprocal(tf.maximum(m, tiny))) as Tensor2D, tf.log(m) as Scalar];
    });
  }
  return tf.engine().runKernel(RESCALE, { g }, { tiny }) as unknown as [Tensor2D, Scalar];
}

/** σ(gain·u). */
export function activationForward(tf: Tf, u: Tensor2D, fn: Activation, gain: number, slope: number): Tensor2D {
  if (fusedOn(tf, u) === 'webgpu') return tf.engine().runKernel(ACTIVATION_FORWARD, { x: u }, { fn, gain, slope }) as Tensor2D;
  return tf.tidy(() => activate(tf, fn, gain === 1 ? u : tf.mul(u, gain), slope)) as Tensor2D;
}

/** ∂loss/∂u = g·gain·σ′(gain·u). */
export function activationBackward(tf: Tf, g: Tensor2D, u: Tensor2D, fn: Activation, gain: number, slope: number): Tensor2D {
  if (fusedOn(tf, g) === 'webgpu') return tf.engine().runKernel(ACTIVATION_BACKWARD, { g, x: u }, { fn, gain, slope }) as Tensor2D;
  return tf.tidy(() => {
    if (fn === 'identity') return gain === 1 ? g.clone() : tf.mul(g, gain);
    const d = derivative(tf, fn, gain === 1 ? u : tf.mul(u, gain), slope);
    return tf.mul(g, gain === 1 ? d : tf.mul(d, gain));
  }) as Tensor2D;
}
