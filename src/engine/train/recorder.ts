// One training record (Result.train.records[i]): loss and accuracy of the step's batch, held-out metrics, ln‖∇W_ℓ‖ of every
// layer, φ of the representation at a few layers and φ(W) of the middle weight matrices.
import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import type { LossKind } from '../../spec/types';
import type { TrainRecord } from '../../result';
import type { Tf } from '../backend';
import { logFrobeniusNorms, middleLayers, rowIsometryGaps, spreadLayers } from './metrics';
import { batchLoss, correctCount, type TrainableNetwork } from './model';

/** Layers whose representation isometry gap is recorded, and middle weight matrices whose φ(W) is recorded. */
const GAP_LAYERS = 4;
const WEIGHT_ISOMETRY_LAYERS = 3;

export interface DeviceBatch {
  x: Tensor2D;
  labels: Tensor;
  count: number;
}

/** What one step produced, as the recorder needs it (all owned by the caller). */
export interface StepTensors {
  logits: Tensor2D;
  batch: DeviceBatch;
  /** Gradients by variable name. */
  grads: Record<string, Tensor>;
  /** Block outputs of the layers in `gapLayers`. */
  captured: Map<number, Tensor2D>;
}

export class Recorder {
  /** Layers whose block output the forward pass must capture on record steps. */
  readonly gapLayers: ReadonlySet<number>;
  private readonly weightLayers: number[];

  constructor(
    private readonly tf: Tf,
    private readonly loss: LossKind,
    private readonly net: TrainableNetwork,
    private readonly evalChunks: DeviceBatch[],
  ) {
    this.gapLayers = new Set(spreadLayers(net.depth, GAP_LAYERS));
    const square = net.weights.flatMap((w, i) => (w.shape[0] === w.shape[1] ? [i] : []));
    this.weightLayers = middleLayers(square, WEIGHT_ISOMETRY_LAYERS);
  }

  record(step: number, loss: number, t: StepTensors): TrainRecord {
    const { tf, net } = this;
    const correct = tf.tidy(() => correctCount(tf, t.logits, t.batch.labels));
    const correctValue = correct.dataSync()[0];
    correct.dispose();
    const record: TrainRecord = {
      step,
      loss,
      accuracy: correctValue / t.batch.count,
      logGradNorm: logFrobeniusNorms(tf, net.weights.map((w) => t.grads[w.name])),
    };
    const evaluation = this.evaluate();
    if (evaluation) {
      record.evalLoss = evaluation.loss;
      record.evalAccuracy = evaluation.accuracy;
    }
    const gapAt = [...this.gapLayers].filter((l) => t.captured.has(l));
    if (gapAt.length > 0) {
      const gaps = rowIsometryGaps(tf, gapAt.map((l) => t.captured.get(l)!));
      record.isometryGap = gapAt.map((layer, i) => ({ layer, value: gaps[i] }));
    }
    if (this.weightLayers.length > 0) {
      // The variables hold Wᵀ (fanIn × fanOut): its rows are the columns of W, the "samples" of φ(W).
      const gaps = rowIsometryGaps(tf, this.weightLayers.map((l) => net.weights[l] as Tensor as Tensor2D));
      record.weightIsometry = this.weightLayers.map((layer, i) => ({ layer, value: gaps[i] }));
    }
    return record;
  }

  /** Loss and accuracy over the held-out chunks, each normalized with its own batch statistics. */
  private evaluate(): { loss: number; accuracy: number } | null {
    const { tf, net } = this;
    if (this.evalChunks.length === 0) return null;
    let lossSum = 0;
    let correct = 0;
    let count = 0;
    for (const chunk of this.evalChunks) {
      const sums = tf.tidy(() => {
        const { logits } = net.forward(chunk.x);
        return tf.stack([tf.mul(batchLoss(tf, this.loss, logits, chunk.labels), chunk.count), correctCount(tf, logits, chunk.labels)]);
      });
      const [l, c] = sums.dataSync();
      sums.dispose();
      lossSum += l;
      correct += c;
      count += chunk.count;
    }
    return { loss: lossSum / count, accuracy: correct / count };
  }
}
