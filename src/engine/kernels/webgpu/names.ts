// The custom kernel names shared by the wasm kernels (../../fused) and the WebGPU ones registered here.
export const NORM_FORWARD = 'DepthLensNormForward';
export const NORM_BACKWARD = 'DepthLensNormBackward';
export const RESCALE = 'DepthLensRescale';
export const ACTIVATION_FORWARD = 'DepthLensActivationForward';
export const ACTIVATION_BACKWARD = 'DepthLensActivationBackward';
