// A register-tiled float32 matmul in WGSL: C[b] = op(A[b]) · op(B[b]) with op = identity or transpose on either side, any
// m, k, n (bounds checked), a batch dimension (rank-3 operands; a rank-2 or batch-1 operand is shared by every batch).
// A workgroup of 16×16 invocations computes a TILE_M × TILE_N block of C; each invocation keeps TM × TN outputs in
// registers (rows ty·4 + 64g + r, columns tx·4 + 64h + c: interleaved by 64 so that a warp's reads of the shared tiles hit
// consecutive addresses). The K dimension is walked TK at a time through workgroup memory, each tile stored k-major as
// vec4s along m (A) and along n (B), so the inner loop is TM/4 + TN/4 vec4 reads for TM·TN/4 vec4 multiply-adds; the next
// tiles' global loads are issued before the current ones are multiplied (register prefetch).
// Global loads follow each operand's contiguous dimension (coalesced across invocations), as vec4 where that dimension is a
// multiple of 4 (then every vec4 is aligned and either wholly inside or wholly outside the matrix).
import type { TensorInfo } from '@tensorflow/tfjs';
import { Gpu } from './bridge';
import { cacheOf, type DeviceCache, type Program } from './cache';

/** Outputs per invocation (TM rows × TN columns, multiples of 4) and the K step of the shared tiles. */
export interface TileShape {
  name: 'large' | 'medium';
  tm: number;
  tn: number;
  tk: number;
}

/** 128×128 outputs per workgroup, 8×8 per invocation: for products with enough output tiles to fill a GPU. */
export const LARGE_TILE: TileShape = { name: 'large', tm: 8, tn: 8, tk: 8 };
/** 64×64 per workgroup, 4×4 per invocation: four times as many workgroups for the narrower products of the pass. */
export const MEDIUM_TILE: TileShape = { name: 'medium', tm: 4, tn: 4, tk: 16 };

/** Output tiles of the large shape from which it is used (below, the medium one keeps more of the GPU busy). */
const LARGE_TILE_MIN_WORKGROUPS = 512;

const SIDE = 16;
const THREADS = SIDE * SIDE;

interface Variant {
  tile: TileShape;
  transA: boolean;
  transB: boolean;
  /** vec4 global loads of A (only along a contiguous m: transposed A with m % 4 = 0). */
  vecA: boolean;
  /** vec4 global loads of B (only along a contiguous n: B not transposed with n % 4 = 0). */
  vecB: boolean;
  /** vec4 stores of C (n % 4 = 0). */
  vecC: boolean;
}

function variantKey(v: Variant): string {
  return `DepthLensTiledMatMul|${v.tile.name}|${+v.transA}${+v.transB}|${+v.vecA}${+v.vecB}${+v.vecC}`;
}

