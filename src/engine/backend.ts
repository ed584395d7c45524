// Chooses, initialises and reports the TensorFlow.js backend (DESIGN §4).
// A choice forces one backend; asking for a missing one is a clear error naming how to install it. `auto` takes a native
// TensorFlow package where one is installed, else compares the predicted seconds of wasm and of a hardware WebGPU adapter
// for the run at hand (./backends/cost), and falls back to the pure-JS cpu backend last. Optional packages are loaded only
// from DepthLens's own install and the extension's storage (./backends/packages), never from the workspace.
import * as tfjs from '@tensorflow/tfjs';
import { setWasmPaths, version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BackendChoice, BackendName } from '../shared/result';
import { AUTO_GPU_MARGIN, predictGpu, predictWasm, workloadText, type Workload } from './backends/cost';
import { initNative, type NativeChoice } from './backends/native';
import { BackendUnavailableError, type Backend } from './backends/types';
import { CancelledError } from './errors';
import { gpuMemoryTotal } from './backends/gpuMemoryTotal';
import { describeAdapter, deviceLimits, GpuUnavailableError, requestAdapter, type GpuAdapterLike } from './backends/webgpu';
import { registerWebGpuKernels } from './kernels/webgpu';
import { calibrateMatMul } from './kernels/webgpu/matmulChoice';

export { BackendUnavailableError, type Backend, type Tf } from './backends/types';
export type { Workload } from './backends/cost';

const WASM_FILE = 'tfjs-backend-wasm-simd.wasm';
/** The work of a quick run (the extension's default caps): what `auto` plans for when it is not told the run's size. */
const QUICK_WORKLOAD: Workload = { width: 64, batch: 32, features: 64, depth: 100, passes: 2, orthogonal: true };

const started = new Map<Exclude<BackendChoice, 'auto'>, Backend>();
let wasmPathsSet = false;
/** The adapter probe of this process: a hardware adapter, or why there is none. */
let adapterProbe: Promise<GpuAdapterLike | string> | null = null;

/**
 * Initialises the requested backend (for 'auto': the one predicted fastest for `workload`) and verifies tfjs really
 * switched to it. The returned info says why it was chosen.
 */
export async function selectBackend(choice: BackendChoice, nativeModulePaths: readonly string[] = [], workload?: Workload): Promise<Backend> {
  const chosen =
    choice === 'auto'
      ? await selectAuto(nativeModulePaths, workload ?? QUICK_WORKLOAD)
      : withReason(await start(choice, nativeModulePaths), `asked for by name (the depthlens.backend setting or --backend ${choice})`);
  return chosen.info.name === 'webgpu' && workload ? withMatMulChoice(chosen, workload) : chosen;
}

/** webgpu: tfjs's matmul or the tiled one for this run's width, measured once per device and width class (kernels/webgpu/matmulChoice). */
async function withMatMulChoice(b: Backend, workload: Workload): Promise<Backend> {
  registerWebGpuKernels();
  const matmul = await calibrateMatMul(b.tf, workload.width, workload.batch, { software: b.info.adapter?.software ?? false });
  return { ...b, info: { ...b.info, matmul } };
}

async function start(choice: Exclude<BackendChoice, 'auto'>, roots: readonly string[]): Promise<Backend> {
  const known = started.get(choice);
  if (known) {
    // Bundled backends share one tfjs engine: switch it back to this one if another ran since.
    if (known.tf === tfjs && tfjs.getBackend() !== known.info.name) await switchTo(known.info.name);
    return known;
  }
  const backend =
    choice === 'tfjs-node-gpu' || choice === 'tfjs-node'
      ? await initNative(choice as NativeChoice, roots)
      : choice === 'webgpu'
        ? await initWebGpu(roots)
        : await initBundled(choice);
  started.set(choice, backend);
  return backend;
}

