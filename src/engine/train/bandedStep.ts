// One training step on a CPU backend whose products are long: the forward pass and a hand-written backward pass, each
// dense product computed a band at a time (../bands) with a pause between bands, so a cancel, Ctrl-C or the parent's
// disconnect is honoured within a band (~60 ms on wasm) instead of after the whole step. tf.variableGrads runs a step as
// one synchronous call: at width 4096 and batch 1024 that held the event loop for seconds per step.
//
// The backward pass is the one tfjs derives for ./model (and is tested against it, test/engine/train-bands.test.ts):
//   dense  y = x·Wᵀ + b:        ∂Wᵀ = xᵀ·g, ∂b = Σ_rows g, ∂x = g·W
//   norm   y = u·r:             ./model normalize's closed form
//   activation y = f(c·x):      ∂x = c·f′(c·x)·g (../activations derivative)
//   residual y = x + α·B(x):    ∂x = g + ∂B(α·g), ∂α = Σ g·B(x)
import type { Scalar, Tensor, Tensor2D, Variable } from '@tensorflow/tfjs';
import type { LossKind } from '../../spec/types';
import { activate, derivative } from '../activations';
import type { Tf } from '../backend';
import { banded, type Pause } from '../bands';
import { throwIfAborted, yieldToEventLoop } from '../errors';
import { transpose2d } from '../kernels/wasm/transpose';
import { batchLoss, lastDenseIndex, type TrainableNetwork, type TrainOp } from './model';

/** A step predicted to take more than this many flops (~0.1 s on wasm) is run banded on a CPU backend. */
export const BANDED_STEP_FLOPS = 2e9;
/** The pause yields to the event loop at most this often. */
const YIELD_EVERY_MS = 40;

/** Flops of one training step of `net` on a batch of n: forward and two backward products per dense layer. */
export function stepFlops(net: TrainableNetwork, n: number): number {
  const size = (v: Variable): number => v.shape.reduce((a, b) => a * b, 1);
  return [...net.weights, net.readoutT].reduce((s, w) => s + 6 * n * size(w), 0);
}

/** Whether a step of `net` on a batch of n should be banded: a CPU backend and a step longer than BANDED_STEP_FLOPS. */
export function stepNeedsBands(tf: Tf, net: TrainableNetwork, n: number): boolean {
  const name = tf.getBackend();
  return (name === 'wasm' || name === 'cpu') && stepFlops(net, n) > BANDED_STEP_FLOPS;
}

/** A Pause that lets the event loop run every YIELD_EVERY_MS and throws CancelledError once `signal` is aborted. */
export function duePause(signal: AbortSignal | undefined): Pause {
  let last = Date.now();
  return async () => {
    if (Date.now() - last < YIELD_EVERY_MS) return;
    await yieldToEventLoop();
    last = Date.now();
    throwIfAborted(signal);
  };
}

type TapeEntry =
  | { kind: 'dense'; op: Extract<TrainOp, { kind: 'dense' }>; x: Tensor2D }
  | { kind: 'norm'; op: Extract<TrainOp, { kind: 'norm' }>; y: Tensor2D; r: Tensor }
  | { kind: 'activation'; op: Extract<TrainOp, { kind: 'activation' }>; z: Tensor2D }
  | { kind: 'residual'; op: Extract<TrainOp, { kind: 'residual' }>; body: Tensor2D; tape: TapeEntry[] };

/** The tensors a step makes, disposed together at its end except those handed to the caller. */
class Owned {
  private readonly all = new Set<Tensor>();
  private readonly kept = new Set<Tensor>();
  own<T extends Tensor>(t: T): T {
    this.all.add(t);
    return t;
  }
  /** Marks tensors the caller gets (captured block outputs): release() leaves them. */
  keep(ts: Iterable<Tensor>): void {
    for (const t of ts) this.kept.add(t);
  }
  /** Frees a gradient as soon as the next one is made from it (dispose is idempotent: disposeExcept skips nothing). */
  release(t: Tensor): void {
    if (!this.kept.has(t) && this.all.has(t)) t.dispose();
  }
  disposeExcept(keep: ReadonlySet<Tensor>): void {
    for (const t of this.all) if (!keep.has(t)) t.dispose();
    this.all.clear();
  }
}

/** x·Wᵀ with Wᵀ = wt (fanIn × fanOut), a band of wt's columns (of y's columns) at a time. */
function denseProduct(tf: Tf, x: Tensor2D, wt: Tensor2D, pause: Pause): Promise<Tensor2D> {
  return banded(tf, wt, 2 * x.shape[0] * wt.shape[0], (band) => tf.matMul(x, band), pause);
}

