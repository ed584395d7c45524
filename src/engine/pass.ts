// One diagnostic forward + backward pass at initialization, written by hand for speed and range:
//  - W_ℓ is drawn and uploaded when the forward pass reaches layer ℓ, kept on the device (float32, as W and Wᵀ) until the
//    backward pass has used it, then freed: memory is the weights plus the activations the backward pass needs; past a
//    budget of weight memory W_ℓ is drawn again in the backward pass instead, directly as Wᵀ. Wide orthogonal layers stay
//    factored as Householder reflections and are never formed (./weights);
//  - two matmuls per dense layer, W·X forward and Wᵀ·dZ backward, each with the d×d matrix as the left factor (wasm repacks
//    the right factor on every call; transposed matmul is 10–20× slower there); no autodiff tape;
//  - ‖∂loss/∂W‖²_F = ⟨XᵀX, dZᵀdZ⟩ from two n×n Grams (the forward one is also the isometry-gap Gram), so ∂loss/∂W itself is
//    never formed;
//  - the backward signal is divided by its max-abs after every top-level layer, the log scales are summed in float64 on
//    the host, so log-norms stay right where the true gradient overflows float32;
//  - Grams and scales stay on the device and are downloaded in batches (./passTensors, with the ledger of the tensors the
//    pass owns and holds), at most every ~50 ms, which is also when the pass yields to the event loop and checks for
//    cancellation; products and weight draws long enough to hold a CPU backend past that are cut into bands with the same
//    check between them (./bands), so a cancel lands within a second at any width;
//  - several seeds can share one pass (runDiagnosticPasses): their representations stacked as rows, every step one
//    dispatch for all of them (./seedBatch), each seed's weights, batch, loss and rescale its own, so that each seed's
//    results are those of its own pass up to float32 rounding. On a GPU, where a small layer costs its dispatches, S
//    seeds then cost about what one does.
import type { Scalar, Tensor, Tensor2D, Tensor3D } from '@tensorflow/tfjs';
import type { LossKind } from '../spec/types';
import type { Tf } from './backend';
import { throwIfAborted, yieldToEventLoop } from './errors';
import { sharedHostPool } from './hostPool';
import { blockGap, gapFromRepresentation } from './blockGap';
import { type HostNetwork, type HostOp } from './network';
import { activationBackward, activationForward, normBackward, normForward, rescaleByMaxAbs } from './ops';
import { banded, bandedGrams } from './bands';
import { batchedProductsLeakNonFinite } from './kernels/webgpu/batchedProducts';
import { drawHouseholderFactors, type HouseholderFactors } from './haar';
import { Rng } from './rng';
import { DownloadQueue, TensorLedger, type Download } from './passTensors';
import { reducePasses, type GroupRecord, type PassResult } from './passReduce';
import { lossAndGradient, seedActivationStats, stackedInput, stackedReadout } from './seedBatch';
import { seedBatchWeight } from './seedWeights';
import { householderDraw, usesHouseholderFactors, type DeviceWeight, type WeightForm, type WeightUse } from './weights';

export interface PassInput {
  /** Row-major [n][features]: sample j is row j. */
  x: Float64Array;
  n: number;
  features: number;
  labels: Int32Array;
  classes: number;
  loss: LossKind;
  /** Weight memory above which weights are drawn again in the backward pass; default: see MIN_WEIGHT_BUDGET_BYTES. */
  weightBudgetBytes?: number;
  /** How W is held on the device (./weights); default 'auto'. */
  weightForm?: WeightForm;
}

export type { LayerMeasure, NonFinite, PassResult } from './passReduce';

export interface PassHooks {
  signal?: AbortSignal;
  /** fraction of this pass done (0..1) and the weight layer being worked on (the same for every seed of a batched pass). */
  onProgress?: (fraction: number, layer: number) => void;
}

