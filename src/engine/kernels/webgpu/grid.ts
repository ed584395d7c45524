// Workgroup counts past one dispatch dimension's limit (65 535 by default) are spread over two; shaders recover the
// linear workgroup index with LINEAR_WORKGROUP.

/** [x, y] workgroups covering `count` (x·y ≥ count; the shader skips the surplus). */
export function grid(count: number, maxPerDimension: number): [number, number] {
  if (count <= maxPerDimension) return [Math.max(1, count), 1];
  const y = Math.ceil(count / maxPerDimension);
  return [Math.ceil(count / y), y];
}

/** WGSL: the linear workgroup index, given builtins `wid` (workgroup_id) and `nwg` (num_workgroups). */
export const LINEAR_WORKGROUP = 'wid.y * nwg.x + wid.x';

/** WGSL entry-point parameters that LINEAR_WORKGROUP and local lanes use. */
export const ENTRY_PARAMS =
  '@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32';

/** The smallest power of two ≥ n (n ≥ 1). */
export function pow2AtLeast(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