async function selectAuto(roots: readonly string[], workload: Workload): Promise<Backend> {
  const skipped: string[] = [];
  for (const native of ['tfjs-node-gpu', 'tfjs-node'] as const) {
    try {
      const b = await start(native, roots);
      return withReason(b, `auto: native TensorFlow (${native}) is installed${skipped.length ? `; ${skipped.join('; ')}` : ''}`);
    } catch (e) {
      if (!(e instanceof BackendUnavailableError) || !/not installed/.test(e.message)) skipped.push(`${native} failed: ${firstLine(e)}`);
    }
  }
  const wasmCost = predictWasm(workload);
  const size = workloadText(workload);
  // Small runs never look for a GPU: loading Dawn and enumerating adapters costs time (and, on a machine without a Vulkan
  // driver, the loader's warnings on stderr) for a choice that is already made.
  const warmGpu = predictGpu(workload, true);
  const adapter =
    warmGpu.seconds * AUTO_GPU_MARGIN < wasmCost.seconds
      ? await probeAdapter(roots)
      : `not looked for: ${size} is predicted at ${fmt(wasmCost.seconds)} on wasm and ${fmt(warmGpu.seconds)} even on a started GPU ` +
        `(${warmGpu.detail}), short of auto's ${AUTO_GPU_MARGIN}× margin`;
  if (typeof adapter === 'string') {
    skipped.push(`webgpu: ${adapter}`);
  } else {
    const gpu = describeAdapter(adapter);
    const gpuCost = predictGpu(workload, started.has('webgpu'));
    const gpuName = `${gpu.vendor} ${gpu.device || gpu.architecture}`.trim();
    if (gpuCost.seconds * AUTO_GPU_MARGIN < wasmCost.seconds) {
      try {
        const b = await start('webgpu', roots);
        return withReason(b, `auto: ${size} is predicted at ${fmt(gpuCost.seconds)} on the GPU (${gpuName}, ${gpuCost.detail}) against ${fmt(wasmCost.seconds)} on wasm`);
      } catch (e) {
        skipped.push(`webgpu failed: ${firstLine(e)}`);
      }
    } else {
      skipped.push(
        `the GPU (${gpuName}) is not predicted ${AUTO_GPU_MARGIN}× faster for ${size}: ${fmt(gpuCost.seconds)} against ${fmt(wasmCost.seconds)} on wasm (${gpuCost.detail})`,
      );
    }
  }
  try {
    return withReason(await start('wasm', roots), `auto: wasm; ${skipped.join('; ')}`);
  } catch (e) {
    skipped.push(`wasm failed: ${firstLine(e)}`);
  }
  try {
    return withReason(await start('cpu', roots), `auto: cpu (last resort); ${skipped.join('; ')}`);
  } catch (e) {
    skipped.push(`cpu failed: ${firstLine(e)}`);
  }
  throw new BackendUnavailableError(`no TensorFlow.js backend could be initialised:\n  ${skipped.join('\n  ')}`);
}

/** A hardware adapter, or the one-line reason there is none; asked once per process. */
function probeAdapter(roots: readonly string[]): Promise<GpuAdapterLike | string> {
  adapterProbe ??= (async () => {
    try {
      const adapter = await requestAdapter(roots);
      const info = describeAdapter(adapter);
      return info.software ? `the only adapter is a software one (${info.architecture || info.device}: ${info.description}), never chosen by auto` : adapter;
    } catch (e) {
      return firstLine(e);
    }
  })();
  return adapterProbe;
}

function withReason(b: Backend, reason: string): Backend {
  return { ...b, info: { ...b.info, reason } };
}

async function switchTo(name: BackendName): Promise<void> {
  const ok = await tfjs.setBackend(name);
  if (!ok || tfjs.getBackend() !== name) throw new BackendUnavailableError(`the ${name} backend failed to start again (tfjs is on "${tfjs.getBackend()}")`);
}

