// The optimizers as small pure update rules over tensors (new values out, nothing mutated), plus the stateful wrapper that
// applies them to the network's variables. Written out rather than taken from tf.train so the rule is visible and tested
// against hand computation.
import type { Tensor, Variable } from '@tensorflow/tfjs';
import type { OptimizerKind } from '../../spec/types';
import type { Tf } from '../backend';
import type { Pause } from '../bands';

export const ADAM_BETA1 = 0.9;
export const ADAM_BETA2 = 0.999;
export const ADAM_EPSILON = 1e-8;

/** w − lr·g */
export function sgdUpdate(tf: Tf, w: Tensor, g: Tensor, lr: number): Tensor {
  return tf.sub(w, tf.mul(g, lr));
}

/** Heavy-ball momentum: v ← μ·v + g, w ← w − lr·v (the PyTorch form; v starts at 0). */
export function momentumUpdate(tf: Tf, w: Tensor, g: Tensor, v: Tensor, lr: number, mu: number): { w: Tensor; v: Tensor } {
  const vNext = tf.add(tf.mul(v, mu), g);
  return { w: tf.sub(w, tf.mul(vNext, lr)), v: vNext };
}

/**
 * Adam (Kingma & Ba 2015, Algorithm 1) at step t ≥ 1: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
 * w ← w − lr·m̂/(√v̂ + ε) with m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ).
 */
export function adamUpdate(
  tf: Tf,
  w: Tensor,
  g: Tensor,
  m: Tensor,
  v: Tensor,
  t: number,
  lr: number,
): { w: Tensor; m: Tensor; v: Tensor } {
  const mNext = tf.add(tf.mul(m, ADAM_BETA1), tf.mul(g, 1 - ADAM_BETA1));
  const vNext = tf.add(tf.mul(v, ADAM_BETA2), tf.mul(tf.square(g), 1 - ADAM_BETA2));
  const mHat = tf.div(mNext, 1 - Math.pow(ADAM_BETA1, t));
  const vHat = tf.div(vNext, 1 - Math.pow(ADAM_BETA2, t));
  const step = tf.div(tf.mul(mHat, lr), tf.add(tf.sqrt(vHat), ADAM_EPSILON));
  return { w: tf.sub(w, step), m: mNext, v: vNext };
}

/** Applies one optimizer to a fixed list of variables, keeping its per-variable state (momentum/moment buffers). */
export class Optimizer {
  private t = 0;
  private readonly slots: Tensor[][];

  constructor(
    private readonly tf: Tf,
    readonly kind: OptimizerKind,
    private readonly variables: Variable[],
    private readonly lr: number,
    private readonly momentum: number,
  ) {
    const slotCount = kind === 'adam' ? 2 : kind === 'momentum' ? 1 : 0;
    this.slots = variables.map((v) => Array.from({ length: slotCount }, () => tf.zerosLike(v)));
  }

  /** One update with gradients aligned to the variables. The gradients are not disposed. */
  apply(grads: Tensor[]): void {
    this.t += 1;
    for (let i = 0; i < this.variables.length; i++) this.update(i, grads[i]);
  }

  /** apply() with `pause` after each variable: a banded run's update of wide weights (elementwise, yet several ops over each W: Adam's are ten). */
  async applyPaused(grads: Tensor[], pause: Pause): Promise<void> {
    this.t += 1;
    for (let i = 0; i < this.variables.length; i++) {
      this.update(i, grads[i]);
      await pause();
    }
  }

  private update(i: number, g: Tensor): void {
    const tf = this.tf;
    const variable = this.variables[i];
    const slots = this.slots[i];
    const next = tf.tidy(() => {
      switch (this.kind) {
        case 'sgd':
          return [sgdUpdate(tf, variable, g, this.lr)];
        case 'momentum': {
          const r = momentumUpdate(tf, variable, g, slots[0], this.lr, this.momentum);
          return [r.w, r.v];
        }
        case 'adam': {
          const r = adamUpdate(tf, variable, g, slots[0], slots[1], this.t, this.lr);
          return [r.w, r.m, r.v];
        }
      }
    });
    variable.assign(next[0]);
    next[0].dispose();
    for (let s = 0; s < slots.length; s++) {
      slots[s].dispose();
      slots[s] = next[s + 1];
    }
  }

  dispose(): void {
    for (const slots of this.slots) for (const s of slots) s.dispose();
  }
}
