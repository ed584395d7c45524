// Per-device caches, so that a dispatch creates nothing: compute pipelines with explicit layouts (by shader variant),
// uniform and scratch buffers (by kernel, attributes and shape), and bind groups (by the buffers they bind).
/// <reference types="@webgpu/types" />

/** How a binding is used: the uniform block, a read-only storage buffer, or a written one. Binding i is the i-th entry. */
export type BindingKind = 'uniform' | 'read' | 'write';

/** One 4-byte member of a uniform block of scalars. */
export type Word = { u32: number } | { f32: number };

export interface Program {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  /** Bind groups by the ids of the buffers they bind. */
  bindGroups: Map<string, GPUBindGroup>;
}

/** Bind groups kept per program: the pass reuses a few pooled buffers per shape; past this the map is started again. */
const MAX_BIND_GROUPS = 256;

export class DeviceCache {
  private readonly programs = new Map<string, Program>();
  private readonly plans = new Map<string, unknown>();
  private readonly bufferIds = new WeakMap<GPUBuffer, number>();
  private nextBufferId = 0;

  constructor(readonly device: GPUDevice) {}

  /** The program of shader variant `key`; `code` is only called the first time. */
  program(key: string, bindings: readonly BindingKind[], code: () => string): Program {
    let p = this.programs.get(key);
    if (!p) {
      const layout = this.device.createBindGroupLayout({
        entries: bindings.map((kind, binding) => ({
          binding,
          visibility: GPUShaderStage.COMPUTE,
          buffer: { type: kind === 'uniform' ? 'uniform' : kind === 'read' ? 'read-only-storage' : 'storage' },
        })),
      });
      const module = this.device.createShaderModule({ code: code(), label: key });
      const pipeline = this.device.createComputePipeline({
        label: key,
        layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
        compute: { module, entryPoint: 'main' },
      });
      p = { pipeline, layout, bindGroups: new Map() };
      this.programs.set(key, p);
    }
    return p;
  }

  /** What `make` builds for `key` (a kernel's programs and buffers for one set of attributes and shape), built once. */
  plan<T>(key: string, make: () => T): T {
    let plan = this.plans.get(key) as T | undefined;
    if (plan === undefined) {
      plan = make();
      this.plans.set(key, plan);
    }
    return plan;
  }

  /** A uniform buffer holding `words` (each a u32 or an f32 by its own type), written once. */
  uniform(words: readonly Word[]): GPUBuffer {
    const data = new ArrayBuffer(Math.max(16, Math.ceil((words.length * 4) / 16) * 16));
    const u = new Uint32Array(data);
    const f = new Float32Array(data);
    words.forEach((w, i) => {
      if ('u32' in w) u[i] = w.u32;
      else f[i] = w.f32;
    });
    const buffer = this.device.createBuffer({ size: data.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.device.queue.writeBuffer(buffer, 0, data);
    return buffer;
  }

  /** A storage buffer for values one dispatch of a kernel leaves to the next (dispatches run in order, so it is reused). */
  scratch(bytes: number): GPUBuffer {
    return this.device.createBuffer({ size: Math.max(16, Math.ceil(bytes / 4) * 4), usage: GPUBufferUsage.STORAGE });
  }

  bindGroup(program: Program, buffers: readonly GPUBuffer[]): GPUBindGroup {
    let key = '';
    for (const b of buffers) key += `${this.idOf(b)},`;
    let group = program.bindGroups.get(key);
    if (!group) {
      if (program.bindGroups.size >= MAX_BIND_GROUPS) program.bindGroups.clear();
      group = this.device.createBindGroup({ layout: program.layout, entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })) });
      program.bindGroups.set(key, group);
    }
    return group;
  }

  private idOf(b: GPUBuffer): number {
    let id = this.bufferIds.get(b);
    if (id === undefined) {
      id = this.nextBufferId++;
      this.bufferIds.set(b, id);
    }
    return id;
  }
}

const caches = new WeakMap<GPUDevice, DeviceCache>();

/** The caches of `device` (a new device, after a loss, starts empty). */
export function cacheOf(device: GPUDevice): DeviceCache {
  let c = caches.get(device);
  if (!c) {
    c = new DeviceCache(device);
    caches.set(device, c);
  }
  return c;
}