async function initBundled(choice: 'wasm' | 'cpu'): Promise<Backend> {
  if (choice === 'wasm') configureWasmPaths();
  try {
    await switchTo(choice);
  } catch (e) {
    throw new BackendUnavailableError(`the ${choice} backend failed to start: ${firstLine(e)}`);
  }
  await tfjs.ready();
  if (choice === 'wasm') {
    const simd = (await tfjs.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
    // Threads are hard-disabled in Node by tfjs (issue #3830): one thread, reported as such.
    return { tf: tfjs, info: { name: 'wasm', version: version_wasm, threads: 1, simd } };
  }
  return { tf: tfjs, info: { name: 'cpu', version: tfjs.version_core, threads: 1 } };
}

/**
 * When running from a bundle (dist/engine.js, dist/cli.js) the .wasm files sit next to it (scripts/build.mjs copies them);
 * unbundled, the package finds its own files.
 */
function configureWasmPaths(): void {
  if (wasmPathsSet) return;
  wasmPathsSet = true;
  if (typeof __dirname === 'string' && existsSync(join(__dirname, WASM_FILE))) setWasmPaths(join(__dirname, '/'));
}

/**
 * tfjs's WebGPUBackend on a device of our own asking: the adapter's limits (so large buffers fit), loss watched. A lost
 * device (driver reset, GPU removed, destroy()) drops the backend: the run in flight fails with a clear error and the next
 * one starts a new device.
 */
async function initWebGpu(roots: readonly string[]): Promise<Backend> {
  let adapter: GpuAdapterLike;
  try {
    adapter = await requestAdapter(roots);
  } catch (e) {
    throw new BackendUnavailableError(e instanceof GpuUnavailableError ? e.message : `no WebGPU adapter: ${firstLine(e)}`);
  }
  const info = describeAdapter(adapter);
  const limits = deviceLimits(adapter);
  const device = await adapter.requestDevice({ requiredLimits: limits });
  // Loaded only now: the package registers its own 'webgpu' factory at import when navigator.gpu exists; ours replaces it.
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  if (tfjs.findBackendFactory('webgpu')) tfjs.removeBackend('webgpu');
  tfjs.registerBackend('webgpu', () => new WebGPUBackend(device as unknown as GPUDeviceForTfjs, adapter.info as unknown as GPUAdapterInfoForTfjs), 0);
  try {
    await switchTo('webgpu');
  } catch (e) {
    device.destroy();
    throw new BackendUnavailableError(`the webgpu backend failed to start on ${info.vendor} ${info.device}: ${firstLine(e)}`);
  }
  await tfjs.ready();
  const loss = { why: null as string | null };
  const maxBufferBytes = Math.min(limits.maxBufferSize ?? Infinity, limits.maxStorageBufferBindingSize ?? Infinity);
  const total = await gpuMemoryTotal(info);
  if (total) {
    info.memoryBytes = total.bytes;
    info.memorySource = total.source;
  }
  const totalCapacity = total ? { totalBytes: total.bytes, totalSource: total.source } : {};
  const backend: Backend = {
    tf: tfjs,
    info: { name: 'webgpu', version: tfjs.version_core, threads: 1, adapter: info },
    device,
    gpuLoss: loss,
    ...(Number.isFinite(maxBufferBytes) ? { capacity: { maxBufferBytes, ...totalCapacity } } : {}),
  };
  void device.lost.then(({ reason, message }) => {
    loss.why = `${reason}${message ? `: ${message}` : ''}`;
    if (started.get('webgpu') === backend) started.delete('webgpu');
    adapterProbe = null;
  });
  return backend;
}

/**
 * The error to report for a failure on a backend whose GPU device was lost meanwhile (the failure itself is then only a
 * symptom: an empty message, a mapping error); null when the device is fine.
 */
export function deviceLossError(backend: Backend, cause: unknown): Error | null {
  const why = backend.gpuLoss?.why;
  if (!why || cause instanceof CancelledError) return null;
  return new GpuDeviceLostError(`the GPU device was lost during the run (${why}); the next run starts a new device`);
}

export class GpuDeviceLostError extends Error {}

type GPUDeviceForTfjs = ConstructorParameters<typeof import('@tensorflow/tfjs-backend-webgpu').WebGPUBackend>[0];
type GPUAdapterInfoForTfjs = ConstructorParameters<typeof import('@tensorflow/tfjs-backend-webgpu').WebGPUBackend>[1];

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}

function fmt(seconds: number): string {
  return seconds < 10 ? `${seconds.toFixed(2)} s` : `${Math.round(seconds)} s`;
}
