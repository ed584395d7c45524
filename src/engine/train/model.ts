// The spec's network as trainable tfjs variables, starting from the same seeded weights as the diagnostics
// (../network buildHostNetwork). Samples are rows here: a representation is [n, d] and a dense layer computes X·Wᵀ, with Wᵀ
// stored as the variable so the forward pass is a plain matmul. Normalization always uses batch statistics (training mode,
// as in the papers; there are no running averages).
import type { GradSaveFunc, Scalar, Tensor, Tensor2D, Variable } from '@tensorflow/tfjs';
import type { Activation, LayerSpec, LossKind } from '../../spec/types';
import { activate, derivative } from '../activations';
import type { Tf } from '../backend';
import { type HostNetwork, type HostOp } from '../network';
import { denseWeightTensor } from '../weights';

/** One item of the network, as the forward pass (and ./bandedStep's backward pass) walks it. */
export type TrainOp =
  | { kind: 'dense'; index: number; wt: Variable; bias: Variable | null }
  | { kind: 'norm'; axis: 0 | 1; center: boolean; eps: number }
  | { kind: 'activation'; op: Extract<HostOp, { kind: 'activation' }> }
  | { kind: 'residual'; alpha: Variable | number; body: TrainOp[] };

export interface ForwardOutput {
  logits: Tensor2D;
  /** Output representation [n, d] of the block of each requested W index (what the diagnostics call layer ℓ). */
  captured: Map<number, Tensor2D>;
}

export class TrainableNetwork {
  private readonly matMulWt: (x: Tensor2D, wt: Tensor2D) => Tensor2D;

  private constructor(
    private readonly tf: Tf,
    /** Wᵀ of W_0..W_{L-1}, in index order (their gradients are the per-layer gradient norms). */
    readonly weights: Variable[],
    /** Every trained variable: weights, biases, learnable residual α, readout. */
    readonly variables: Variable[],
    readonly readoutT: Variable,
    /** The network's items in order (./bandedStep walks them with its own backward pass). */
    readonly ops: TrainOp[],
  ) {
    this.matMulWt = matMulTransposeFree(tf);
  }

  /**
   * The trainable network of `host`, its variables created in a fixed order (per item: Wᵀ, bias, then a residual body's,
   * then its α; the readout last). Async: forming an orthogonal W reads back a small Gram (webgpu has no synchronous read).
   */
  static async create(
    tf: Tf,
    host: HostNetwork,
    /** The layer list the host network was built from (for residual.learnable, which the host network does not keep). */
    layers: LayerSpec[],
  ): Promise<TrainableNetwork> {
    const weights: Variable[] = [];
    const variables: Variable[] = [];
    const variable = (init: Tensor): Variable => {
      const v = tf.variable(init);
      init.dispose();
      variables.push(v);
      return v;
    };
    try {
      const ops = await upload(tf, host.ops, layers, host.seed, variable, weights);
      const readoutT = variable(transposed(tf, host.readout, host.classes, host.width));
      return new TrainableNetwork(tf, weights, variables, readoutT, ops);
    } catch (e) {
      for (const v of variables) v.dispose();
      throw e;
    }
  }

  get depth(): number {
    return this.weights.length;
  }

  /** Logits [n, classes] of a batch x [n, features]; `capture` lists W indices whose block outputs to return. */
  forward(x: Tensor2D, capture: ReadonlySet<number> = new Set()): ForwardOutput {
    const captured = new Map<number, Tensor2D>();
    const h = this.run(this.ops, x, capture, captured);
    return { logits: this.tf.matMul(h, this.readoutT), captured };
  }

  // A block's output is the representation just before the next item that holds a dense layer (or the end of the list).
  private run(ops: TrainOp[], x: Tensor2D, capture: ReadonlySet<number>, captured: Map<number, Tensor2D>): Tensor2D {
    const tf = this.tf;
    let h = x;
    let open: number | null = null;
    const close = (): void => {
      if (open !== null && capture.has(open)) captured.set(open, h);
      open = null;
    };
    for (const op of ops) {
      switch (op.kind) {
        case 'dense':
          close();
          h = this.matMulWt(h, op.wt as Tensor as Tensor2D);
          if (op.bias) h = tf.add(h, op.bias);
          open = op.index;
          break;
        case 'norm':
          h = normalize(tf, h, op.axis, op.center, op.eps);
          break;
        case 'activation':
          h = activation(tf, op.op.fn, op.op.gain === 1 ? h : (tf.mul(h, op.op.gain) as Tensor2D), op.op.slope);
          break;
        case 'residual': {
          const inner = lastDenseIndex(op.body);
          if (inner !== null) close();
          // The body's last dense block ends at the residual sum, so it is (re)captured after the add.
          const body = this.run(op.body, h, capture, captured);
          h = tf.add(h, tf.mul(body, op.alpha));
          if (inner !== null) open = inner;
          break;
        }
      }
    }
    close();
    return h;
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}

/** The host ops as train ops, in order (one weight at a time: each W is awaited before the next is drawn). */
async function upload(
  tf: Tf,
  ops: HostOp[],
  specs: LayerSpec[],
  seed: number,
  variable: (init: Tensor) => Variable,
  weights: Variable[],
): Promise<TrainOp[]> {
  const out: TrainOp[] = [];
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    const spec = specs[i];
    if (!spec || !sameKind(op, spec)) throw new Error(`${op.path}: host network and layer list disagree`);
    switch (op.kind) {
      case 'dense': {
        // Wᵀ is formed on the backend (orthogonal: from the Householder draws, ~10× faster than on the host at width 512).
        const wt = variable(await denseWeightTensor(tf, op, seed, true));
        weights[op.index] = wt;
        const bias = spec.kind === 'dense' && spec.bias ? variable(tf.zeros([1, op.fanOut])) : null;
        out.push({ kind: 'dense', index: op.index, wt, bias });
        break;
      }
      case 'norm':
        // The host network's axis is in its d×n layout (1: across the batch); rows are samples here.
        out.push({ kind: 'norm', axis: op.axis === 1 ? 0 : 1, center: op.center, eps: op.eps });
        break;
      case 'activation':
        out.push({ kind: 'activation', op });
        break;
      case 'residual': {
        if (spec.kind !== 'residual') throw new Error(`${op.path}: host network and layer list disagree`);
        const body = await upload(tf, op.body, spec.body, seed, variable, weights);
        const alpha = spec.learnable ? variable(tf.scalar(op.alpha)) : op.alpha;
        out.push({ kind: 'residual', alpha, body });
        break;
      }
    }
  }
  return out;
}

