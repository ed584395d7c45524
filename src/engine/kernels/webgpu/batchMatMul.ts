// Which matmul serves tfjs's BatchMatMul on each WebGPU device: tfjs's own or the tiled one of ./matmul. tfjs's kernel is
// replaced by one that asks, per call, what the device was set to (by the calibration of ./calibrate, or by hand), and
// hands anything the tiled kernel does not take (other dtypes, rank > 3, batches of A and B that differ and neither is 1,
// and — unless the choice says every product — products with too few output tiles to fill a GPU without splitting K) to
// tfjs's. So every tf.matMul of the engine — the pass's W·X and Wᵀ·G, the Grams, rank-3 batched products — follows the
// choice without the pass knowing of it.
import * as tfjs from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { matMulShape, tiledMatMul, tiledServes } from './matmul';

export type MatMulKernel = 'tiled' | 'tfjs';

interface Choice {
  kernel: MatMulKernel;
  /** The tiled kernel takes even the products with few output tiles (tests, the benchmark). */
  everyProduct: boolean;
}

const choices = new WeakMap<GPUDevice, Choice>();

/**
 * Makes `device`'s tf.matMul use `kernel` (until set again, or the device is lost). 'tiled' leaves the products with few
 * output tiles (./matmul tiledServes) to tfjs's unless `everyProduct`.
 */
export function setMatMulKernel(device: GPUDevice, kernel: MatMulKernel, options: { everyProduct?: boolean } = {}): void {
  choices.set(device, { kernel, everyProduct: options.everyProduct ?? false });
}

/** The matmul `device` uses: tfjs's until calibrated or set. */
export function matMulKernelOf(device: GPUDevice): MatMulKernel {
  return choices.get(device)?.kernel ?? 'tfjs';
}

function deviceOf(backend: unknown): GPUDevice | null {
  const device = (backend as { device?: GPUDevice } | null)?.device;
  return device ?? null;
}

/** Whether the tiled kernel, once chosen, takes this product (float32, rank ≤ 3, enough output tiles: ./matmul tiledServes). */
function tiledTakes(a: TensorInfo, b: TensorInfo, transA: boolean, transB: boolean, everyProduct: boolean): boolean {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return false;
  const s = matMulShape(a.shape, b.shape, transA, transB);
  return s !== null && s.batch * s.m * s.n > 0 && (everyProduct || tiledServes(s));
}

const ours = new WeakSet<KernelFunc>();

/** Replaces the webgpu BatchMatMul by the choosing one (once; tfjs's own stays reachable through it). */
export function installMatMulChoice(): void {
  const current = tfjs.getKernel(tfjs.BatchMatMul, 'webgpu');
  if (!current || ours.has(current.kernelFunc)) return;
  const tfjsKernel: KernelConfig = current;
  const choosing: KernelFunc = (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const transA = Boolean(args.attrs?.transposeA);
    const transB = Boolean(args.attrs?.transposeB);
    const device = deviceOf(args.backend);
    const choice = device ? choices.get(device) : undefined;
    if (choice?.kernel === 'tiled' && tiledTakes(a, b, transA, transB, choice.everyProduct)) return tiledMatMul(args.backend, a, b, transA, transB);
    return tfjsKernel.kernelFunc(args);
  };
  ours.add(choosing);
  tfjs.unregisterKernel(tfjs.BatchMatMul, 'webgpu');
  tfjs.registerKernel({ ...tfjsKernel, kernelFunc: choosing });
}

/** Inputs {a, b}, attrs {transposeA, transposeB}: always the tiled kernel (rank 2 or 3; tests and the benchmark). */
export const tiledMatMulKernel: KernelFunc = ({ inputs, backend, attrs }) =>
  tiledMatMul(backend, inputs.a as TensorInfo, inputs.b as TensorInfo, Boolean(attrs?.transposeA), Boolean(attrs?.transposeB));
