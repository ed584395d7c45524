// Peak GPU memory of a webgpu run: tfjs's buffer manager reports the bytes it has allocated on the device (pooled buffers
// included, which is what the device really holds); sampled whenever the run reports progress (every ~50 ms of work) and
// once at the end.
import type { Tf } from './backend';

interface WebGpuMemoryInfo {
  numBytesInGPU?: number;
  numBytesAllocatedInGPU?: number;
}

export class PeakGpuMemory {
  private max = 0;

  constructor(private readonly tf: Tf) {
    this.sample();
  }

  sample(): void {
    const m = this.tf.memory() as WebGpuMemoryInfo;
    const bytes = m.numBytesAllocatedInGPU ?? m.numBytesInGPU ?? 0;
    if (bytes > this.max) this.max = bytes;
  }

  get peak(): number {
    this.sample();
    return this.max;
  }
}
