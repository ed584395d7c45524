// The diagnostic pass's bookkeeping (./pass), apart from its computation: which tensors the pass owns and which the
// backward pass still holds (the ledger), and the device values wanted on the host, downloaded in batches (the queue).
import type { Tensor } from '@tensorflow/tfjs';
import type { Tf } from './backend';

/** Tensors created by a pass and still alive, with the holds the backward pass (or a pending residual add) keeps on them. */
export class TensorLedger {
  private readonly owned = new Set<Tensor>();
  /** Tensors still needed, with the number of holders. */
  private readonly saved = new Map<Tensor, number>();

  own<T extends Tensor>(t: T): T {
    this.owned.add(t);
    return t;
  }

  hold(t: Tensor): void {
    this.saved.set(t, (this.saved.get(t) ?? 0) + 1);
  }

  /** Drops one hold; the last one releases the tensor. */
  unhold(t: Tensor): void {
    const count = (this.saved.get(t) ?? 0) - 1;
    if (count > 0) this.saved.set(t, count);
    else {
      this.saved.delete(t);
      this.release(t);
    }
  }

  /** Disposes a tensor of this pass unless something still holds it. */
  release(t: Tensor): void {
    if (this.saved.has(t) || !this.owned.has(t)) return;
    this.dispose(t);
  }

  dispose(t: Tensor): void {
    this.saved.delete(t);
    if (this.owned.delete(t)) t.dispose();
  }

  disposeAll(): void {
    for (const t of this.owned) t.dispose();
    this.owned.clear();
    this.saved.clear();
  }
}

/** A device tensor whose values are wanted on the host; filled by `DownloadQueue.flush`. */
export interface Download {
  tensor: Tensor;
  data: Float32Array | null;
}

/** Device values queued for the host and downloaded together, one transfer per shape. */
export class DownloadQueue {
  private readonly all: Download[] = [];
  private pending: Download[] = [];

  constructor(private readonly tf: Tf) {}

  /** Downloads queued since the last flush. */
  get pendingCount(): number {
    return this.pending.length;
  }

  /** Queues `t` (the queue takes it over: it is disposed once downloaded). */
  add(t: Tensor): Download {
    const d: Download = { tensor: t, data: null };
    this.all.push(d);
    this.pending.push(d);
    return d;
  }

  /** Drops a queued download that is no longer wanted, and its tensor. */
  discard(d: Download): void {
    d.tensor.dispose();
    this.pending = this.pending.filter((p) => p !== d);
    const k = this.all.indexOf(d);
    if (k >= 0) this.all.splice(k, 1);
  }

  /**
   * Downloads every pending tensor, one transfer per shape (Grams, scalars, statistics): tensors of one shape are
   * concatenated (stacked, for scalars) as they are, so no kernel is spent reshaping each of them.
   */
  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const byShape = new Map<string, Download[]>();
    for (const d of this.pending) {
      const key = d.tensor.shape.join('×');
      const same = byShape.get(key);
      if (same) same.push(d);
      else byShape.set(key, [d]);
    }
    this.pending = [];
    const { tf } = this;
    for (const batch of byShape.values()) {
      const tensors = batch.map((d) => d.tensor);
      const all = batch.length === 1 ? tensors[0] : tensors[0].rank === 0 ? tf.stack(tensors) : tf.concat(tensors, 0);
      const data = (await all.data()) as Float32Array;
      if (all !== tensors[0]) all.dispose();
      let offset = 0;
      for (const d of batch) {
        const size = d.tensor.size;
        d.data = data.slice(offset, offset + size);
        offset += size;
        d.tensor.dispose();
      }
    }
  }

  /** Disposes every tensor still queued or never downloaded (a pass that ended early). */
  disposeAll(): void {
    for (const d of this.all) if (!d.tensor.isDisposed) d.tensor.dispose();
  }
}
