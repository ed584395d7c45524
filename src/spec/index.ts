// The spec stage: text → typed Spec with source ranges, and edits back to the text.
export * from './types';
export { parseSpec, readSpecFile, readSpecText, type SpecText, detectFormat, MAX_SPEC_BYTES } from './parse';
export { setValueEdit } from './edit';
export { formatPath, parsePath } from './paths';
export { locate, keyRange, valueRange } from './source-map';
export { expandCompact, shapingGain } from './expand';
export { defaults, errorLog10Range } from './defaults';