const YIELD_EVERY_MS = 50;
/** Floor of the rescale divisor, so that an all-zero backward signal is not turned into NaN. */
const TINY = 1e-30;
/**
 * Weights are kept from the forward to the backward pass while they take no more memory than the activations the backward
 * pass stores, or than this floor (which every quick run, width ≤ 128 and depth ≤ 200, stays under); past that they are
 * drawn again in the backward pass, so memory stays near the activations (plus one layer's weight) at the cost of drawing
 * every weight twice.
 */
export const MIN_WEIGHT_BUDGET_BYTES = 32 * 2 ** 20;
const MAX_STATS_LAYERS = 128;
const MAX_PENDING_DOWNLOADS = 512;
/** Host memory for Householder factors drawn ahead of their layer (a d×d weight's factors take about 4d² bytes). */
const PREFETCH_BYTES = 512 * 2 ** 20;

type DenseHostOp = HostOp & { kind: 'dense' };

type TapeEntry =
  | { kind: 'dense'; index: number; op: DenseHostOp; w: DeviceWeight | null; gramIn: Download }
  | { kind: 'norm'; axis: 0 | 1; center: boolean; y: Tensor2D; inv: Tensor2D }
  | { kind: 'activation'; fn: HostOp & { kind: 'activation' }; input: Tensor2D }
  | { kind: 'residual'; alpha: number; body: TapeEntry[] };

interface Group extends GroupRecord {
  gram: Download | null;
  /** The block output itself ([S·d, n]), downloaded where φ is taken from it rather than from the Gram (./blockGap). */
  representation: Download | null;
  /** Activation statistics are measured on at most ~MAX_STATS_LAYERS evenly spaced blocks: each costs several ops. */
  sampled: boolean;
}

export async function runDiagnosticPass(tf: Tf, net: HostNetwork, input: PassInput, hooks: PassHooks = {}): Promise<PassResult> {
  return (await runDiagnosticPasses(tf, [net], [input], hooks))[0];
}

/**
 * One pass for several seeds at once: `nets[s]` (the same layers, drawn from seed s) on `inputs[s]` (the same batch size
 * and features; each seed's own samples and labels). Results in the order of `nets`; initSeconds is the batch's
 * weight-drawing time shared out evenly.
 */
export async function runDiagnosticPasses(tf: Tf, nets: readonly HostNetwork[], inputs: readonly PassInput[], hooks: PassHooks = {}): Promise<PassResult[]> {
  if (nets.length === 0 || nets.length !== inputs.length) throw new Error(`internal: ${nets.length} networks for ${inputs.length} batches`);
  const results = await runPass(tf, nets, inputs, hooks);
  if (nets.length > 1 && batchedProductsLeakNonFinite(tf)) {
    // Only the last non-finite seed is certainly non-finite of its own: any before it may have caught NaN from the seeds
    // after it (./kernels/webgpu/batchedProducts), and is run again alone. Diverging runs are rare, and cost at most this.
    let last = results.length - 1;
    while (last >= 0 && results[last].nonFinite === null) last--;
    for (let s = 0; s < last; s++) {
      if (results[s].nonFinite) results[s] = (await runPass(tf, [nets[s]], [inputs[s]], { signal: hooks.signal }))[0];
    }
  }
  return results;
}

async function runPass(tf: Tf, nets: readonly HostNetwork[], inputs: readonly PassInput[], hooks: PassHooks): Promise<PassResult[]> {
  const pass = new Pass(tf, nets, inputs, hooks);
  try {
    return await pass.run();
  } finally {
    pass.disposeAll();
  }
}

