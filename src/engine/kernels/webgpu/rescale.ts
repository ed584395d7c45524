// The backward signal's rescale: scaled = g / max|g| and logScale = ln max|g|, with the composite ops' NaN/Inf results;
// with `seeds` > 1 the tensor holds that many seeds' signals one after another (../../seedBatch), each rescaled by its own
// maximum (logScale: one per seed), every dispatch covering all of them.
// max|g| is taken on the float bits: |v| is v's bits without the sign, and on those unsigned integers NaN > +Inf > every
// finite value, so one integer max finds NaN first, then +Inf, then the largest magnitude, whatever the GPU does with NaN
// in float max(). The special results are written as bit patterns for the same reason.
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { Gpu } from './bridge';
import { cacheOf, type DeviceCache, type Program } from './cache';
import { ENTRY_PARAMS, grid, LINEAR_WORKGROUP } from './grid';
import { RESCALE } from './names';

/**
 * 64 invocations: the reduction tree's barriers cost a software adapter in proportion to workgroup size (SwiftShader: 256
 * invocations made the rescale slower than tfjs's own max), and a GPU still has hundreds of workgroups on large tensors.
 */
const WORKGROUP = 64;
/** Up to this many elements one workgroup does everything in one dispatch. */
const SINGLE_WORKGROUP_MAX = 16384;
/** Larger tensors: the first dispatch leaves one partial maximum per this many elements (at most MAX_PARTIALS)… */
const ELEMENTS_PER_PARTIAL = 4096;
const MAX_PARTIALS = 1024;
/** …and each workgroup of the second reduces those partials again, then scales this many elements. */
const ELEMENTS_PER_SCALE_WORKGROUP = 16384;

const COMMON = `
const WG = ${WORKGROUP}u;
struct Params { n: u32, tiny: f32, partials: u32, blocks: u32 }
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> g: array<f32>;
var<workgroup> red: array<u32, ${WORKGROUP}>;

fn absBits(v: f32) -> u32 {
  return bitcast<u32>(v) & 0x7fffffffu;
}

// Max of v over the workgroup; every invocation must call it (it holds barriers).
fn maxAcrossWorkgroup(v: u32, li: u32) -> u32 {
  red[li] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    if (li < s) {
      red[li] = max(red[li], red[li + s]);
    }
    workgroupBarrier();
  }
  let m = red[0];
  workgroupBarrier();
  return m;
}

// Grid-stride max of |g| over the elements start, start + stride, … of the block at offset.
fn maxAbsFrom(offset: u32, start: u32, stride: u32) -> u32 {
  var m = 0u;
  for (var i = start; i < params.n; i = i + stride) {
    m = max(m, absBits(g[offset + i]));
  }
  return m;
}

struct Scale { k: f32, mbits: u32, logScale: f32 }

fn scaleOf(mbits: u32) -> Scale {
  let m = bitcast<f32>(mbits);
  if (mbits > 0x7f800000u) {
    return Scale(m, mbits, m);
  }
  if (mbits == 0x7f800000u) {
    return Scale(0.0, mbits, m);
  }
  if (mbits == 0u) {
    return Scale(1.0 / params.tiny, mbits, bitcast<f32>(mbits | 0xff800000u));
  }
  // Subnormal m: ln(bits · 2⁻¹⁴⁹), as the GPU may flush m itself to zero.
  let logM = select(log(m), log(f32(mbits)) - 103.27892990343185, mbits < 0x00800000u);
  return Scale(1.0 / max(m, params.tiny), mbits, logM);
}

fn scaled(v: f32, s: Scale) -> f32 {
  if (s.mbits > 0x7f800000u) {
    return s.k;
  }
  if (s.mbits == 0x7f800000u) {
    // g·0: NaN for ±Inf entries (the quiet bit set on their own bits), a signed zero for the others.
    let b = bitcast<u32>(v);
    return select(bitcast<f32>(b & 0x80000000u), bitcast<f32>(b | 0x00400000u), (b & 0x7fffffffu) == 0x7f800000u);
  }
  return v * s.k;
}
`;

const SINGLE = `${COMMON}
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read_write> logScale: array<f32>;

// One workgroup per block.
@compute @workgroup_size(${WORKGROUP})
fn main(${ENTRY_PARAMS}) {
  let b = ${LINEAR_WORKGROUP};
  if (b >= params.blocks) {
    return;
  }
  let offset = b * params.n;
  let s = scaleOf(maxAcrossWorkgroup(maxAbsFrom(offset, li, WG), li));
  if (li == 0u) {
    logScale[b] = s.logScale;
  }
  for (var i = li; i < params.n; i = i + WG) {
    out[offset + i] = scaled(g[offset + i], s);
  }
}
`;

const PARTIALS = `${COMMON}
@group(0) @binding(2) var<storage, read_write> partials: array<u32>;

// Workgroup (w, b): partial w of block b.
@compute @workgroup_size(${WORKGROUP})
fn main(${ENTRY_PARAMS}) {
  let w = wid.x;
  let m = maxAcrossWorkgroup(maxAbsFrom(wid.y * params.n, w * WG + li, params.partials * WG), li);
  if (li == 0u) {
    partials[wid.y * params.partials + w] = m;
  }
}
`;

