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

/** What the backend can hold: wasm's heap is capped in total; a GPU's total is not exposed by WebGPU, its largest buffer is. */
export interface DeviceCapacity {
  /** Largest single GPU buffer (min of the device's maxBufferSize and maxStorageBufferBindingSize); absent on CPU backends. */
  maxBufferBytes?: number;
}

/** Float32 bytes of the largest single tensor of the pass: a weight (W formed on a GPU), a representation, a Gram. */
export function largestTensorBytes(net: HostNetwork, n: number): number {
  let largest = 4 * n * n;
  const walk = (ops: HostOp[]): void => {
    for (const op of ops) {
      if (op.kind === 'dense') largest = Math.max(largest, 4 * Math.max(op.fanIn, op.fanOut) ** 2, 4 * op.fanOut * n, 4 * op.fanIn * n);
      else if (op.kind === 'residual') walk(op.body);
    }
  };
  walk(net.ops);
  return largest;
}

/** Throws when the pass would not fit; the message says what to reduce. */
export function assertPassFits(net: HostNetwork, n: number, capacity: DeviceCapacity = {}): void {
  const { deviceBytes, hostBytes } = passFootprint(net, n);
  const gib = (b: number): string => (b / 2 ** 30).toFixed(1);
  if (capacity.maxBufferBytes !== undefined) {
    const largest = largestTensorBytes(net, n);
    if (largest > capacity.maxBufferBytes) {
      const mib = (b: number): string => (b / 2 ** 20).toFixed(0);
      const fits = Math.floor(Math.sqrt(capacity.maxBufferBytes / 4) / 64) * 64;
      throw new RangeError(
        `the network's largest tensor (a ${net.width}-wide weight or representation) needs ${mib(largest)} MiB, more than the ` +
          `${mib(capacity.maxBufferBytes)} MiB this GPU allows in one buffer: reduce model.width or data.batch (width ${fits} fits)`,
      );
    }
  } else if (deviceBytes > DEVICE_LIMIT_BYTES) {
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