class Pass {
  private readonly tensors = new TensorLedger();
  private readonly downloads: DownloadQueue;
  private readonly gramByTensor = new Map<number, Download>();
  private readonly scales: Download[] = [];
  private readonly denseScaleCount: number[] = [];
  private readonly denseGramGrad: (Download | null)[] = [];
  private readonly denseGramIn: (Download | null)[] = [];
  private readonly groups: Group[] = [];
  private readonly scalars = new Map<number, Scalar>();
  private readonly hostPool = sharedHostPool();
  /** Householder factors asked for ahead, by seed and layer index (./hostPool). */
  private readonly factorsAhead = new Map<string, Promise<HouseholderFactors>>();
  /** The network of the first seed: every seed's has the same layers (only the draws differ). */
  private readonly net: HostNetwork;
  private readonly input: PassInput;
  private readonly seeds: number[];
  /** Seeds in this pass (S): representations are [S·d, n]. */
  private readonly S: number;
  /** The dense ops by weight index (W_0..W_{L−1}, forward order). */
  private readonly denseByIndex: DenseHostOp[] = [];
  /** Weights drawn for the op about to run, by layer index. */
  private readonly prepared = new Map<number, DeviceWeight>();
  private currentStats: Download | null = null;
  private lastYield = Date.now();
  private layersDone = 0;
  private initMs = 0;
  /** Time spent in yieldNow (downloads, the host's gap reductions, other tasks): not init even when a weight's forming yields. */
  private yieldMs = 0;
  /** Keep each W_ℓ from the forward to the backward pass, or draw it again there (networks whose weights exceed the budget). */
  private readonly keepWeights: boolean;
  private readout: Tensor3D | null = null;
  private readoutT: Tensor3D | null = null;

  constructor(
    private readonly tf: Tf,
    private readonly nets: readonly HostNetwork[],
    private readonly inputs: readonly PassInput[],
    private readonly hooks: PassHooks,
  ) {
    const net = nets[0];
    const input = inputs[0];
    this.net = net;
    this.input = input;
    this.seeds = nets.map((m) => m.seed);
    this.S = nets.length;
    for (const [s, other] of nets.entries()) {
      if (other.depth !== net.depth || other.width !== net.width || other.features !== net.features || other.classes !== net.classes || other.ops.length !== net.ops.length) {
        throw new Error(`internal: seed ${other.seed}'s network differs in shape from seed ${net.seed}'s`);
      }
      const i = inputs[s];
      if (i.n !== input.n || i.features !== input.features || i.classes !== input.classes || i.loss !== input.loss) {
        throw new Error(`the batch of seed ${other.seed} has ${i.n}×${i.features}, seed ${net.seed}'s ${input.n}×${input.features}: seeds of one pass need batches of one size`);
      }
    }
    this.downloads = new DownloadQueue(tf);
    this.denseGramGrad = new Array<Download | null>(net.depth).fill(null);
    this.denseGramIn = new Array<Download | null>(net.depth).fill(null);
    this.denseScaleCount = new Array<number>(net.depth).fill(0);
    this.keepWeights = keepsWeights(net.ops, input.n, input.weightBudgetBytes, this.S);
    for (const op of net.ops.flatMap(denseOpsOf)) this.denseByIndex[op.index] = op;
  }

  async run(): Promise<PassResult[]> {
    const { tf, net, input, S } = this;
    throwIfAborted(this.hooks.signal);
    if (input.features !== net.features) throw new Error(`the batch has ${input.features} features, the network expects ${net.features}`);
    const [readout, readoutT] = stackedReadout(tf, this.nets.map((m) => m.readout), net.classes, net.width);
    this.readout = this.tensors.own(readout);
    this.readoutT = this.tensors.own(readoutT);
    const stacked = stackedInput(this.inputs.map((i) => i.x), input.n, input.features);
    const x0 = this.tensors.own(tf.tensor2d(stacked, [S * input.features, input.n]));

    // ---- forward ----
    const tape: TapeEntry[] = [];
    const ops = net.ops;
    const boundaryBefore = ops.map((_, i) => i > 0 && startsBlock(ops, i));
    let group: Group = this.newGroup();
    let x: Tensor2D = x0;
    for (let i = 0; i < ops.length; i++) {
      if (boundaryBefore[i]) {
        await this.closeGroup(group, x);
        group = this.newGroup();
      }
      if (holdsWeight(ops[i])) await this.prepareWeights(denseOpsOf(ops[i]), this.keepWeights ? 'both' : 'forward');
      x = await this.forwardOp(ops[i], x, tape, group);
      if (this.dueForYield()) await this.yieldNow();
    }
    await this.closeGroup(group, x);

    // ---- loss and its gradient at the last representation ----
    const { loss, dx } = this.lossAndGrad(x);
    this.tensors.release(x);
    let g = this.rescale(dx);

    // ---- backward ----
    for (let i = tape.length - 1; i >= 0; i--) {
      const entry = tape[i];
      if (!this.keepWeights) await this.prepareWeights(redrawnOpsOf(entry), 'backward');
      const next = await this.backwardEntry(entry, g);
      this.tensors.release(g);
      g = entry.kind === 'dense' || entry.kind === 'residual' ? this.rescale(next) : next;
      if (this.dueForYield()) await this.yieldNow();
    }
    this.tensors.release(g);
    await this.downloads.flush();
    const losses = (await loss.data()) as Float32Array;
    loss.dispose();
    this.postGaps();
    return await reducePasses({
      seeds: S,
      n: input.n,
      depth: net.depth,
      groups: this.groups,
      gramIn: this.denseGramIn as Download[],
      gramGrad: this.denseGramGrad as Download[],
      scaleCount: this.denseScaleCount,
      scales: this.scales,
      losses,
      initSeconds: this.initMs / 1000 / S,
      pause: async () => {
        if (Date.now() - this.lastYield < YIELD_EVERY_MS) return;
        await yieldToEventLoop();
        this.lastYield = Date.now();
        throwIfAborted(this.hooks.signal);
      },
    });
  }