/** WGSL of one variant. Uniforms: m, k, n, and the batch strides of A and B in floats (0: shared by every batch). */
export function matMulShader(v: Variant): string {
  const { tm, tn, tk } = v.tile;
  const tileM = SIDE * tm;
  const tileN = SIDE * tn;
  const gm = tm / 4;
  const gn = tn / 4;
  // Rows of the shared tiles, in vec4s. Where invocations store consecutive k (an operand contiguous along k), one more
  // vec4 per row spreads their stores over the banks instead of one row stride apart.
  const aStride = tileM / 4 + (v.transA ? 0 : 1);
  const bStride = tileN / 4 + (v.transB ? 1 : 0);
  if (tileM * tk !== 4 * THREADS || tileN * tk !== 4 * THREADS) throw new Error(`internal: tile ${v.tile.name} must give each invocation one vec4 of each shared tile`);
  // Where this invocation's vec4 of each shared tile comes from and goes: along the operand's contiguous dimension, so
  // that neighbouring invocations read neighbouring addresses (m or n in groups of 4 when contiguous along them, else k).
  const slotA = v.transA ? `let aMg = li % ${tileM / 4}u; let aKk = li / ${tileM / 4}u;` : `let aKk = li % ${tk}u; let aMg = li / ${tk}u;`;
  const slotB = !v.transB ? `let bNg = li % ${tileN / 4}u; let bKk = li / ${tileN / 4}u;` : `let bKk = li % ${tk}u; let bNg = li / ${tk}u;`;
  const loadA = v.transA
    ? v.vecA
      ? `if (k < p.k && m < p.m) { val = a[(baseA + k * p.m + m) / 4u]; }`
      : `if (k < p.k) { for (var c = 0u; c < 4u; c = c + 1u) { if (m + c < p.m) { val[c] = a[baseA + k * p.m + m + c]; } } }`
    : `if (k < p.k) { for (var c = 0u; c < 4u; c = c + 1u) { if (m + c < p.m) { val[c] = a[baseA + (m + c) * p.k + k]; } } }`;
  const loadB = !v.transB
    ? v.vecB
      ? `if (k < p.k && n < p.n) { val = b[(baseB + k * p.n + n) / 4u]; }`
      : `if (k < p.k) { for (var c = 0u; c < 4u; c = c + 1u) { if (n + c < p.n) { val[c] = b[baseB + k * p.n + n + c]; } } }`
    : `if (k < p.k) { for (var c = 0u; c < 4u; c = c + 1u) { if (n + c < p.n) { val[c] = b[baseB + (n + c) * p.k + k]; } } }`;
  const rows = [...Array(gm).keys()].flatMap((g) => [0, 1, 2, 3].map((r) => ({ g, r })));
  const cols = [...Array(gn).keys()];
  const acc = (g: number, r: number, h: number): string => `acc_${g}_${r}_${h}`;
  const declare = rows.flatMap(({ g, r }) => cols.map((h) => `var ${acc(g, r, h)} = vec4<f32>(0.0);`)).join('\n  ');
  const readA = [...Array(gm).keys()].map((g) => `let a${g} = As[kk * ${aStride}u + ${g * SIDE}u + ty];`).join('\n      ');
  const readB = cols.map((h) => `let b${h} = Bs[kk * ${bStride}u + ${h * SIDE}u + tx];`).join('\n      ');
  const fma = rows.flatMap(({ g, r }) => cols.map((h) => `${acc(g, r, h)} = fma(vec4<f32>(a${g}[${r}]), b${h}, ${acc(g, r, h)});`)).join('\n      ');
  const store = rows
    .flatMap(({ g, r }) =>
      cols.map((h) => {
        const m = `m0 + ${g * 64 + r}u + ty * 4u`;
        const n = `n0 + ${h * 64}u + tx * 4u`;
        const value = acc(g, r, h);
        return v.vecC
          ? `{ let m = ${m}; let n = ${n}; if (m < p.m && n < p.n) { c4[(baseC + m * p.n + n) / 4u] = ${value}; } }`
          : `{ let m = ${m}; let n = ${n}; if (m < p.m) { for (var c = 0u; c < 4u; c = c + 1u) { if (n + c < p.n) { c1[baseC + m * p.n + n + c] = ${value}[c]; } } } }`;
      }),
    )
    .join('\n  ');
  return `
struct Params { m: u32, k: u32, n: u32, strideA: u32, strideB: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<${v.vecA ? 'vec4<f32>' : 'f32'}>;
@group(0) @binding(2) var<storage, read> b: array<${v.vecB ? 'vec4<f32>' : 'f32'}>;
@group(0) @binding(3) var<storage, read_write> ${v.vecC ? 'c4: array<vec4<f32>>' : 'c1: array<f32>'};
var<workgroup> As: array<vec4<f32>, ${aStride * tk}>;
var<workgroup> Bs: array<vec4<f32>, ${bStride * tk}>;

// op(A)[m .. m+3, k] (zero outside the matrix)
fn loadA(baseA: u32, m: u32, k: u32) -> vec4<f32> {
  var val = vec4<f32>(0.0);
  ${loadA}
  return val;
}

// op(B)[k, n .. n+3] (zero outside the matrix)
fn loadB(baseB: u32, k: u32, n: u32) -> vec4<f32> {
  var val = vec4<f32>(0.0);
  ${loadB}
  return val;
}

@compute @workgroup_size(${SIDE}, ${SIDE})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let tx = lid.x;
  let ty = lid.y;
  let n0 = wid.x * ${tileN}u;
  let m0 = wid.y * ${tileM}u;
  let batch = wid.z;
  let baseA = batch * p.strideA;
  let baseB = batch * p.strideB;
  let baseC = batch * p.m * p.n;
  ${slotA}
  ${slotB}
  ${declare}
  // The next tiles' values are loaded into registers while the current ones are multiplied (one vec4 of each).
  var nextA = loadA(baseA, m0 + aMg * 4u, aKk);
  var nextB = loadB(baseB, bKk, n0 + bNg * 4u);
  for (var k0 = 0u; k0 < p.k; k0 = k0 + ${tk}u) {
    As[aKk * ${aStride}u + aMg] = nextA;
    Bs[bKk * ${bStride}u + bNg] = nextB;
    workgroupBarrier();
    if (k0 + ${tk}u < p.k) {
      nextA = loadA(baseA, m0 + aMg * 4u, k0 + ${tk}u + aKk);
      nextB = loadB(baseB, k0 + ${tk}u + bKk, n0 + bNg * 4u);
    }
    for (var kk = 0u; kk < ${tk}u; kk = kk + 1u) {
      ${readA}
      ${readB}
      ${fma}
    }
    workgroupBarrier();
  }
  ${store}
}
`;
}

/** A product's operands in the kernel's terms. */
export interface MatMulShape {
  batch: number;
  m: number;
  k: number;
  n: number;
  /** Floats between consecutive batches of A (B): 0 when one matrix serves every batch. */
  strideA: number;
  strideB: number;
  /** The output's shape: [m, n] for rank-2 operands, [...batch dims, m, n] otherwise. */
  outShape: number[];
}

