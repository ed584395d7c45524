// The custom kernel names shared by the wasm kernels (../../fused) and the WebGPU ones registered here.
export const NORM_FORWARD = 'DepthLensNormForward';
export const NORM_BACKWARD = 'DepthLensNormBackward';
export const RESCALE = 'DepthLensRescale';
export const ACTIVATION_FORWARD = 'DepthLensActivationForward';
export const ACTIVATION_BACKWARD = 'DepthLensActivationBackward';

/** The normalization kernels' shape attributes (../../ops re-exports it). */
export interface NormShape {
  /** 1: statistics across the batch per feature (batch norm, d×n layout); 0: across features per sample (layer norm). */
  axis: 0 | 1;
  center: boolean;
}
export const WY_FACTOR = 'DepthLensCompactWYFactor';
export const TILED_MATMUL = 'DepthLensTiledMatMul';
export const REFLECTOR_BLOCK = 'DepthLensReflectorBlock';
