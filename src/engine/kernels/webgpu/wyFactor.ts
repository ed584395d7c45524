// The triangular factor T of a block of unit Householder reflectors in compact WY form, H_0 ⋯ H_{c−1} = I − V T Vᵀ, from the
// block's Gram VᵀV, on the device (LAPACK's larft recurrence with τ = 2): T_ii = 2, T[0:i, i] = −2 · T[0:i, 0:i] · (VᵀV)[0:i, i].
// Column i needs every column before it, so one workgroup walks the columns in order, its invocations sharing the rows of
// each column, with a barrier between columns; T and Tᵀ are written to storage, so nothing of the block goes to the host.
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { Gpu } from './bridge';
import { cacheOf, type Program } from './cache';
import { WY_FACTOR } from './names';

const WORKGROUP = 64;

const SHADER = `
const WG = ${WORKGROUP}u;
struct Params { c: u32 }
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> gram: array<f32>;
@group(0) @binding(2) var<storage, read_write> t: array<f32>;
@group(0) @binding(3) var<storage, read_write> tT: array<f32>;

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(local_invocation_index) li: u32) {
  let c = params.c;
  for (var e = li; e < c * c; e = e + WG) {
    t[e] = select(0.0, 2.0, e / c == e % c);
  }
  storageBarrier();
  for (var i = 1u; i < c; i = i + 1u) {
    for (var row = li; row < i; row = row + WG) {
      var s = 0.0;
      for (var p = row; p < i; p = p + 1u) {
        s = s + t[row * c + p] * gram[p * c + i];
      }
      t[row * c + i] = -2.0 * s;
    }
    storageBarrier();
  }
  for (var e = li; e < c * c; e = e + WG) {
    tT[(e % c) * c + e / c] = t[e];
  }
}
`;

interface Plan {
  program: Program;
  uniform: GPUBuffer;
}

/** Inputs {gram} (c×c, VᵀV of c unit reflectors): [T, Tᵀ], both c×c with T upper triangular. */
export const wyFactorKernel: KernelFunc = ({ inputs, backend }) => {
  const gram = inputs.gram as TensorInfo;
  const [c, c2] = gram.shape;
  if (gram.shape.length !== 2 || c !== c2 || !(c >= 1)) throw new Error(`DepthLens WebGPU WY factor: the Gram must be square, got [${gram.shape}]`);
  const gpu = new Gpu(backend);
  const cache = cacheOf(gpu.device);
  const plan = cache.plan(`${WY_FACTOR}|${c}`, (): Plan => ({
    program: cache.program(WY_FACTOR, ['uniform', 'read', 'write', 'write'], () => SHADER),
    uniform: cache.uniform([{ u32: c }]),
  }));
  const g = gpu.input(gram);
  const t = gpu.output([c, c]);
  const tT = gpu.output([c, c]);
  gpu.dispatch(plan.program.pipeline, cache.bindGroup(plan.program, [plan.uniform, g, t.buffer, tT.buffer]), 1, 1);
  return [t.info, tT.info];
};
