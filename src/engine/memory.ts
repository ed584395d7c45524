// A size check before a pass starts: a network too large for the backend's memory is a clear error naming the spec keys
// to change, instead of a wasm abort or an out-of-memory crash halfway through.
import type { HostNetwork, HostOp } from './network';
import { keepsWeights, keptWeightBytes } from './pass';

/** The wasm heap is capped at 4 GiB; leave room for the runtime and the current layer's temporaries. */
const DEVICE_LIMIT_BYTES = 3 * 2 ** 30;
/** Host-side Grams (float32) kept until the backward pass has used them. */
const HOST_LIMIT_BYTES = 3 * 2 ** 30;

export interface PassFootprint {
  /** Weights (all of them when the pass keeps them, see keepsWeights; else one layer at a time) and the activations the
   *  backward pass keeps, all layers at once (float32). */
  deviceBytes: number;
  /** Two n×n Grams per weight layer, downloaded and kept until the end of the pass (float32). */
  hostBytes: number;
}

export function passFootprint(net: HostNetwork, n: number): PassFootprint {
  let largestWeight = 0;
  let saved = 0;
  const walk = (ops: HostOp[]): void => {
    for (const op of ops) {
      if (op.kind === 'dense') {
        largestWeight = Math.max(largestWeight, 4 * op.fanIn * op.fanOut); // drawn as W forward, as Wᵀ backward
      } else if (op.kind === 'norm' || (op.kind === 'activation' && op.fn !== 'identity')) saved += 4 * net.width * n;
      else if (op.kind === 'residual') {
        saved += 4 * net.width * n; // the skip input, held until the branch has run
        walk(op.body);
      }
    }
  };
  walk(net.ops);
  const weightBytes = keepsWeights(net.ops, n) ? keptWeightBytes(net.ops) : largestWeight;
  return { deviceBytes: weightBytes + saved, hostBytes: 4 * 2 * net.depth * n * n };
}

/** Throws when the pass would not fit; the message says what to reduce. */
export function assertPassFits(net: HostNetwork, n: number): void {
  const { deviceBytes, hostBytes } = passFootprint(net, n);
  const gib = (b: number): string => (b / 2 ** 30).toFixed(1);
  if (deviceBytes > DEVICE_LIMIT_BYTES) {
    throw new RangeError(
      `the network needs about ${gib(deviceBytes)} GiB on the backend (the activations of ${net.depth} layers of width ${net.width} ` +
        `for a batch of ${n}, kept for the backward pass), more than the ${gib(DEVICE_LIMIT_BYTES)} GiB available: reduce ` +
        `model.depth, model.width or data.batch, or use a quick run`,
    );
  }
  if (hostBytes > HOST_LIMIT_BYTES) {
    throw new RangeError(
      `the diagnostics need about ${gib(hostBytes)} GiB of ${n}×${n} Gram matrices (two per layer, ${net.depth} layers), more than ` +
        `the ${gib(HOST_LIMIT_BYTES)} GiB allowed: reduce data.batch or model.depth, or use a quick run`,
    );
  }
}
