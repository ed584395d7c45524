// Registers DepthLens's fused WebGPU kernels (normalization, rescale, activation, the Haar init's reflectors and compact-WY factor,
// the tiled matmul) with tfjs's 'webgpu' backend, and puts tfjs's BatchMatMul behind the per-device matmul choice.
import * as tfjs from '@tensorflow/tfjs';
import type { KernelFunc } from '@tensorflow/tfjs';
import { activationBackwardKernel, activationForwardKernel } from './activation';
import { installMatMulChoice, tiledMatMulKernel } from './batchMatMul';
import { ACTIVATION_BACKWARD, ACTIVATION_FORWARD, NORM_BACKWARD, NORM_FORWARD, REFLECTOR_BLOCK, RESCALE, TILED_MATMUL, WY_FACTOR } from './names';
import { normBackwardKernel, normForwardKernel } from './norm';
import { rescaleKernel } from './rescale';
import { reflectorBlockKernel } from './reflectors';
import { wyFactorKernel } from './wyFactor';

export { ACTIVATION_BACKWARD, ACTIVATION_FORWARD, NORM_BACKWARD, NORM_FORWARD, REFLECTOR_BLOCK, RESCALE, TILED_MATMUL, WY_FACTOR } from './names';
export { reflectorKeyValues } from './reflectors';
export { matMulKernelOf, setMatMulKernel, type MatMulKernel } from './batchMatMul';

const KERNELS: [string, KernelFunc][] = [
  [NORM_FORWARD, normForwardKernel],
  [NORM_BACKWARD, normBackwardKernel],
  [RESCALE, rescaleKernel],
  [ACTIVATION_FORWARD, activationForwardKernel],
  [ACTIVATION_BACKWARD, activationBackwardKernel],
  [WY_FACTOR, wyFactorKernel],
  [REFLECTOR_BLOCK, reflectorBlockKernel],
  [TILED_MATMUL, tiledMatMulKernel],
];

/** Registers the kernels for the 'webgpu' backend; later calls do nothing. */
export function registerWebGpuKernels(): void {
  for (const [kernelName, kernelFunc] of KERNELS) {
    if (!tfjs.getKernel(kernelName, 'webgpu')) tfjs.registerKernel({ kernelName, backendName: 'webgpu', kernelFunc });
  }
  installMatMulChoice();
}
