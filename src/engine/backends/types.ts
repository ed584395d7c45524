// What a started backend is, shared by the chooser (../backend) and the loaders beside this file.
import type * as tfjs from '@tensorflow/tfjs';
import type { BackendInfo } from '../../shared/result';
import type { GpuDeviceLike } from './webgpu';

export type Tf = typeof tfjs;

export interface Backend {
  /** The tfjs namespace to compute with: a native package brings its own copy of tfjs-core. */
  tf: Tf;
  info: BackendInfo;
  /** The WebGPU device of a webgpu backend (for the engine's own kernels and for tests that lose it on purpose). */
  device?: GpuDeviceLike;
  /**
   * What a GPU backend can hold (the size check before a pass): its largest single buffer, and its total memory where the
   * platform tells it (./gpuMemoryTotal); absent on CPU backends.
   */
  capacity?: { maxBufferBytes: number; totalBytes?: number; totalSource?: string };
  /** Set (to the reason) once a webgpu backend's device is lost; shared by every copy of this backend's record. */
  gpuLoss?: { why: string | null };
}

export class BackendUnavailableError extends Error {}
