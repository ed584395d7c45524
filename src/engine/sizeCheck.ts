// A size check before a pass starts: a network too large for the backend's memory is a clear error naming the spec keys
// to change, instead of a wasm abort or an out-of-memory crash halfway through.
import type { Spec } from '../spec/types';
import { buildHostNetwork, type HostNetwork, type HostOp } from './network';
import { keepsWeights, keptWeightBytes } from './pass';
import { resizeSpec } from './resize';

import { RunTooLargeError } from './errors';

/**
 * The wasm heap is capped at 4 GiB (wasm32). The prediction below is an upper bound measured on wasm (docs: README
 * "Limits"); the rest is left to the runtime's own allocations and the heap's growth steps.
 */
export const WASM_HEAP_LIMIT_BYTES = 4 * 2 ** 30;
const DEVICE_LIMIT_BYTES = 3.5 * 2 ** 30;
/** Host-side Grams (float32) kept until the backward pass has used them. */
const HOST_LIMIT_BYTES = 3 * 2 ** 30;
/** What the engine process holds before any run: Node, tfjs and the wasm module (measured: 150–200 MiB resident, more with the host pool's worker threads). */
export const PROCESS_BASE_BYTES = 320 * 2 ** 20;
/** The wasm runtime's own heap before any tensor. */
const DEVICE_BASE_BYTES = 32 * 2 ** 20;
/** Temporaries of one layer's forward and backward step, in units of the layer's largest tensor (measured up to ~11). */
const WORKSPACE_TENSORS = 12;
/** Tensors of fanOut × n kept per weight layer for the backward pass, and n × n Grams awaiting download (see pass.ts). */
const SAVED_PER_LAYER = 3;
const GRAMS_PER_LAYER = 2;
const MAX_PENDING_GRAM_LAYERS = 512;

export interface PassFootprint {
  /** Backend memory (the wasm heap, or GPU memory): weights, the activations kept for the backward pass, the Grams awaiting
   *  download, and the workspace of the largest layer; an upper bound of what wasm was measured to use. */
  deviceBytes: number;
  /** Two n×n Grams per weight layer, downloaded and kept until the end of the pass (float32). */
  hostBytes: number;
  /** The parts of deviceBytes, for messages. */
  weightBytes: number;
  activationBytes: number;
  workspaceBytes: number;
}

/**
 * The footprint of one pass of `seeds` seeds at once (./seedBatch): every tensor of the pass is stacked over the seeds, so
 * all parts but the runtime's base grow S-fold.
 */
export function passFootprint(net: HostNetwork, n: number, seeds = 1): PassFootprint {
  let largestWeight = 0;
  let saved = 0;
  let denseLayers = 0;
  let orthogonalFactors = 0;
  let largestTensor = 4 * n * n;
  const walk = (ops: HostOp[]): void => {
    for (const op of ops) {
      if (op.kind === 'dense') {
        denseLayers++;
        largestWeight = Math.max(largestWeight, 4 * op.fanIn * op.fanOut);
        saved += SAVED_PER_LAYER * 4 * op.fanOut * n;
        const square = 4 * Math.max(op.fanIn, op.fanOut) ** 2;
        // An orthogonal W is made from Householder factors of its larger side, formed or applied block by block.
        if (op.init === 'orthogonal') orthogonalFactors = Math.max(orthogonalFactors, 2 * square);
        largestTensor = Math.max(largestTensor, op.init === 'orthogonal' ? square : 4 * op.fanIn * op.fanOut, 4 * op.fanOut * n, 4 * op.fanIn * n);
      } else if (op.kind === 'residual') {
        saved += 4 * net.width * n; // the skip input, held until the branch has run
        walk(op.body);
      }
    }
  };
  walk(net.ops);
  // Kept weights are held as W and Wᵀ (factored ones take about as much); otherwise each is drawn twice, two alive at once,
  // with the Householder factors of the one being made.
  const weightBytes = seeds * (keepsWeights(net.ops, n, undefined, seeds) ? keptWeightBytes(net.ops) : 2 * largestWeight + orthogonalFactors);
  const grams = GRAMS_PER_LAYER * Math.min(denseLayers, MAX_PENDING_GRAM_LAYERS) * 4 * n * n;
  const activationBytes = seeds * (saved + grams);
  const workspaceBytes = seeds * WORKSPACE_TENSORS * largestTensor + DEVICE_BASE_BYTES;
  return { deviceBytes: weightBytes + activationBytes + workspaceBytes, hostBytes: seeds * 4 * 2 * net.depth * n * n, weightBytes, activationBytes, workspaceBytes };
}