/** The network's logits for a batch x, computed with pauses; `tape` (when given) records what the backward pass needs. */
async function forwardOps(
  tf: Tf,
  ops: TrainOp[],
  x: Tensor2D,
  owned: Owned,
  pause: Pause,
  capture: ReadonlySet<number>,
  captured: Map<number, Tensor2D>,
  tape: TapeEntry[],
): Promise<Tensor2D> {
  let h = x;
  let open: number | null = null;
  // As ./model run: a block's output is the representation just before the next item holding a dense layer.
  const close = (): void => {
    if (open !== null && capture.has(open)) captured.set(open, h);
    open = null;
  };
  for (const op of ops) {
    switch (op.kind) {
      case 'dense': {
        close();
        tape.push({ kind: 'dense', op, x: h });
        const y = owned.own(await denseProduct(tf, h, op.wt as Tensor as Tensor2D, pause));
        h = op.bias ? owned.own(tf.add(y, op.bias)) : y;
        open = op.index;
        break;
      }
      case 'norm': {
        const { axis, center, eps } = op;
        const [y, r] = tf.tidy(() => {
          const u = center ? tf.sub(h, tf.mean(h, axis, true)) : h;
          const rs = tf.rsqrt(tf.add(tf.mean(tf.square(u), axis, true), eps));
          return [tf.mul(u, rs) as Tensor2D, rs];
        });
        owned.own(y);
        owned.own(r);
        tape.push({ kind: 'norm', op, y, r });
        h = y;
        break;
      }
      case 'activation': {
        const z = op.op.gain === 1 ? h : owned.own(tf.mul(h, op.op.gain) as Tensor2D);
        tape.push({ kind: 'activation', op, z });
        h = owned.own(tf.tidy(() => activate(tf, op.op.fn, z, op.op.slope) as Tensor2D));
        break;
      }
      case 'residual': {
        const inner = lastDenseIndex(op.body);
        if (inner !== null) close();
        const bodyTape: TapeEntry[] = [];
        const body = await forwardOps(tf, op.body, h, owned, pause, capture, captured, bodyTape);
        h = owned.own(tf.tidy(() => tf.add(h, tf.mul(body, op.alpha)) as Tensor2D));
        tape.push({ kind: 'residual', op, body, tape: bodyTape });
        if (inner !== null) open = inner;
        break;
      }
    }
    await pause();
  }
  close();
  return h;
}

/** ∂L/∂(input of `tape`) from ∂L/∂(its output) g, adding each variable's gradient to `grads`; null where the input needs none. */
async function backwardOps(tf: Tf, tape: TapeEntry[], g: Tensor2D, owned: Owned, pause: Pause, grads: Map<Variable, Tensor>, inputGrad: boolean): Promise<Tensor2D | null> {
  let dy: Tensor2D = g;
  // Each gradient feeds only the next item's backward step: it is freed once that one is made (the input g is the caller's).
  const replace = (next: Tensor2D): void => {
    if (dy !== g) owned.release(dy);
    dy = next;
  };
  for (let i = tape.length - 1; i >= 0; i--) {
    const entry = tape[i];
    const needInput = inputGrad || i > 0;
    switch (entry.kind) {
      case 'dense': {
        const { x, op } = entry;
        const n = x.shape[0];
        const [fanIn, fanOut] = op.wt.shape as [number, number];
        // wasm repacks a transposed operand on every product: transpose once, then plain products a band at a time.
        const xT = transpose2d(tf, x);
        try {
          add(tf, grads, op.wt, await banded(tf, dy, 2 * n * fanIn, (band) => tf.matMul(xT, band), pause));
        } finally {
          xT.dispose();
        }
        if (op.bias) add(tf, grads, op.bias, tf.sum(dy, 0, true));
        if (!needInput) return null;
        const w = transpose2d(tf, op.wt as Tensor as Tensor2D);
        try {
          const g0 = dy;
          replace(owned.own(await banded(tf, w, 2 * n * fanOut, (band) => tf.matMul(g0, band), pause)));
        } finally {
          w.dispose();
        }
        break;
      }
      case 'norm': {
        const { y, r, op } = entry;
        const g0 = dy;
        replace(owned.own(
          tf.tidy(() => {
            const du = tf.mul(r, tf.sub(g0, tf.mul(y, tf.mean(tf.mul(g0, y), op.axis, true))));
            return (op.center ? tf.sub(du, tf.mean(du, op.axis, true)) : du) as Tensor2D;
          }),
        ));
        break;
      }
      case 'activation': {
        const { z, op } = entry;
        const g0 = dy;
        replace(owned.own(
          tf.tidy(() => {
            const dz = tf.mul(g0, derivative(tf, op.op.fn, z, op.op.slope));
            return (op.op.gain === 1 ? dz : tf.mul(dz, op.op.gain)) as Tensor2D;
          }),
        ));
        break;
      }
      case 'residual': {
        const { op, body } = entry;
        const g0 = dy;
        if (typeof op.alpha !== 'number') add(tf, grads, op.alpha, tf.tidy(() => tf.sum(tf.mul(g0, body))));
        const alpha = op.alpha;
        const dBody = owned.own(tf.tidy(() => tf.mul(g0, alpha) as Tensor2D));
        const dx = await backwardOps(tf, entry.tape, dBody, owned, pause, grads, true);
        if (!needInput) {
          owned.release(dBody);
          return null;
        }
        if (dx) replace(owned.own(tf.add(g0, dx)));
        owned.release(dBody);
        if (dx) owned.release(dx);
        break;
      }
    }
    await pause();
  }
  return dy;
}

