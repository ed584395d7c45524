// A growing list of float64 values kept in fixed blocks, so that reading a large file never reallocates (and copies)
// one ever larger array: the peak is the values once in blocks plus once in the final array.
const BLOCK = 2 ** 20;

export class ValueStore {
  private readonly blocks: Float64Array[] = [];
  private current = new Float64Array(BLOCK);
  private used = 0;
  private total = 0;

  get length(): number {
    return this.total;
  }

  push(v: number): void {
    if (this.used === BLOCK) {
      this.blocks.push(this.current);
      this.current = new Float64Array(BLOCK);
      this.used = 0;
    }
    this.current[this.used++] = v;
    this.total++;
  }

  /** All values in one array. The store is spent afterwards (its blocks can be collected): push no more. */
  toArray(): Float64Array {
    const out = new Float64Array(this.total);
    let at = 0;
    for (const b of this.blocks) {
      out.set(b, at);
      at += b.length;
    }
    out.set(this.current.subarray(0, this.used), at);
    this.blocks.length = 0;
    this.current = new Float64Array(0);
    this.used = 0;
    this.total = 0;
    return out;
  }
}