/** Predicted peak resident memory of the engine process for one pass on wasm/cpu: the process, the heap, the host Grams and the data set. */
export function predictedProcessBytes(net: HostNetwork, n: number, dataBytes = 0): number {
  const f = passFootprint(net, n);
  return PROCESS_BASE_BYTES + f.deviceBytes + f.hostBytes + dataBytes;
}

/**
 * What the backend can hold: wasm's heap is capped in total; a GPU's largest buffer is a WebGPU limit, its total memory is
 * known only where the platform tells it (backends/gpuMemoryTotal).
 */
export interface DeviceCapacity {
  /** Largest single GPU buffer (min of the device's maxBufferSize and maxStorageBufferBindingSize); absent on CPU backends. */
  maxBufferBytes?: number;
  /** The GPU's total memory, where known, and where that number came from. */
  totalBytes?: number;
  totalSource?: string;
}

/** Of a GPU's total memory, what a run may plan to use: the rest is the driver's, the display's and other processes'. */
export const GPU_USABLE_SHARE = 0.9;

function fitsGpuTotal(deviceBytes: number, capacity: DeviceCapacity): boolean {
  return capacity.totalBytes === undefined || deviceBytes <= GPU_USABLE_SHARE * capacity.totalBytes;
}

/** Float32 bytes of the largest single tensor of the pass (of `seeds` seeds stacked): a weight (W formed on a GPU), a representation, a Gram. */
export function largestTensorBytes(net: HostNetwork, n: number, seeds = 1): number {
  let largest = 4 * n * n;
  const walk = (ops: HostOp[]): void => {
    for (const op of ops) {
      if (op.kind === 'dense') largest = Math.max(largest, 4 * Math.max(op.fanIn, op.fanOut) ** 2, 4 * op.fanOut * n, 4 * op.fanIn * n);
      else if (op.kind === 'residual') walk(op.body);
    }
  };
  walk(net.ops);
  return seeds * largest;
}

const gib = (b: number): string => (b / 2 ** 30).toFixed(1);
const mib = (b: number): string => (b / 2 ** 20).toFixed(0);

/**
 * Throws RunTooLargeError (at the spec key to change) when the pass would not fit: on a GPU its largest tensor against the
 * largest buffer, on wasm/cpu the predicted heap against what wasm32 can address. `fits(width)` says whether the same run at
 * another width would fit, for the message's largest width that does.
 */
