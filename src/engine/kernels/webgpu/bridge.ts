// Runs our own compute dispatches inside tfjs-backend-webgpu (4.22): inputs are read from the buffers of its tensor map,
// outputs are allocated by it (so tfjs owns and frees them), and every dispatch is recorded into its pending compute pass,
// so that it runs in order with tfjs's own kernels and shares its submit batching.
/// <reference types="@webgpu/types" />
import * as tfjs from '@tensorflow/tfjs';
import type { DataId, TensorInfo } from '@tensorflow/tfjs';

/** The WebGPUBackend members used here; several are private in its typings, hence declared again. */
interface TfjsWebGpuBackend {
  device: GPUDevice;
  tensorMap: { get(dataId: DataId): { dtype: string; resource?: unknown } | undefined };
  commandEncoder: GPUCommandEncoder | null;
  computePassEncoder: GPUComputePassEncoder | null;
  commandQueueOwnedIds: WeakSet<DataId>;
  dispatchCountInPass: number;
  makeTensorInfo(shape: number[], dtype: 'float32'): TensorInfo;
  uploadToGPU(dataId: DataId): void;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
}

const METHODS = ['makeTensorInfo', 'uploadToGPU', 'ensureCommandEncoderReady', 'endComputePassEncoder', 'submitQueue'] as const;
const checked = new WeakSet<object>();

function asWebGpu(backend: unknown): TfjsWebGpuBackend {
  const b = backend as unknown as TfjsWebGpuBackend;
  if (!checked.has(b)) {
    const missing = METHODS.filter((m) => typeof b[m] !== 'function');
    if (!b.device || !b.tensorMap || !(b.commandQueueOwnedIds instanceof WeakSet) || typeof b.dispatchCountInPass !== 'number') missing.push('device/tensorMap/pass state' as never);
    if (missing.length) throw new Error(`DepthLens WebGPU kernels: tfjs-backend-webgpu lacks the internals they use (${missing.join(', ')}); a tfjs upgrade changed them`);
    checked.add(b);
  }
  return b;
}

/** One kernel invocation's view of the backend. */
export class Gpu {
  readonly device: GPUDevice;
  private readonly owned: DataId[] = [];
  private readonly backend: TfjsWebGpuBackend;

  /** `backend`: the kernel's backend, which must be tfjs's WebGPUBackend. */
  constructor(backend: unknown) {
    this.backend = asWebGpu(backend);
    this.device = this.backend.device;
  }

  /** The GPUBuffer of a float32 input, uploaded first when its values are still on the host. */
  input(t: TensorInfo): GPUBuffer {
    if (t.dtype !== 'float32') throw new Error(`DepthLens WebGPU kernels take float32 tensors, got ${t.dtype}`);
    this.backend.uploadToGPU(t.dataId);
    const resource = this.backend.tensorMap.get(t.dataId)?.resource;
    if (!(resource instanceof GPUBuffer)) throw new Error('DepthLens WebGPU kernels: the input is not held in a GPUBuffer');
    this.owned.push(t.dataId);
    return resource;
  }

  /** A new float32 output of `shape`, allocated (uninitialised) from tfjs's buffer pool. */
  output(shape: number[]): { info: TensorInfo; buffer: GPUBuffer } {
    const info = this.backend.makeTensorInfo(shape, 'float32');
    this.backend.uploadToGPU(info.dataId);
    const resource = this.backend.tensorMap.get(info.dataId)?.resource as GPUBuffer;
    this.owned.push(info.dataId);
    return { info, buffer: resource };
  }

  /**
   * Records a dispatch into tfjs's open compute pass (dispatches of one pass are ordered: each sees the writes of those
   * before it). The tensors used so far are marked as owned by the pending command buffer, so that disposing them before
   * the submit defers the release of their buffers, as tfjs does for its own programs.
   */
  dispatch(pipeline: GPUComputePipeline, bindGroup: GPUBindGroup, x: number, y: number, z = 1): void {
    const b = this.backend;
    for (const id of this.owned) b.commandQueueOwnedIds.add(id);
    b.ensureCommandEncoderReady();
    b.computePassEncoder ??= (b.commandEncoder as GPUCommandEncoder).beginComputePass();
    b.computePassEncoder.setPipeline(pipeline);
    b.computePassEncoder.setBindGroup(0, bindGroup);
    b.computePassEncoder.dispatchWorkgroups(x, y, z);
    b.dispatchCountInPass++;
    if (b.dispatchCountInPass >= tfjs.env().getNumber('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE')) {
      b.endComputePassEncoder();
      b.submitQueue();
    }
  }
}