/**
 * x·Wᵀ (Wᵀ given) whose backward pass uses plain matmuls against explicit transposes: tfjs' own MatMul gradient uses
 * transposed matmuls, which are 10–20× slower on wasm.
 */
function matMulTransposeFree(tf: Tf): (x: Tensor2D, wt: Tensor2D) => Tensor2D {
  const op = tf.customGrad((...args: (Tensor | GradSaveFunc)[]) => {
    const [x, wt, save] = args as [Tensor2D, Tensor2D, GradSaveFunc];
    save([x, wt]);
    return {
      value: tf.matMul(x, wt),
      // customGrad gradient functions run outside the per-gradient tidy.
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) =>
        tf.tidy(() => {
          const [xs, wts] = saved as [Tensor2D, Tensor2D];
          const g = dy as Tensor2D;
          return [tf.matMul(g, tf.transpose(wts)), tf.matMul(tf.transpose(xs), g)];
        }),
    };
  });
  return (x, wt) => op(x, wt) as Tensor2D;
}

/**
 * (h − c·μ)/√(v + ε) along `axis` (0: across the batch = BN, 1: across features = LN), v = mean((h − c·μ)²), with its
 * closed-form backward: for y = u·r, r = (v + ε)^(−½), ∂L/∂u = r·(g − y·mean(g·y)), and with centring ∂L/∂h = ∂L/∂u −
 * mean(∂L/∂u). One fused gradient instead of tfjs differentiating seven small ops (BN was ⅔ of a training step on wasm).
 */
export function normalize(tf: Tf, h: Tensor2D, axis: 0 | 1, center: boolean, eps: number): Tensor2D {
  const op = tf.customGrad((...args: (Tensor | GradSaveFunc)[]) => {
    const [x, save] = args as [Tensor2D, GradSaveFunc];
    const u = center ? tf.sub(x, tf.mean(x, axis, true)) : x;
    const r = tf.rsqrt(tf.add(tf.mean(tf.square(u), axis, true), eps));
    const y = tf.mul(u, r) as Tensor2D;
    save([y, r]);
    return {
      value: y,
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) =>
        tf.tidy(() => {
          const [ys, rs] = saved;
          const g = dy as Tensor;
          const du = tf.mul(rs, tf.sub(g, tf.mul(ys, tf.mean(tf.mul(g, ys), axis, true))));
          return [center ? tf.sub(du, tf.mean(du, axis, true)) : du];
        }),
    };
  });
  return op(h) as Tensor2D;
}

/**
 * σ(u) whose gradient is σ′(u)·dy from ../activations: tfjs cannot differentiate leaky-relu's and selu's tf.where through
 * its tf.greater condition ("gradient function not found for Greater"), so training those networks failed.
 */
function activation(tf: Tf, fn: Activation, u: Tensor2D, slope: number): Tensor2D {
  const op = tf.customGrad((...args: (Tensor | GradSaveFunc)[]) => {
    const [x, save] = args as [Tensor2D, GradSaveFunc];
    save([x]);
    return {
      value: activate(tf, fn, x, slope),
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => tf.tidy(() => [tf.mul(dy as Tensor, derivative(tf, fn, saved[0], slope))]),
    };
  });
  return op(u) as Tensor2D;
}

/** Mᵀ as a float32 tensor, from M row-major rows × cols. */
function transposed(tf: Tf, m: Float64Array, rows: number, cols: number): Tensor2D {
  return tf.tidy(() => tf.transpose(tf.tensor2d(Float32Array.from(m), [rows, cols])));
}

function sameKind(op: HostOp, spec: LayerSpec): boolean {
  return op.kind === 'norm' ? spec.kind === 'batchnorm' || spec.kind === 'layernorm' : op.kind === spec.kind;
}

/** Index of the last dense layer, looking inside residual blocks; null when there is none. */
export function lastDenseIndex(ops: TrainOp[]): number | null {
  for (let i = ops.length - 1; i >= 0; i--) {
    const op = ops[i];
    if (op.kind === 'dense') return op.index;
    if (op.kind === 'residual') {
      const inner = lastDenseIndex(op.body);
      if (inner !== null) return inner;
    }
  }
  return null;
}

/** Mean loss over the batch: cross-entropy of softmax(logits), or the mean of (logit − onehot)² over samples and classes. */
export function batchLoss(tf: Tf, kind: LossKind, logits: Tensor2D, labels: Tensor): Scalar {
  const classes = logits.shape[1];
  const onehot = tf.oneHot(labels, classes).toFloat();
  if (kind === 'cross-entropy') {
    return tf.neg(tf.mean(tf.sum(tf.mul(onehot, tf.logSoftmax(logits)), 1))) as Scalar;
  }
  return tf.mean(tf.square(tf.sub(logits, onehot))) as Scalar;
}

/** Number of samples whose largest logit is at their label. */
export function correctCount(tf: Tf, logits: Tensor2D, labels: Tensor): Scalar {
  return tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32'));
}
