// Where a finding attaches in the text: the range of a spec path.
import type { SourceMap } from '../spec/types';
import type { Range, SpecPath } from '../shared/findings';

const ORIGIN: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** One level up: "model.layers[2].dense" → "model.layers[2]" → "model.layers" → "model" → "". */
function parentOf(path: SpecPath): SpecPath {
  const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
  return cut <= 0 ? '' : path.slice(0, cut);
}

/** The value's range, else the key's, else the nearest parent present in the text, else 0:0. */
export function rangeOf(source: SourceMap, path: SpecPath): Range {
  for (let p = path; p !== ''; p = parentOf(p)) {
    const loc = source.get(p);
    if (loc) return loc.value ?? loc.key;
  }
  return ORIGIN;
}
