// Normalization forward and backward, one dispatch each. A workgroup of GL×ML invocations owns GL groups (rows for axis 1,
// columns for axis 0) and reduces each across its ML lanes in workgroup memory; lanes are numbered so that neighbouring
// invocations read neighbouring addresses on either axis.
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { Gpu } from './bridge';
import { cacheOf, type DeviceCache, type Program } from './cache';
import { ENTRY_PARAMS, grid, LINEAR_WORKGROUP, pow2AtLeast } from './grid';
import { NORM_BACKWARD, NORM_FORWARD } from './names';

const WORKGROUP = 256;
/** Axis 0 (groups contiguous): group lanes per workgroup, enough for 64-byte runs of neighbouring reads. */
const AXIS0_GROUP_LANES = 16;
/**
 * Members each lane sums serially before the tree: fewer lanes per group means fewer barrier steps and workgroups, which
 * is what a reduction costs on a software adapter (SwiftShader: ~2 ms per 256-wide workgroup with a barrier tree) and
 * costs a GPU nothing measurable at the pass's sizes.
 */
const MEMBERS_PER_LANE = 16;

interface Layout {
  groups: number;
  size: number;
  groupStride: number;
  /** Groups of one seed (all of them for axis 1) and the distance between seeds' first elements (../../seedBatch). */
  perBlock: number;
  blockStride: number;
  memberStride: number;
  /** Group lanes and member lanes of a workgroup (powers of two, product ≤ WORKGROUP). */
  gl: number;
  ml: number;
  membersContiguous: boolean;
}

interface NormAttrs {
  axis: 0 | 1;
  center: boolean;
  eps: number;
  /** Representations of this many seeds stacked as rows (default 1): a layer norm's columns are per seed. */
  seeds: number;
}

interface Plan {
  program: Program;
  uniform: GPUBuffer;
  grid: [number, number];
  layout: Layout;
}

function layoutOf(shape: number[], axis: 0 | 1, seeds: number): Layout {
  if (shape.length !== 2 || shape[0] < 1 || shape[1] < 1) throw new Error(`DepthLens WebGPU normalization: expected a non-empty 2-D tensor, got [${shape}]`);
  const [r, c] = shape;
  if (shape[0] % seeds !== 0) throw new Error(`DepthLens WebGPU normalization: ${seeds} seeds do not divide [${shape}]`);
  const lanesFor = (size: number, most: number): number => Math.min(most, pow2AtLeast(Math.ceil(size / MEMBERS_PER_LANE)));
  if (axis === 1) {
    const ml = lanesFor(c, WORKGROUP);
    return { groups: r, size: c, groupStride: c, perBlock: r, blockStride: 0, memberStride: 1, gl: Math.min(WORKGROUP / ml, pow2AtLeast(r)), ml, membersContiguous: true };
  }
  const rows = r / seeds;
  const ml = lanesFor(rows, WORKGROUP / Math.min(AXIS0_GROUP_LANES, pow2AtLeast(c)));
  return {
    groups: seeds * c,
    size: rows,
    groupStride: 1,
    perBlock: c,
    blockStride: rows * c,
    memberStride: c,
    gl: Math.min(WORKGROUP / ml, pow2AtLeast(c)),
    ml,
    membersContiguous: false,
  };
}

function normAttrs(attrs: NamedAttrMap | undefined, withEps: boolean): NormAttrs {
  const axis = attrs?.axis;
  if (axis !== 0 && axis !== 1) throw new Error(`DepthLens WebGPU normalization: axis must be 0 or 1, got ${String(axis)}`);
  const eps = withEps ? attrs?.eps : 0;
  if (typeof eps !== 'number' || !(eps >= 0)) throw new Error(`DepthLens WebGPU normalization: eps must be a number ≥ 0, got ${String(eps)}`);
  const seeds = attrs?.seeds ?? 1;
  if (typeof seeds !== 'number' || !Number.isInteger(seeds) || seeds < 1) throw new Error(`DepthLens WebGPU normalization: seeds must be a positive integer, got ${String(seeds)}`);
  return { axis, center: attrs?.center === true, eps, seeds };
}

