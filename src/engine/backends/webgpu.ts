// The GPU backend: WebGPU through Dawn's Node binding (npm `webgpu`, binaries inside the package) under tfjs's
// WebGPUBackend, on whatever the platform offers (Vulkan, Metal, D3D12). The addon is loaded straight from its
// `dist/<platform>-<arch>/dawn.node` (N-API, so Electron's older Node loads it too, where `require` of the package's ES
// module entry would fail), only from DepthLens's own install or the extension's storage (./packages).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { GpuAdapterInfo } from '../../shared/result';
import { findPackage } from './packages';

/** The subset of the WebGPU API used here (the `webgpu` package ships its own full typings; the engine needs only these). */
export interface GpuAdapterLike {
  readonly info: { vendor: string; architecture: string; device: string; description: string; isFallbackAdapter?: boolean };
  readonly limits: Record<string, number>;
  readonly features: ReadonlySet<string>;
  requestDevice(descriptor?: { requiredLimits?: Record<string, number>; requiredFeatures?: string[] }): Promise<GpuDeviceLike>;
}

export interface GpuDeviceLike {
  readonly lost: Promise<{ reason: string; message: string }>;
  destroy(): void;
}

interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<GpuAdapterLike | null>;
}

interface DawnModule {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}

export class GpuUnavailableError extends Error {}

const PACKAGE = 'webgpu';
let dawn: { module: DawnModule; gpu: GpuLike } | null = null;

/** Loads dawn.node once per process and installs the WebGPU globals tfjs-backend-webgpu expects (navigator.gpu, GPUBufferUsage…). */
export function loadDawn(roots: readonly string[]): GpuLike {
  if (dawn) return dawn.gpu;
  const dir = findPackage(PACKAGE, roots);
  if (!dir) {
    throw new GpuUnavailableError(
      `the "${PACKAGE}" package (Dawn's WebGPU for Node) is not installed: reinstall DepthLens with optional dependencies, ` +
        `or run "DepthLens: Install Native or GPU Backend" and pick WebGPU`,
    );
  }
  const arch = process.platform === 'darwin' ? 'universal' : process.arch;
  const addon = join(dir, 'dist', `${process.platform}-${arch}`, 'dawn.node');
  let module: DawnModule;
  try {
    module = createRequire(join(dir, 'package.json'))(addon) as DawnModule;
  } catch (e) {
    throw new GpuUnavailableError(`Dawn's WebGPU addon failed to load for ${process.platform}-${arch} (${firstLine(e)})`);
  }
  Object.assign(globalThis, module.globals);
  const gpu = module.create([]);
  const g = globalThis as { navigator?: object };
  if (g.navigator) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  else g.navigator = { gpu, userAgent: `node ${process.version}` };
  dawn = { module, gpu };
  return gpu;
}

/** The high-performance adapter, or a clear error when the machine has none (no driver, no Vulkan loader, …). */
export async function requestAdapter(roots: readonly string[]): Promise<GpuAdapterLike> {
  const gpu = loadDawn(roots);
  let adapter: GpuAdapterLike | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    throw new GpuUnavailableError(`no WebGPU adapter: ${firstLine(e)}`);
  }
  if (!adapter) {
    throw new GpuUnavailableError(
      process.platform === 'linux'
        ? 'no WebGPU adapter: no Vulkan driver was found (install the GPU driver and the Vulkan loader, e.g. Debian/Ubuntu libvulkan1)'
        : 'no WebGPU adapter: the GPU driver offers none',
    );
  }
  return adapter;
}

/** Software rasterisers that expose themselves as GPUs: never chosen by `auto` (they are slower than wasm). */
const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render|warp/i;

export function describeAdapter(adapter: GpuAdapterLike): GpuAdapterInfo {
  const { vendor, architecture, device, description, isFallbackAdapter } = adapter.info;
  const software = isFallbackAdapter === true || SOFTWARE.test([vendor, architecture, device, description].join(' '));
  const info: GpuAdapterInfo = { vendor, architecture, device, description, software };
  const driver = /driver\s+(.+)$/i.exec(description)?.[1];
  if (driver) info.driver = driver.trim();
  return info;
}

/** Limits to ask of the device: the adapter's own maxima for what a large pass needs (buffers of a 8192² weight, etc.). */
export function deviceLimits(adapter: GpuAdapterLike): Record<string, number> {
  const wanted = [
    'maxBufferSize',
    'maxStorageBufferBindingSize',
    'maxComputeWorkgroupStorageSize',
    'maxComputeWorkgroupsPerDimension',
    'maxComputeWorkgroupSizeX',
    'maxComputeInvocationsPerWorkgroup',
    'maxStorageBuffersPerShaderStage',
  ];
  const limits: Record<string, number> = {};
  for (const k of wanted) if (typeof adapter.limits[k] === 'number') limits[k] = adapter.limits[k];
  return limits;
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}
