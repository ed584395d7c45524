// A fixed random teacher network that labels synthetic inputs, so that training on a synthetic source has a learnable target
// (accuracy above chance means something was learnt).
import { dataRng, normals } from './random';

/** Teacher scoring between two pauses while balancing: ~50 ms of JS arithmetic. */
const SCORE_CHUNK_FLOPS = 5e7;

/**
 * labels = argmax(V · tanh(U x̂) − b), x̂ = x / rms(x): one hidden tanh layer of width `hidden` with Gaussian weights, and
 * per-class offsets b chosen so every class is about equally frequent on the source's own distribution (otherwise a
 * correlated source would put nearly every sample in one class).
 */
export class Teacher {
  private readonly u: Float64Array;
  private readonly v: Float64Array;
  private readonly offsets: Float64Array;
  private readonly hidden: number;

  private constructor(
    readonly features: number,
    readonly classes: number,
    seed: number,
  ) {
    const rng = dataRng(seed, 'teacher');
    this.hidden = Math.max(2 * classes, Math.min(features, 64));
    this.u = normals(rng, this.hidden * features);
    this.v = normals(rng, classes * this.hidden);
    for (let i = 0; i < this.u.length; i++) this.u[i] *= 2 / Math.sqrt(features);
    for (let i = 0; i < this.v.length; i++) this.v[i] /= Math.sqrt(this.hidden);
    this.offsets = new Float64Array(classes);
  }

  /**
   * A teacher whose class offsets are balanced on `reference` (samples from the source distribution, row-major). Scoring
   * them is ~2·hidden·features flops a sample (0.5 GFLOP for 2048 samples at 4096 features), so it goes a chunk of samples
   * at a time with `pause` between chunks: a cancel is seen within one chunk.
   */
  static async create(features: number, classes: number, seed: number, reference: Float64Array, pause: () => Promise<void>): Promise<Teacher> {
    const teacher = new Teacher(features, classes, seed);
    const count = reference.length / features;
    const chunk = Math.max(1, Math.floor(SCORE_CHUNK_FLOPS / (2 * teacher.hidden * features)));
    const scores = new Float64Array(count * classes);
    for (let j = 0; j < count; j += chunk) {
      const end = Math.min(count, j + chunk);
      scores.set(teacher.scores(reference.subarray(j * features, end * features)), j * classes);
      await pause();
    }
    teacher.balance(scores);
    return teacher;
  }

  /** Raw teacher scores, row-major [count][classes], before the balancing offsets. */
  private scores(x: Float64Array): Float64Array {
    const d = this.features;
    const count = x.length / d;
    const out = new Float64Array(count * this.classes);
    const h = new Float64Array(this.hidden);
    for (let j = 0; j < count; j++) {
      let sq = 0;
      for (let i = 0; i < d; i++) sq += x[j * d + i] ** 2;
      const scale = sq > 0 ? 1 / Math.sqrt(sq / d) : 0;
      for (let k = 0; k < this.hidden; k++) {
        let s = 0;
        for (let i = 0; i < d; i++) s += this.u[k * d + i] * x[j * d + i];
        h[k] = Math.tanh(s * scale);
      }
      for (let c = 0; c < this.classes; c++) {
        let s = 0;
        for (let k = 0; k < this.hidden; k++) s += this.v[c * this.hidden + k] * h[k];
        out[j * this.classes + c] = s;
      }
    }
    return out;
  }

  label(x: Float64Array): Int32Array {
    const scores = this.scores(x);
    const count = scores.length / this.classes;
    const labels = new Int32Array(count);
    for (let j = 0; j < count; j++) labels[j] = this.argmax(scores, j);
    return labels;
  }

  private argmax(scores: Float64Array, j: number): number {
    let best = 0;
    let bestScore = -Infinity;
    for (let c = 0; c < this.classes; c++) {
      const s = scores[j * this.classes + c] - this.offsets[c];
      if (s > bestScore) {
        bestScore = s;
        best = c;
      }
    }
    return best;
  }

  // A few rounds of raising the offset of over-represented classes: a simple fixed-point balancing of the argmax.
  private balance(scores: Float64Array): void {
    const count = scores.length / this.classes;
    if (count === 0) return;
    for (let c = 0; c < this.classes; c++) {
      let s = 0;
      for (let j = 0; j < count; j++) s += scores[j * this.classes + c];
      this.offsets[c] = s / count;
    }
    let spread = 0;
    for (let i = 0; i < scores.length; i++) spread += scores[i] ** 2;
    let step = Math.sqrt(spread / scores.length) * 0.2;
    const target = count / this.classes;
    for (let round = 0; round < 40; round++) {
      const counts = new Float64Array(this.classes);
      for (let j = 0; j < count; j++) counts[this.argmax(scores, j)]++;
      for (let c = 0; c < this.classes; c++) this.offsets[c] += step * Math.tanh((counts[c] - target) / target);
      step *= 0.9;
    }
  }
}