  // ---------- forward ----------

  private async forwardOp(op: HostOp, x: Tensor2D, tape: TapeEntry[], group: Group): Promise<Tensor2D> {
    const { tf } = this;
    switch (op.kind) {
      case 'dense': {
        const gramIn = await this.gramOf(x);
        this.denseGramIn[op.index] = gramIn;
        group.denseIndices.push(op.index);
        const w = this.takeWeight(op);
        const z = this.tensors.own(await banded(tf, x, 2 * op.fanIn * op.fanOut * this.S, (band) => w.apply(band), this.pause));
        this.tensors.release(x);
        if (!this.keepWeights) this.disposeWeight(w);
        tape.push({ kind: 'dense', index: op.index, op, w: this.keepWeights ? w : null, gramIn });
        this.layersDone++;
        return z;
      }
      case 'norm': {
        const [y, inv] = normForward(tf, x, op, op.eps, this.S);
        this.tensors.own(y);
        this.tensors.own(inv);
        this.tensors.hold(y);
        this.tensors.hold(inv);
        this.tensors.release(x);
        tape.push({ kind: 'norm', axis: op.axis, center: op.center, y, inv });
        return y;
      }
      case 'activation': {
        if (op.fn === 'identity' && op.gain === 1) {
          // σ = id: nothing to compute forward or backward (no copy, no tape entry).
          if (group.sampled) this.recordActivationStats(op, x);
          return x;
        }
        const out = this.tensors.own(activationForward(tf, x, op.fn, op.gain, op.slope));
        if (op.fn !== 'identity') this.tensors.hold(x);
        tape.push({ kind: 'activation', fn: op, input: x });
        if (group.sampled) this.recordActivationStats(op, out);
        this.tensors.release(x);
        return out;
      }
      case 'residual': {
        const bodyTape: TapeEntry[] = [];
        this.tensors.hold(x); // the skip path needs x after the body ran
        let h = x;
        for (const inner of op.body) h = await this.forwardOp(inner, h, bodyTape, group);
        const y = this.tensors.own(tf.tidy(() => tf.add(x, tf.mul(h, this.scalar(op.alpha)))) as Tensor2D);
        this.tensors.release(h);
        this.tensors.unhold(x);
        tape.push({ kind: 'residual', alpha: op.alpha, body: bodyTape });
        return y;
      }
    }
  }

  private recordActivationStats(op: HostOp & { kind: 'activation' }, out: Tensor2D): void {
    const stats = seedActivationStats(this.tf, op.fn, out, this.S);
    if (this.currentStats) this.downloads.discard(this.currentStats);
    this.currentStats = this.downloads.add(stats);
  }

