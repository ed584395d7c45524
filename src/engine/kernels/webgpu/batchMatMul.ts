// Which matmul serves tfjs's BatchMatMul on each WebGPU device: tfjs's own or the tiled one of ./matmul. tfjs's kernel is
// replaced by one that asks, per call, what the device was set to (by the calibration of ./calibrate, or by hand), and
// hands anything the tiled kernel does not take (other dtypes, rank > 3, broadcast batches, empty outputs) to tfjs's. So
// every tf.matMul of the engine — the pass's W·X and Wᵀ·G, the Grams, rank-3 batched products — follows the choice
// without the pass knowing of it.
import * as tfjs from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { matMulShape, tiledMatMul } from './matmul';

export type MatMulKernel = 'tiled' | 'tfjs';

const choices = new WeakMap<GPUDevice, MatMulKernel>();

/** Makes `device`'s tf.matMul use `kernel` (until set again, or the device is lost). */
export function setMatMulKernel(device: GPUDevice, kernel: MatMulKernel): void {
  choices.set(device, kernel);
}

/** The matmul `device` uses: tfjs's until calibrated or set. */
export function matMulKernelOf(device: GPUDevice): MatMulKernel {
  return choices.get(device) ?? 'tfjs';
}

function deviceOf(backend: unknown): GPUDevice | null {
  const device = (backend as { device?: GPUDevice } | null)?.device;
  return device ?? null;
}

/** Whether the tiled kernel takes this product. */
function tiledTakes(a: TensorInfo, b: TensorInfo, transA: boolean, transB: boolean): boolean {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return false;
  const s = matMulShape(a.shape, b.shape, transA, transB);
  return s !== null && s.batch * s.m * s.n > 0;
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
    if (device && matMulKernelOf(device) === 'tiled' && tiledTakes(a, b, transA, transB)) return tiledMatMul(args.backend, a, b, transA, transB);
    return tfjsKernel.kernelFunc(args);
  };
  ours.add(choosing);
  tfjs.unregisterKernel(tfjs.BatchMatMul, 'webgpu');
  tfjs.registerKernel({ ...tfjsKernel, kernelFunc: choosing });
}

/** Inputs {a, b}, attrs {transposeA, transposeB}: always the tiled kernel (rank 2 or 3; tests and the benchmark). */
export const tiledMatMulKernel: KernelFunc = ({ inputs, backend, attrs }) =>
  tiledMatMul(backend, inputs.a as TensorInfo, inputs.b as TensorInfo, Boolean(attrs?.transposeA), Boolean(attrs?.transposeB));