export function assertPassFits(net: HostNetwork, n: number, capacity: DeviceCapacity = {}, fits?: (width: number) => boolean): void {
  const f = passFootprint(net, n);
  if (capacity.maxBufferBytes !== undefined) {
    const largest = largestTensorBytes(net, n);
    if (largest > capacity.maxBufferBytes) {
      const widthFits = Math.floor(Math.sqrt(capacity.maxBufferBytes / 4) / 64) * 64;
      throw new RunTooLargeError(
        `the network's largest tensor (a ${net.width}-wide weight or representation) needs ${mib(largest)} MiB, more than the ` +
          `${mib(capacity.maxBufferBytes)} MiB this GPU allows in one buffer: reduce model.width or data.batch (width ${widthFits} fits)`,
        'model.width',
      );
    }
    if (!fitsGpuTotal(f.deviceBytes, capacity)) {
      const largest = fits ? largestWidth(net.width, fits) : 0;
      const hint = largest > 0 ? `width ${largest} fits at this depth and batch` : 'no width fits at this depth and batch';
      throw new RunTooLargeError(
        `the run is predicted to need ${gib(f.deviceBytes)} GiB of GPU memory (weights ${gib(f.weightBytes)}, activations and Grams of ` +
          `${net.depth} layers of width ${net.width} for a batch of ${n} ${gib(f.activationBytes)}, workspace ${gib(f.workspaceBytes)}), more than ` +
          `${Math.round(GPU_USABLE_SHARE * 100)}% of this GPU's ${gib(capacity.totalBytes!)} GiB (${capacity.totalSource ?? 'its total memory'}): ` +
          `reduce model.width (${hint}), data.batch or model.depth`,
        'model.width',
      );
    }
  } else if (f.deviceBytes > DEVICE_LIMIT_BYTES) {
    const largest = fits ? largestWidth(net.width, fits) : 0;
    const hint = largest > 0 ? `width ${largest} fits at this depth and batch` : 'no width fits at this depth and batch';
    throw new RunTooLargeError(
      `the run is predicted to need ${gib(f.deviceBytes)} GiB of backend memory (weights ${gib(f.weightBytes)}, activations and Grams of ` +
        `${net.depth} layers of width ${net.width} for a batch of ${n} ${gib(f.activationBytes)}, workspace ${gib(f.workspaceBytes)}), more than ` +
        `the ${gib(DEVICE_LIMIT_BYTES)} GiB usable of wasm's ${gib(WASM_HEAP_LIMIT_BYTES)} GiB heap: reduce model.width (${hint}), ` +
        `data.batch or model.depth, or run on a GPU (--backend webgpu)`,
      'model.width',
    );
  }
  if (f.hostBytes > HOST_LIMIT_BYTES) {
    throw new RunTooLargeError(
      `the diagnostics need about ${gib(f.hostBytes)} GiB of ${n}×${n} Gram matrices (two per layer, ${net.depth} layers), more than ` +
        `the ${gib(HOST_LIMIT_BYTES)} GiB allowed: reduce data.batch or model.depth, or use a quick run`,
      'data.batch',
    );
  }
}

/** The largest multiple of 64 below `width` for which `fits` holds (0: none). */
function largestWidth(width: number, fits: (width: number) => boolean): number {
  let lo = 0;
  let hi = Math.floor((width - 1) / 64);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid * 64)) lo = mid;
    else hi = mid - 1;
  }
  return lo * 64;
}

/**
 * Whether a pass of this network (for `seeds` seeds at once) fits the backend's memory: the same test as assertPassFits,
 * without the message; on a GPU a batch of seeds is also held to GPU_SEED_BATCH_BYTES.
 */
export function passFits(net: HostNetwork, n: number, capacity: DeviceCapacity = {}, seeds = 1): boolean {
  const f = passFootprint(net, n, seeds);
  if (f.hostBytes > HOST_LIMIT_BYTES) return false;
  if (capacity.maxBufferBytes !== undefined) {
    return largestTensorBytes(net, n, seeds) <= capacity.maxBufferBytes && fitsGpuTotal(f.deviceBytes, capacity) && (seeds === 1 || f.deviceBytes <= GPU_SEED_BATCH_BYTES);
  }
  return f.deviceBytes <= DEVICE_LIMIT_BYTES;
}

/**
 * GPU memory a batch of seeds may take (passFootprint's bound): WebGPU does not tell a device's total, and batching helps
 * where a pass is dispatch-bound, i.e. small layers, far below this; a larger run goes in chunks of fewer seeds.
 */
export const GPU_SEED_BATCH_BYTES = 2 * 2 ** 30;

/** The most of `seeds` seeds one pass can take at once within the backend's memory (at least 1). */
export function seedsPerPassThatFit(net: HostNetwork, n: number, capacity: DeviceCapacity, seeds: number): number {
  let k = seeds;
  while (k > 1 && !passFits(net, n, capacity, k)) k--;
  return k;
}

/**
 * assertPassFits for a spec, before its data is read: `features` is the input width (a file's is not known yet; the
 * check is repeated on each seed's real network). The message's fitting width comes from re-expanding the spec at
 * smaller widths (compact form; features follow the width when they were equal).
 */
export function assertSpecFits(spec: Spec, features: number, classes: number, n: number, capacity: DeviceCapacity = {}): void {
  const net = buildHostNetwork(spec.model.layers, features, classes, 0);
  const fits = (width: number): boolean => {
    const smaller = resizeSpec(spec, spec.model.depth, width);
    if (!smaller) return false;
    return passFits(buildHostNetwork(smaller.model.layers, features === spec.model.width ? width : features, classes, 0), n, capacity);
  };
  assertPassFits(net, n, capacity, fits);
}