  private newGroup(): Group {
    const stride = Math.max(1, Math.ceil(this.net.depth / MAX_STATS_LAYERS));
    const g: Group = { denseIndices: [], gram: null, representation: null, gaps: [], stats: null, sampled: this.groups.length % stride === 0 };
    this.groups.push(g);
    this.currentStats = null;
    return g;
  }

  private async closeGroup(group: Group, x: Tensor2D): Promise<void> {
    if (group.denseIndices.length === 0) {
      // Leading ops before the first weight (e.g. the norm of norm-linear-act) belong to the next block.
      this.groups.pop();
      return;
    }
    group.gram = await this.gramOf(x);
    if (gapFromRepresentation(x.shape[0] / this.S, this.input.n)) group.representation = this.downloads.add(this.tf.clone(x));
    if (group.sampled) {
      // The last activation's output; a block without an activation reports its output (nothing can saturate there).
      group.stats = this.currentStats ?? this.downloads.add(seedActivationStats(this.tf, null, x, this.S));
    }
    this.currentStats = null;
  }

  /** XᵀX of each seed's d×n representation ([S·n, n]), computed once per tensor. */
  private async gramOf(x: Tensor2D): Promise<Download> {
    const known = this.gramByTensor.get(x.id);
    if (known) return known;
    const d = this.downloads.add(await bandedGrams(this.tf, x, this.S, this.pause));
    this.gramByTensor.set(x.id, d);
    return d;
  }

  private lossAndGrad(x: Tensor2D): { loss: Tensor; dx: Tensor2D } {
    const { input } = this;
    const labels = new Int32Array(this.S * input.n);
    this.inputs.forEach((i, s) => labels.set(i.labels, s * input.n));
    const { loss, dx } = lossAndGradient(this.tf, x, this.readout!, this.readoutT!, { labels, n: input.n, classes: input.classes, loss: input.loss });
    return { loss, dx: this.tensors.own(dx) };
  }

  // ---------- backward ----------

  private async backwardEntry(entry: TapeEntry, g: Tensor2D): Promise<Tensor2D> {
    const { tf } = this;
    switch (entry.kind) {
      case 'dense': {
        const w = entry.w ?? this.takeWeight(entry.op);
        this.denseGramGrad[entry.index] = this.downloads.add(await bandedGrams(tf, g, this.S, this.pause));
        this.denseScaleCount[entry.index] = this.scales.length;
        const dx = this.tensors.own(await banded(tf, g, 2 * entry.op.fanIn * entry.op.fanOut * this.S, (band) => w.applyTransposed(band), this.pause));
        this.layersDone++;
        this.disposeWeight(w);
        return dx;
      }
      case 'norm': {
        const dx = this.tensors.own(normBackward(tf, g, entry.y, entry.inv, entry, this.S));
        this.tensors.unhold(entry.y);
        this.tensors.unhold(entry.inv);
        return dx;
      }
      case 'activation': {
        const { fn, gain, slope } = entry.fn;
        const u = entry.input;
        const dx = this.tensors.own(activationBackward(tf, g, u, fn, gain, slope));
        if (fn !== 'identity') this.tensors.unhold(u);
        return dx;
      }
      case 'residual': {
        let h = this.tensors.own(tf.mul(g, this.scalar(entry.alpha)) as Tensor2D);
        for (let i = entry.body.length - 1; i >= 0; i--) {
          const next = await this.backwardEntry(entry.body[i], h);
          this.tensors.release(h);
          h = next;
        }
        const dx = this.tensors.own(tf.add(g, h) as Tensor2D);
        this.tensors.release(h);
        return dx;
      }
    }
  }

  /** g / max|g| per seed, remembering each seed's ln max|g| (on the device until the next download). */
  private rescale(g: Tensor2D): Tensor2D {
    const { tf } = this;
    // An exactly zero signal stays zero (scaled by 1/TINY) and logs −∞: every gradient below it is exactly zero.
    const [scaled, logScale] = rescaleByMaxAbs(tf, g, TINY, this.S);
    this.scales.push(this.downloads.add(logScale));
    this.tensors.release(g);
    return this.tensors.own(scaled);
  }

  // ---------- weights ----------