const SUM_ACROSS_LANES = `
// Sum of v over the ML lanes of group lane gl; every invocation must call it (it holds barriers).
fn sumAcrossLanes(v: f32, gl: u32, ml: u32) -> f32 {
  let row = gl * ML;
  partial[row + ml] = v;
  workgroupBarrier();
  for (var s = ML / 2u; s > 0u; s = s / 2u) {
    if (ml < s) {
      partial[row + ml] = partial[row + ml] + partial[row + ml + s];
    }
    workgroupBarrier();
  }
  let total = partial[row];
  workgroupBarrier();
  return total;
}`;

/** One lane per group (groups of at most MEMBERS_PER_LANE): the lane's own sum is the group's, no barrier needed. */
const SUM_ONE_LANE = `
fn sumAcrossLanes(v: f32, gl: u32, ml: u32) -> f32 {
  return v;
}`;

/** Shader text shared by both kernels: the shape uniform, the lane numbering and the cross-lane sum. */
function prelude(l: Layout): string {
  return `
const GL = ${l.gl}u;
const ML = ${l.ml}u;
struct Shape { groups: u32, size: u32, groupStride: u32, memberStride: u32, eps: f32, perBlock: u32, blockStride: u32 }
@group(0) @binding(0) var<uniform> shape: Shape;
${l.ml === 1 ? '' : `var<workgroup> partial: array<f32, ${l.gl * l.ml}>;`}

${l.ml === 1 ? SUM_ONE_LANE : SUM_ACROSS_LANES}

fn laneOf(li: u32) -> vec2<u32> {
  return ${l.membersContiguous ? 'vec2<u32>(li / ML, li % ML)' : 'vec2<u32>(li % GL, li / GL)'};
}
`;
}

/** The entry point's opening: this lane's group k (live when k is in range), the group's base index and its size n. */
function groupEntry(l: Layout): string {
  return `@compute @workgroup_size(${l.gl * l.ml})
fn main(${ENTRY_PARAMS}) {
  let lane = laneOf(li);
  let k = (${LINEAR_WORKGROUP}) * GL + lane.x;
  let live = k < shape.groups;
  let base = (k / shape.perBlock) * shape.blockStride + (k % shape.perBlock) * shape.groupStride;
  let n = f32(shape.size);
`;
}

function forwardShader(l: Layout, center: boolean): string {
  return `${prelude(l)}
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<storage, read_write> inv: array<f32>;

${groupEntry(l)}  var mean = 0.0;
  ${
    center
      ? `var sum = 0.0;
  if (live) {
    for (var m = lane.y; m < shape.size; m = m + ML) {
      sum = sum + x[base + m * shape.memberStride];
    }
  }
  mean = sumAcrossLanes(sum, lane.x, lane.y) / n;`
      : ''
  }
  var ss = 0.0;
  if (live) {
    for (var m = lane.y; m < shape.size; m = m + ML) {
      let v = x[base + m * shape.memberStride] - mean;
      ss = ss + v * v;
    }
  }
  let s = 1.0 / sqrt(sumAcrossLanes(ss, lane.x, lane.y) / n + shape.eps);
  if (live) {
    if (lane.y == 0u) {
      inv[k] = s;
    }
    for (var m = lane.y; m < shape.size; m = m + ML) {
      let i = base + m * shape.memberStride;
      y[i] = (x[i] - mean) * s;
    }
  }
}
`;
}

