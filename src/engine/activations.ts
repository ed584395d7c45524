// Activation functions σ and their derivatives σ′ on tensors, for the hand-written backward pass.
import type { Tensor } from '@tensorflow/tfjs';
import type { Activation } from '../spec/types';
import type { Tf } from './backends/types';

export const SELU_LAMBDA = 1.0507009873554805;
export const SELU_ALPHA = 1.6732632423543772;

/** σ(u). */
export function activate(tf: Tf, fn: Activation, u: Tensor, slope: number): Tensor {
  switch (fn) {
    case 'identity':
      return u.clone();
    case 'tanh':
      return tf.tanh(u);
    case 'sin':
      return tf.sin(u);
    case 'relu':
      return tf.relu(u);
    case 'leaky-relu':
      return tf.where(tf.greater(u, 0), u, tf.mul(u, slope));
    case 'gelu': // exact: u·Φ(u)
      return tf.mul(tf.mul(u, 0.5), tf.add(1, tf.erf(tf.mul(u, Math.SQRT1_2))));
    case 'selu':
      return tf.mul(SELU_LAMBDA, tf.where(tf.greater(u, 0), u, tf.mul(SELU_ALPHA, tf.sub(tf.exp(u), 1))));
    case 'sigmoid':
      return tf.sigmoid(u);
  }
}

/** σ′(u). */
export function derivative(tf: Tf, fn: Activation, u: Tensor, slope: number): Tensor {
  switch (fn) {
    case 'identity':
      return tf.onesLike(u);
    case 'tanh': {
      const t = tf.tanh(u);
      return tf.sub(1, tf.mul(t, t));
    }
    case 'sin':
      return tf.cos(u);
    case 'relu':
      return tf.cast(tf.greater(u, 0), 'float32');
    case 'leaky-relu':
      return tf.where(tf.greater(u, 0), tf.onesLike(u), tf.fill(u.shape, slope));
    case 'gelu': {
      // Φ(u) + u·φ(u)
      const cdf = tf.mul(0.5, tf.add(1, tf.erf(tf.mul(u, Math.SQRT1_2))));
      const pdf = tf.mul(1 / Math.sqrt(2 * Math.PI), tf.exp(tf.mul(-0.5, tf.mul(u, u))));
      return tf.add(cdf, tf.mul(u, pdf));
    }
    case 'selu':
      return tf.mul(SELU_LAMBDA, tf.where(tf.greater(u, 0), tf.onesLike(u), tf.mul(SELU_ALPHA, tf.exp(u))));
    case 'sigmoid': {
      const s = tf.sigmoid(u);
      return tf.mul(s, tf.sub(1, s));
    }
  }
}

/**
 * Per-unit "unhealthy" indicator used for the saturated/dead fraction: saturated tanh (|σ| > 0.99) or sigmoid (σ < 0.01 or
 * > 0.99) entries, averaged over the batch; dead ReLU-like units (output ≤ 0 for the whole batch, rows of the d×n output).
 * `out` stacks `seeds` representations as rows (./seedBatch). Returns the fraction of each seed ([seeds]), or null when the
 * activation cannot saturate or die.
 */
export function unhealthyFraction(tf: Tf, fn: Activation, out: Tensor, seeds = 1): Tensor | null {
  const perSeed = (indicator: Tensor): Tensor => tf.mean(tf.reshape(tf.cast(indicator, 'float32'), [seeds, -1]), 1);
  switch (fn) {
    case 'tanh':
      return perSeed(tf.greater(tf.abs(out), 0.99));
    case 'sigmoid':
      return perSeed(tf.logicalOr(tf.less(out, 0.01), tf.greater(out, 0.99)));
    case 'relu':
    case 'leaky-relu':
    case 'gelu':
      return perSeed(tf.lessEqual(tf.max(out, 1), 0));
    default:
      return null;
  }
}