  /**
   * Draws the weights the next op needs (W_ℓ on the device, from the seed) before the op runs: making a weight may read
   * back a small product (./haar), and reads are awaited. The time counts as init.
   */
  private async prepareWeights(ops: readonly DenseHostOp[], use: WeightUse): Promise<void> {
    const t0 = performance.now();
    const yielded0 = this.yieldMs;
    const step = use === 'backward' ? -1 : 1;
    for (const op of ops) {
      const factorsOf = (seed: number): Promise<HouseholderFactors> | undefined => (usesHouseholderFactors(this.tf, op) ? this.householderFactors(seed, op, step) : undefined);
      const w = await seedBatchWeight(this.tf, op, this.seeds, use, this.input.weightForm ?? 'auto', factorsOf, this.pause);
      for (const t of w.tensors) this.tensors.own(t);
      this.prepared.set(op.index, w);
    }
    this.initMs += performance.now() - t0 - (this.yieldMs - yielded0);
  }

  /**
   * W_ℓ's Householder factors for `seed`, asked of the host pool together with those of the next layers in the pass's
   * direction (`step` = 1 forward, −1 for weights drawn again backward), so that their O(d²) draws run on other cores
   * meanwhile. At most PREFETCH_BYTES of factors (all seeds together) are asked ahead.
   */
  private householderFactors(seed: number, op: DenseHostOp, step: 1 | -1): Promise<HouseholderFactors> {
    const pool = this.hostPool;
    const { size } = householderDraw(op);
    const ahead = Math.max(0, Math.min(pool.size, Math.floor(PREFETCH_BYTES / (4 * size * size * this.S))));
    const key = (index: number): string => `${seed}:${index}`;
    for (let k = 0; k <= ahead; k++) {
      const next = this.denseByIndex[op.index + k * step];
      if (!next || this.factorsAhead.has(key(next.index)) || !usesHouseholderFactors(this.tf, next)) continue;
      const draw = householderDraw(next);
      this.factorsAhead.set(
        key(next.index),
        pool.householder(draw.size, seed, draw.stream).catch(() => drawHouseholderFactors(draw.size, new Rng(seed, draw.stream))),
      );
    }
    const factors = this.factorsAhead.get(key(op.index))!;
    this.factorsAhead.delete(key(op.index));
    return factors;
  }

  private takeWeight(op: DenseHostOp): DeviceWeight {
    const w = this.prepared.get(op.index);
    if (!w) throw new Error(`internal: weight ${op.index} was not prepared`);
    this.prepared.delete(op.index);
    return w;
  }

  private disposeWeight(w: DeviceWeight): void {
    for (const t of w.tensors) this.tensors.dispose(t);
  }

  // ---------- bookkeeping ----------

  /** A scalar tensor made once per value and pass (kept out of any enclosing tidy): a JS number operand would upload a new
   *  one on every op on webgpu. */
  private scalar(value: number): Scalar {
    let s = this.scalars.get(value);
    if (!s) {
      s = this.tensors.own(this.tf.keep(this.tf.scalar(value)));
      this.scalars.set(value, s);
    }
    return s;
  }

  /**
   * Hands every block output's Gram (or representation, ./blockGap) downloaded so far to the host pool: the O(n³)
   * reductions run on worker threads while the pass goes on.
   */
  private postGaps(): void {
    const n = this.input.n;
    for (const group of this.groups) {
      if (group.gaps.length > 0 || !group.gram?.data || (group.representation && !group.representation.data)) continue;
      const all = group.gram.data;
      const stacked = group.representation?.data ?? null;
      const last = this.denseByIndex[group.denseIndices[group.denseIndices.length - 1]];
      const d = stacked ? stacked.length / (n * this.S) : last.fanOut;
      for (let s = 0; s < this.S; s++) {
        const gram = all.subarray(s * n * n, (s + 1) * n * n);
        const representation = stacked ? stacked.subarray(s * d * n, (s + 1) * d * n) : null;
        group.gaps.push(blockGap(this.hostPool, { gram, representation, d, n, accumulation: last.fanIn }));
      }
      // Only φ needs X (the Gram stays for the gradient norm): not held until the end of the pass.
      group.representation = null;
    }
  }

