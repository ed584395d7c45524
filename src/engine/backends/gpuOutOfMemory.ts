// WebGPU does not tell how much memory the GPU has: Dawn knows the heaps (its AdapterPropertiesMemoryHeaps feature) but
// the `webgpu` package's binding (0.6.2) exposes neither that feature nor GPUAdapterInfo.memoryHeaps, so a run cannot be
// held to the GPU's memory before it starts (only its largest buffer is checked, ../sizeCheck). What can be done is to
// notice running out: a buffer the GPU could not allocate is an out-of-memory error in an error scope, and everything that
// uses the invalid buffer afterwards raises validation errors while tfjs goes on computing garbage. The watch below
// catches the first, stops the run at the second, and the run fails with a clear too-large error instead of a result.
import type { GpuDeviceLike } from './webgpu';

/** The parts of GPUDevice the watch uses (Dawn's Node binding has them all). */
export interface GpuErrorScopes {
  pushErrorScope(filter: 'out-of-memory' | 'validation' | 'internal'): void;
  popErrorScope(): Promise<{ message: string } | null>;
  addEventListener(type: 'uncapturederror', listener: (event: { error?: { message?: string } }) => void): void;
  removeEventListener(type: 'uncapturederror', listener: (event: { error?: { message?: string } }) => void): void;
}

function hasErrorScopes(device: GpuDeviceLike): device is GpuDeviceLike & GpuErrorScopes {
  const d = device as Partial<GpuErrorScopes>;
  return typeof d.pushErrorScope === 'function' && typeof d.popErrorScope === 'function' && typeof d.addEventListener === 'function' && typeof d.removeEventListener === 'function';
}

export interface OutOfMemoryWatch {
  /** Ends the watch: the GPU's out-of-memory message when the run ran out of memory, else null. */
  stop(): Promise<string | null>;
  /** The first uncaptured GPU error of the run (the one that stopped it), or null. */
  firstError(): string | null;
}

/**
 * Watches a run on `device` for running out of GPU memory; `onFirstError` is called (once) at the first uncaptured GPU
 * error, which is how a failed allocation shows while the run goes on (so the caller can stop it). Null where the device
 * has no error scopes.
 */
export function watchOutOfMemory(device: GpuDeviceLike, onFirstError: () => void): OutOfMemoryWatch | null {
  if (!hasErrorScopes(device)) return null;
  let firstError: string | null = null;
  const listener = (event: { error?: { message?: string } }): void => {
    if (firstError !== null) return;
    firstError = event.error?.message ?? 'a GPU error';
    onFirstError();
  };
  device.addEventListener('uncapturederror', listener);
  device.pushErrorScope('out-of-memory');
  let stopped: Promise<string | null> | null = null;
  return {
    firstError: () => (firstError === null ? null : firstLine(firstError)),
    stop: () => {
      stopped ??= device.popErrorScope().then(
        (error) => {
          device.removeEventListener('uncapturederror', listener);
          if (error) return firstLine(error.message);
          // The allocation failed outside the scope's reach (another scope in between): its fallout names it.
          return firstError !== null && /out of memory|OUT_OF_(DEVICE|HOST)_MEMORY|invalid due to a previous error/i.test(firstError) ? firstLine(firstError) : null;
        },
        () => {
          device.removeEventListener('uncapturederror', listener);
          return null;
        },
      );
      return stopped;
    },
  };
}

function firstLine(message: string): string {
  return message.split('\n')[0].trim();
}
