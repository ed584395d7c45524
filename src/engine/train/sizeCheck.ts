// How much memory a training run needs, so a run that cannot fit the wasm heap is skipped with a reason instead of
// aborting the wasm module (an abort leaves the backend unusable for the rest of the process).
import type { Spec } from '../../spec/types';
import { buildHostNetwork, type HostOp } from '../network';

/** The wasm heap is capped at 4 GiB; leave room for the data, the diagnostics' leftovers and heap fragmentation. */
export const WASM_TRAINING_BUDGET_BYTES = 3 * 2 ** 30;

/**
 * Bytes of float32 tensors alive at the peak of one training step: per dense layer about 12 batch×width activations kept
 * for the backward pass (measured on wasm: ≈ 9–10, plus margin) and 6 + (optimizer slots) weight-sized matrices
 * (weights, transposes, gradients, updates).
 */
export function trainingBytes(spec: Spec, features: number, batch: number): number {
  const slots = spec.train?.optimizer === 'adam' ? 2 : spec.train?.optimizer === 'momentum' ? 1 : 0;
  const host = buildHostNetwork(spec.model.layers, features, spec.data.classes, 0);
  let elements = 0;
  const walk = (ops: HostOp[]): void => {
    for (const op of ops) {
      if (op.kind === 'dense') elements += 12 * batch * Math.max(op.fanIn, op.fanOut) + (6 + slots) * op.fanIn * op.fanOut;
      else if (op.kind === 'residual') walk(op.body);
    }
  };
  walk(host.ops);
  return 4 * elements;
}

/** Why this run cannot train on this backend, or null when it fits. */
export function memoryProblem(backendName: string, spec: Spec, features: number, batch: number): string | null {
  if (backendName !== 'wasm') return null;
  const bytes = trainingBytes(spec, features, batch);
  if (bytes <= WASM_TRAINING_BUDGET_BYTES) return null;
  const gib = (b: number): string => (b / 2 ** 30).toFixed(1);
  return (
    `training depth ${spec.model.depth}, width ${spec.model.width}, batch ${batch} needs about ${gib(bytes)} GiB of tensors, over the ` +
    `${gib(WASM_TRAINING_BUDGET_BYTES)} GiB the wasm backend can hold; lower the depth, width or train.batch, or use tfjs-node`
  );
}