  /** Checked after every op without an `await` (each one would cost a microtask turn, several per layer). */
  private dueForYield(): boolean {
    return Date.now() - this.lastYield >= YIELD_EVERY_MS || this.downloads.pendingCount >= MAX_PENDING_DOWNLOADS;
  }

  /** Between the bands of a long product (./bands): the pass's own yield, when due. */
  private readonly pause = async (): Promise<void> => {
    if (this.dueForYield()) await this.yieldNow();
  };

  /** Every ~50 ms of work: download what is pending, let the event loop run, honour a cancel, report progress. */
  private async yieldNow(): Promise<void> {
    const t0 = performance.now();
    await this.downloads.flush();
    this.postGaps();
    await yieldToEventLoop();
    this.lastYield = Date.now();
    this.yieldMs += performance.now() - t0;
    throwIfAborted(this.hooks.signal);
    // layersDone counts dense layers forward (0..L) then backward (L..2L).
    const depth = this.net.depth;
    const layer = this.layersDone < depth ? this.layersDone : 2 * depth - this.layersDone;
    this.hooks.onProgress?.(Math.min(1, this.layersDone / Math.max(1, 2 * depth)), Math.max(0, Math.min(depth - 1, layer)));
  }

  disposeAll(): void {
    this.tensors.disposeAll();
    this.downloads.disposeAll();
  }
}

/** Whether a pass over these ops with a batch of n, for `seeds` seeds at once, keeps every weight from the forward to the backward pass. */
export function keepsWeights(ops: readonly HostOp[], n: number, budgetBytes?: number, seeds = 1): boolean {
  return seeds * keptWeightBytes(ops) <= (budgetBytes ?? Math.max(MIN_WEIGHT_BUDGET_BYTES, seeds * denseOutputBytes(ops, n)));
}

/** float32 bytes of all kept weights of a network: each is held as W and Wᵀ (a factored one takes about as much). */
export function keptWeightBytes(ops: readonly HostOp[]): number {
  let bytes = 0;
  for (const op of ops) {
    if (op.kind === 'dense') bytes += 8 * op.fanIn * op.fanOut;
    else if (op.kind === 'residual') bytes += keptWeightBytes(op.body);
  }
  return bytes;
}

/** float32 bytes of every dense layer's fanOut × n output: the order of the activations the backward pass stores. */
function denseOutputBytes(ops: readonly HostOp[], n: number): number {
  let bytes = 0;
  for (const op of ops) {
    if (op.kind === 'dense') bytes += 4 * op.fanOut * n;
    else if (op.kind === 'residual') bytes += denseOutputBytes(op.body, n);
  }
  return bytes;
}

/**
 * A block starts at top-level op i when it holds a weight, except that when the network opens with a norm (norm-linear-act)
 * each norm directly before a weight starts the block instead.
 */
function startsBlock(ops: HostOp[], i: number): boolean {
  const normLeads = ops[0].kind === 'norm';
  if (normLeads && ops[i].kind === 'norm') return i + 1 < ops.length && holdsWeight(ops[i + 1]);
  if (!holdsWeight(ops[i])) return false;
  return !(normLeads && ops[i - 1].kind === 'norm');
}

/** The dense ops of a top-level op, in forward order (a residual block's body may hold several). */
function denseOpsOf(op: HostOp): DenseHostOp[] {
  if (op.kind === 'dense') return [op];
  return op.kind === 'residual' ? op.body.flatMap(denseOpsOf) : [];
}

/** The dense entries of a tape entry whose weight was not kept and must be drawn again for the backward pass. */
function redrawnOpsOf(entry: TapeEntry): DenseHostOp[] {
  if (entry.kind === 'dense') return entry.w ? [] : [entry.op];
  return entry.kind === 'residual' ? entry.body.flatMap(redrawnOpsOf) : [];
}

function holdsWeight(op: HostOp): boolean {
  return op.kind === 'dense' || (op.kind === 'residual' && op.body.some(holdsWeight));
}