const SCALE = `${COMMON}
@group(0) @binding(2) var<storage, read> partials: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read_write> logScale: array<f32>;

// Workgroups (x, y, b): block b's share, its partials reduced again by every workgroup.
@compute @workgroup_size(${WORKGROUP})
fn main(${ENTRY_PARAMS}) {
  let w = ${LINEAR_WORKGROUP};
  let b = wid.z;
  var p = 0u;
  for (var j = li; j < params.partials; j = j + WG) {
    p = max(p, partials[b * params.partials + j]);
  }
  let s = scaleOf(maxAcrossWorkgroup(p, li));
  if (w == 0u && li == 0u) {
    logScale[b] = s.logScale;
  }
  let offset = b * params.n;
  let stride = nwg.x * nwg.y * WG;
  for (var i = w * WG + li; i < params.n; i = i + stride) {
    out[offset + i] = scaled(g[offset + i], s);
  }
}
`;

type Plan =
  | { kind: 'single'; program: Program; uniform: GPUBuffer; grid: [number, number] }
  | { kind: 'two-pass'; first: Program; second: Program; uniform: GPUBuffer; partials: GPUBuffer; firstGrid: [number, number]; secondGrid: [number, number, number] };

/** `n`: elements per block, `blocks`: seeds. */
function planOf(cache: DeviceCache, n: number, blocks: number, tiny: number): Plan {
  return cache.plan(`${RESCALE}|${n}|${blocks}|${tiny}`, (): Plan => {
    const maxPerDimension = cache.device.limits.maxComputeWorkgroupsPerDimension;
    if (blocks > maxPerDimension) throw new Error(`DepthLens WebGPU rescale: ${blocks} seeds, more than ${maxPerDimension}`);
    if (n <= SINGLE_WORKGROUP_MAX) {
      const program = cache.program(`${RESCALE}|single`, ['uniform', 'read', 'write', 'write'], () => SINGLE);
      return { kind: 'single', program, uniform: cache.uniform([{ u32: n }, { f32: tiny }, { u32: 0 }, { u32: blocks }]), grid: grid(blocks, maxPerDimension) };
    }
    const partials = Math.min(MAX_PARTIALS, Math.ceil(n / ELEMENTS_PER_PARTIAL));
    return {
      kind: 'two-pass',
      first: cache.program(`${RESCALE}|partials`, ['uniform', 'read', 'write'], () => PARTIALS),
      second: cache.program(`${RESCALE}|scale`, ['uniform', 'read', 'read', 'write', 'write'], () => SCALE),
      uniform: cache.uniform([{ u32: n }, { f32: tiny }, { u32: partials }, { u32: blocks }]),
      partials: cache.scratch(blocks * partials * 4),
      // The partials shader strides by params.partials workgroups: it must be dispatched as exactly that many per block.
      firstGrid: [partials, blocks],
      secondGrid: [...grid(Math.ceil(n / ELEMENTS_PER_SCALE_WORKGROUP), maxPerDimension), blocks],
    };
  });
}

function tinyOf(attrs: NamedAttrMap | undefined): number {
  const tiny = attrs?.tiny;
  if (typeof tiny !== 'number' || !(tiny > 0)) throw new Error(`DepthLens WebGPU rescale: tiny must be a number > 0, got ${String(tiny)}`);
  return tiny;
}

function seedsOf(attrs: NamedAttrMap | undefined, shape: number[]): number {
  const seeds = attrs?.seeds ?? 1;
  if (typeof seeds !== 'number' || !Number.isInteger(seeds) || seeds < 1 || (shape[0] ?? 1) % seeds !== 0) {
    throw new Error(`DepthLens WebGPU rescale: ${String(seeds)} seeds do not divide [${shape}]`);
  }
  return seeds;
}

/**
 * Inputs {g}, attrs {tiny, seeds?}: [g / max(max|g|, tiny), ln max|g|], per seed when g stacks `seeds` signals as rows
 * (the log scale a scalar for one seed, of shape [seeds] otherwise).
 */
export const rescaleKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const g = inputs.g as TensorInfo;
  const size = g.shape.reduce((p, d) => p * d, 1);
  if (size < 1) throw new Error(`DepthLens WebGPU rescale: empty tensor [${g.shape}]`);
  const seeds = seedsOf(attrs, g.shape);
  const gpu = new Gpu(backend);
  const cache = cacheOf(gpu.device);
  const plan = planOf(cache, size / seeds, seeds, tinyOf(attrs));
  const gb = gpu.input(g);
  const out = gpu.output(g.shape);
  const logScale = gpu.output(seeds === 1 ? [] : [seeds]);
  if (plan.kind === 'single') {
    gpu.dispatch(plan.program.pipeline, cache.bindGroup(plan.program, [plan.uniform, gb, out.buffer, logScale.buffer]), ...plan.grid);
  } else {
    gpu.dispatch(plan.first.pipeline, cache.bindGroup(plan.first, [plan.uniform, gb, plan.partials]), ...plan.firstGrid);
    gpu.dispatch(plan.second.pipeline, cache.bindGroup(plan.second, [plan.uniform, gb, plan.partials, out.buffer, logScale.buffer]), ...plan.secondGrid);
  }
  return [out.info, logScale.info];
};