/** grads[v] += g (g is taken over). */
function add(tf: Tf, grads: Map<Variable, Tensor>, v: Variable, g: Tensor): void {
  const before = grads.get(v);
  if (!before) {
    grads.set(v, g);
    return;
  }
  grads.set(v, tf.add(before, g));
  before.dispose();
  g.dispose();
}

/** What a step hands back, all owned by the caller: as tf.variableGrads plus the logits and captured block outputs. */
export interface BandedStepResult {
  loss: Scalar;
  /** Gradients by variable name, one for every variable of the network. */
  grads: Record<string, Tensor>;
  logits: Tensor2D;
  captured: Map<number, Tensor2D>;
}

/** Loss and gradients of one batch, with the dense products banded and `pause` between bands and layers. */
export async function bandedStep(
  tf: Tf,
  net: TrainableNetwork,
  loss: LossKind,
  x: Tensor2D,
  labels: Tensor,
  capture: ReadonlySet<number>,
  pause: Pause,
): Promise<BandedStepResult> {
  const owned = new Owned();
  const captured = new Map<number, Tensor2D>();
  const grads = new Map<Variable, Tensor>();
  const keep = new Set<Tensor>();
  try {
    const tape: TapeEntry[] = [];
    const h = await forwardOps(tf, net.ops, x, owned, pause, capture, captured, tape);
    owned.keep(captured.values());
    const logits = owned.own(tf.matMul(h, net.readoutT as Tensor as Tensor2D) as Tensor2D);
    const { value, grad } = tf.valueAndGrad((l: Tensor) => batchLoss(tf, loss, l as Tensor2D, labels))(logits);
    owned.own(value);
    const dLogits = owned.own(grad as Tensor2D);
    const hT = owned.own(transpose2d(tf, h));
    add(tf, grads, net.readoutT, tf.matMul(hT, dLogits));
    const dh = owned.own(tf.tidy(() => tf.matMul(dLogits, tf.transpose(net.readoutT as Tensor as Tensor2D)) as Tensor2D));
    await pause();
    await backwardOps(tf, tape, dh, owned, pause, grads, false);
    const byName: Record<string, Tensor> = {};
    for (const v of net.variables) {
      const g = grads.get(v) ?? tf.zerosLike(v);
      grads.delete(v);
      byName[v.name] = g;
    }
    for (const t of [value, logits, ...captured.values()]) keep.add(t);
    return { loss: value as Scalar, grads: byName, logits, captured };
  } catch (e) {
    for (const g of grads.values()) g.dispose();
    throw e;
  } finally {
    owned.disposeExcept(keep);
  }
}

/** The logits of a batch (no gradients), with the dense products banded: the held-out evaluation of a banded run. */
export async function bandedLogits(tf: Tf, net: TrainableNetwork, x: Tensor2D, pause: Pause): Promise<Tensor2D> {
  const owned = new Owned();
  try {
    const h = await forwardOps(tf, net.ops, x, owned, pause, new Set(), new Map(), []);
    return tf.matMul(h, net.readoutT as Tensor as Tensor2D) as Tensor2D;
  } finally {
    owned.disposeExcept(new Set());
  }
}

/** M·Mᵀ of a sample-per-row matrix (rows × rows), a band of columns at a time. */
export async function bandedRowGram(tf: Tf, m: Tensor2D, pause: Pause): Promise<Tensor2D> {
  const mT = transpose2d(tf, m);
  try {
    return await banded(tf, mT, 2 * m.shape[0] * m.shape[1], (band) => tf.matMul(m, band), pause);
  } finally {
    mT.dispose();
  }
}
