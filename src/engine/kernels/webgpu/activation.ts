// The activation σ(gain·x) and its backward g·gain·σ′(gain·x) as one elementwise dispatch each, for every activation of
// ../../activations (same definitions: σ′(0) is 0 for relu and `slope` for leaky-relu, gelu is exact).
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import type { Activation } from '../../../spec/types';
import { Gpu } from './bridge';
import { cacheOf, type DeviceCache, type Program } from './cache';
import { ENTRY_PARAMS, grid, LINEAR_WORKGROUP } from './grid';
import { MATH_WGSL } from './mathWgsl';
import { ACTIVATION_BACKWARD, ACTIVATION_FORWARD } from './names';

const WORKGROUP = 256;

/** WGSL bodies of σ(u) and σ′(u); `params.slope` is leaky-relu's negative slope. */
const FUNCTIONS: Record<Activation, { value: string; derivative: string }> = {
  identity: { value: 'u', derivative: '1.0' },
  tanh: { value: 'tanhAccurate(u)', derivative: 'tanhDerivative(u)' },
  sin: { value: 'sinCos(u).x', derivative: 'sinCos(u).y' },
  relu: { value: 'select(0.0, u, u > 0.0)', derivative: 'select(0.0, 1.0, u > 0.0)' },
  'leaky-relu': { value: 'select(params.slope * u, u, u > 0.0)', derivative: 'select(params.slope, 1.0, u > 0.0)' },
  gelu: { value: 'u * normalCdf(u)', derivative: 'normalCdf(u) + u * INV_SQRT_2PI * exp(-0.5 * u * u)' },
  selu: { value: 'SELU_LAMBDA * select(SELU_ALPHA * expm1(u), u, u > 0.0)', derivative: 'SELU_LAMBDA * select(SELU_ALPHA * exp(u), 1.0, u > 0.0)' },
  sigmoid: { value: 'sigmoidAccurate(u)', derivative: 'sigmoidDerivative(u)' },
};

function shader(fn: Activation, backward: boolean): string {
  const head = `${MATH_WGSL}
struct Params { n: u32, gain: f32, slope: f32 }
@group(0) @binding(0) var<uniform> params: Params;
`;
  const io = backward
    ? `@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;`
    : `@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;`;
  const body = backward ? `g[i] * params.gain * (${FUNCTIONS[fn].derivative})` : FUNCTIONS[fn].value;
  return `${head}${io}

@compute @workgroup_size(${WORKGROUP})
fn main(${ENTRY_PARAMS}) {
  let i = (${LINEAR_WORKGROUP}) * ${WORKGROUP}u + li;
  if (i >= params.n) {
    return;
  }
  let u = params.gain * x[i];
  out[i] = ${body};
}
`;
}

interface ActivationAttrs {
  fn: Activation;
  gain: number;
  slope: number;
}

interface Plan {
  program: Program;
  uniform: GPUBuffer;
  grid: [number, number];
}

function activationAttrs(attrs: NamedAttrMap | undefined): ActivationAttrs {
  const fn = attrs?.fn;
  if (typeof fn !== 'string' || !Object.hasOwn(FUNCTIONS, fn)) throw new Error(`DepthLens WebGPU activation: unknown fn ${String(fn)}`);
  const gain = attrs?.gain ?? 1;
  const slope = attrs?.slope ?? 0;
  if (typeof gain !== 'number' || typeof slope !== 'number') throw new Error('DepthLens WebGPU activation: gain and slope must be numbers');
  return { fn: fn as Activation, gain, slope };
}

function planOf(cache: DeviceCache, kernel: string, n: number, { fn, gain, slope }: ActivationAttrs): Plan {
  return cache.plan(`${kernel}|${n}|${fn}|${gain}|${slope}`, () => {
    const backward = kernel === ACTIVATION_BACKWARD;
    const bindings = backward ? (['uniform', 'read', 'read', 'write'] as const) : (['uniform', 'read', 'write'] as const);
    return {
      program: cache.program(`${kernel}|${fn}`, bindings, () => shader(fn, backward)),
      uniform: cache.uniform([{ u32: n }, { f32: gain }, { f32: slope }]),
      grid: grid(Math.ceil(n / WORKGROUP), cache.device.limits.maxComputeWorkgroupsPerDimension),
    };
  });
}

function sizeOf(t: TensorInfo): number {
  const n = t.shape.reduce((p, d) => p * d, 1);
  if (n < 1) throw new Error(`DepthLens WebGPU activation: empty tensor [${t.shape}]`);
  return n;
}

/** Inputs {x}, attrs {fn, gain, slope}: σ(gain·x). */
export const activationForwardKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const x = inputs.x as TensorInfo;
  const gpu = new Gpu(backend);
  const cache = cacheOf(gpu.device);
  const plan = planOf(cache, ACTIVATION_FORWARD, sizeOf(x), activationAttrs(attrs));
  const xb = gpu.input(x);
  const out = gpu.output(x.shape);
  gpu.dispatch(plan.program.pipeline, cache.bindGroup(plan.program, [plan.uniform, xb, out.buffer]), ...plan.grid);
  return out.info;
};

/** Inputs {g, x}, attrs {fn, gain, slope}: g·gain·σ′(gain·x). */
export const activationBackwardKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const { g, x } = inputs as { g: TensorInfo; x: TensorInfo };
  if (String(g.shape) !== String(x.shape)) throw new Error(`DepthLens WebGPU activation backward: g is [${g.shape}], x is [${x.shape}]`);
  const gpu = new Gpu(backend);
  const cache = cacheOf(gpu.device);
  const plan = planOf(cache, ACTIVATION_BACKWARD, sizeOf(x), activationAttrs(attrs));
  const buffers = [plan.uniform, gpu.input(g), gpu.input(x)];
  const out = gpu.output(x.shape);
  gpu.dispatch(plan.program.pipeline, cache.bindGroup(plan.program, [...buffers, out.buffer]), ...plan.grid);
  return out.info;
};