// dx = s·(g − y·mean(g·y)), minus its mean when centred: s·(mean(g) − mean(y)·mean(g·y)), so one read of g and y gives
// all three sums. (Three f32 reductions rather than one of vec3: SwiftShader compiles vector workgroup arrays 3–4× slower.)
function backwardShader(l: Layout, center: boolean): string {
  return `${prelude(l)}
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read> inv: array<f32>;
@group(0) @binding(4) var<storage, read_write> dx: array<f32>;

${groupEntry(l)}  var gySum = 0.0;
  var gSum = 0.0;
  var ySum = 0.0;
  if (live) {
    for (var m = lane.y; m < shape.size; m = m + ML) {
      let i = base + m * shape.memberStride;
      gySum = gySum + g[i] * y[i];${center ? '\n      gSum = gSum + g[i];\n      ySum = ySum + y[i];' : ''}
    }
  }
  let gy = sumAcrossLanes(gySum, lane.x, lane.y) / n;${center ? '\n  let gMean = sumAcrossLanes(gSum, lane.x, lane.y) / n;\n  let yMean = sumAcrossLanes(ySum, lane.x, lane.y) / n;' : ''}
  if (live) {
    let s = inv[k];
    let shift = ${center ? 's * (gMean - yMean * gy)' : '0.0'};
    for (var m = lane.y; m < shape.size; m = m + ML) {
      let i = base + m * shape.memberStride;
      dx[i] = s * (g[i] - y[i] * gy) - shift;
    }
  }
}
`;
}

function planOf(cache: DeviceCache, kernel: string, shape: number[], { axis, center, eps, seeds }: NormAttrs): Plan {
  return cache.plan(`${kernel}|${shape}|${axis}|${center}|${eps}|${seeds}`, () => {
    const l = layoutOf(shape, axis, seeds);
    const forward = kernel === NORM_FORWARD;
    const variant = `${kernel}|${l.gl}x${l.ml}|${l.membersContiguous}|${center}`;
    const program = forward
      ? cache.program(variant, ['uniform', 'read', 'write', 'write'], () => forwardShader(l, center))
      : cache.program(variant, ['uniform', 'read', 'read', 'read', 'write'], () => backwardShader(l, center));
    const uniform = cache.uniform([{ u32: l.groups }, { u32: l.size }, { u32: l.groupStride }, { u32: l.memberStride }, { f32: eps }, { u32: l.perBlock }, { u32: l.blockStride }]);
    return { program, uniform, grid: grid(Math.ceil(l.groups / l.gl), cache.device.limits.maxComputeWorkgroupsPerDimension), layout: l };
  });
}

/** Inputs {x}, attrs {axis, center, eps, seeds?}: [y, inv] with inv of shape [r, 1] (axis 1) or [seeds, c] (axis 0). */
export const normForwardKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const x = inputs.x as TensorInfo;
  const a = normAttrs(attrs, true);
  const gpu = new Gpu(backend);
  const cache = cacheOf(gpu.device);
  const plan = planOf(cache, NORM_FORWARD, x.shape, a);
  const xb = gpu.input(x);
  const y = gpu.output(x.shape);
  const inv = gpu.output(a.axis === 1 ? [plan.layout.groups, 1] : [a.seeds, plan.layout.perBlock]);
  gpu.dispatch(plan.program.pipeline, cache.bindGroup(plan.program, [plan.uniform, xb, y.buffer, inv.buffer]), ...plan.grid);
  return [y.info, inv.info];
};

/** Inputs {g, y, inv}, attrs {axis, center, seeds?}: dx. */
export const normBackwardKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const { g, y, inv } = inputs as { g: TensorInfo; y: TensorInfo; inv: TensorInfo };
  const a = normAttrs(attrs, false);
  if (String(y.shape) !== String(g.shape)) throw new Error(`DepthLens WebGPU normalization backward: g is [${g.shape}], y is [${y.shape}]`);
  const gpu = new Gpu(backend);
  const cache = cacheOf(gpu.device);
  const plan = planOf(cache, NORM_BACKWARD, g.shape, a);
  if (inv.shape.reduce((p, d) => p * d, 1) !== plan.layout.groups) throw new Error(`DepthLens WebGPU normalization backward: inv is [${inv.shape}] for g [${g.shape}], axis ${a.axis}`);
  const buffers = [plan.uniform, gpu.input(g), gpu.input(y), gpu.input(inv)];
  const dx = gpu.output(g.shape);
  gpu.dispatch(plan.program.pipeline, cache.bindGroup(plan.program, [...buffers, dx.buffer]), ...plan.grid);
  return dx.info;
};