/** The shape of op(A)·op(B) for rank-2 or rank-3 operands whose batches match or are 1; null for anything else. */
export function matMulShape(aShape: readonly number[], bShape: readonly number[], transA: boolean, transB: boolean): MatMulShape | null {
  if (aShape.length < 2 || aShape.length > 3 || bShape.length < 2 || bShape.length > 3) return null;
  const [ar, ac] = aShape.slice(-2) as [number, number];
  const [br, bc] = bShape.slice(-2) as [number, number];
  const [m, k] = transA ? [ac, ar] : [ar, ac];
  const [k2, n] = transB ? [bc, br] : [br, bc];
  if (k !== k2) return null;
  const batchA = aShape.length === 3 ? aShape[0]! : 1;
  const batchB = bShape.length === 3 ? bShape[0]! : 1;
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return null;
  const batch = Math.max(batchA, batchB);
  const rank3 = aShape.length === 3 || bShape.length === 3;
  return {
    batch,
    m,
    k,
    n,
    strideA: batchA === 1 ? 0 : m * k,
    strideB: batchB === 1 ? 0 : k * n,
    outShape: rank3 ? [batch, m, n] : [m, n],
  };
}

/**
 * Products with fewer 64×64 output tiles than this keep tfjs's matmul even when the tiled one is chosen: with so few
 * workgroups a GPU idles unless K is split, which tfjs's kernel does for them (the pass's n×n Grams, small widths).
 */
export const TILED_MIN_OUTPUT_TILES = 32;

/** Whether the choice of the tiled kernel extends to this product (see TILED_MIN_OUTPUT_TILES). */
export function tiledServes(s: Pick<MatMulShape, 'batch' | 'm' | 'n'>): boolean {
  return s.batch * Math.ceil(s.m / (SIDE * MEDIUM_TILE.tm)) * Math.ceil(s.n / (SIDE * MEDIUM_TILE.tn)) >= TILED_MIN_OUTPUT_TILES;
}

/** The tile shape for a product: the large one once it alone gives enough workgroups. */
export function tileFor(s: Pick<MatMulShape, 'batch' | 'm' | 'n'>): TileShape {
  const large = s.batch * Math.ceil(s.m / (SIDE * LARGE_TILE.tm)) * Math.ceil(s.n / (SIDE * LARGE_TILE.tn));
  return large >= LARGE_TILE_MIN_WORKGROUPS ? LARGE_TILE : MEDIUM_TILE;
}

interface Plan {
  program: Program;
  uniform: GPUBuffer;
  grid: [number, number, number];
}

function planOf(cache: DeviceCache, s: MatMulShape, transA: boolean, transB: boolean, tile: TileShape): Plan {
  const variant: Variant = {
    tile,
    transA,
    transB,
    vecA: transA && s.m % 4 === 0,
    vecB: !transB && s.n % 4 === 0,
    vecC: s.n % 4 === 0,
  };
  const key = variantKey(variant);
  return cache.plan(`${key}|${s.batch}|${s.m}|${s.k}|${s.n}|${s.strideA}|${s.strideB}`, (): Plan => {
    const limit = cache.device.limits.maxComputeWorkgroupsPerDimension;
    const grid: [number, number, number] = [Math.ceil(s.n / (SIDE * tile.tn)), Math.ceil(s.m / (SIDE * tile.tm)), s.batch];
    if (grid.some((g) => g > limit)) throw new Error(`DepthLens WebGPU matmul: ${s.batch}×${s.m}×${s.k}×${s.n} needs more workgroups than the device allows per dimension (${limit})`);
    return {
      program: cache.program(key, ['uniform', 'read', 'read', 'write'], () => matMulShader(variant)),
      uniform: cache.uniform([{ u32: s.m }, { u32: s.k }, { u32: s.n }, { u32: s.strideA }, { u32: s.strideB }]),
      grid,
    };
  });
}

/**
 * Records op(A)·op(B) into tfjs's compute pass (see ./bridge) and returns the output, allocated from tfjs's pool. `backend`
 * is tfjs's WebGPUBackend; `tile` forces a tile shape (tests, benchmark), else `tileFor` chooses.
 */
export function tiledMatMul(backend: unknown, a: TensorInfo, b: TensorInfo, transA: boolean, transB: boolean, tile?: TileShape): TensorInfo {
  const s = matMulShape(a.shape, b.shape, transA, transB);
  if (!s) throw new Error(`DepthLens WebGPU matmul: cannot multiply [${a.shape}]${transA ? 'ᵀ' : ''} by [${b.shape}]${transB ? 'ᵀ' : ''}`);
  const gpu = new Gpu(backend);
  const cache = cacheOf(gpu.device);
  const plan = planOf(cache, s, transA, transB, tile ?? tileFor(s));
  const ab = gpu.input(a);
  const bb = gpu.input(b);
  const out = gpu.output(s.outShape);
  gpu.dispatch(plan.program.pipeline, cache.bindGroup(plan.program, [plan.uniform, ab, bb, out.buffer]), ...plan.grid);
  return out.info;
}
