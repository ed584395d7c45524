// Builds the SourceMap (key and value range of every path) from a parsed YAML/JSON document.
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import { childPath, parentPath } from './paths';
import type { SourceLocation, SourceMap } from './types';
import type { Position, Range, SpecPath } from '../shared/findings';

/** Deeper documents are rejected: no valid spec nests this far, and recursion stays bounded. */
export const MAX_NESTING = 64;

/** Offsets → 0-based positions for one text. */
export class TextPositions {
  constructor(
    private readonly text: string,
    private readonly lines: LineCounter,
  ) {}

  position(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    const { line, col } = this.lines.linePos(clamped);
    return { line: line - 1, character: col - 1 };
  }

  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(Math.max(start, end)) };
  }

  /** The range of a node's source, without trailing whitespace (block collections end on the next line). */
  nodeRange(node: Node): Range {
    const [start, end] = node.range ?? [0, 0];
    let e = end;
    while (e > start && /\s/.test(this.text[e - 1] ?? '')) e--;
    return this.range(start, e);
  }

  /** The first line of the text (where problems about the whole file go). */
  firstLine(): Range {
    const nl = this.text.indexOf('\n');
    const end = nl === -1 ? this.text.length : nl;
    return this.range(0, this.text[end - 1] === '\r' ? end - 1 : end);
  }
}

export interface BuiltSourceMap {
  source: Map<SpecPath, SourceLocation>;
  /** Keys written twice in one mapping: the later occurrences. */
  duplicates: Array<{ path: SpecPath; range: Range }>;
  /** Set when the document nests deeper than MAX_NESTING (the walk stopped there). */
  tooDeepAt?: Range;
}

function hasValue(node: unknown): node is Node {
  if (node === null || node === undefined) return false;
  if (isScalar(node) && node.value === null && node.range && node.range[0] === node.range[1]) return false;
  return true;
}

export function buildSourceMap(doc: Document, positions: TextPositions): BuiltSourceMap {
  const source = new Map<SpecPath, SourceLocation>();
  const duplicates: BuiltSourceMap['duplicates'] = [];
  let tooDeepAt: Range | undefined;
  const root = doc.contents;
  source.set('', { key: positions.firstLine(), ...(hasValue(root) ? { value: positions.nodeRange(root) } : {}) });

  const walk = (node: Node, path: SpecPath, depth: number): void => {
    if (isAlias(node) || isScalar(node)) return;
    if (depth > MAX_NESTING) {
      tooDeepAt ??= positions.nodeRange(node);
      return;
    }
    if (isMap(node)) {
      for (const pair of node.items) {
        const keyNode = pair.key;
        if (!isScalar(keyNode)) continue;
        const path2 = childPath(path, String(keyNode.value));
        const loc: SourceLocation = { key: positions.nodeRange(keyNode) };
        if (hasValue(pair.value)) loc.value = positions.nodeRange(pair.value);
        // Checked here in linear time; the yaml parser's own check is quadratic in the number of keys.
        if (source.has(path2)) {
          duplicates.push({ path: path2, range: loc.key });
          continue;
        }
        source.set(path2, loc);
        if (hasValue(pair.value)) walk(pair.value, path2, depth + 1);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        if (!hasValue(item)) return;
        const r = positions.nodeRange(item as Node);
        const path2 = childPath(path, i);
        source.set(path2, { key: r, value: r });
        walk(item as Node, path2, depth + 1);
      });
    }
  };
  if (hasValue(root)) walk(root, '', 1);
  return { source, duplicates, ...(tooDeepAt ? { tooDeepAt } : {}) };
}

/** The location of `path`, or of its nearest ancestor present in the text. */
export function locate(source: SourceMap, path: SpecPath): SourceLocation {
  let p = path;
  for (;;) {
    const loc = source.get(p);
    if (loc) return loc;
    if (p === '') return { key: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
    p = parentPath(p);
  }
}

/** Where a problem about the value at `path` goes: the value when written, else the key. */
export function valueRange(source: SourceMap, path: SpecPath): Range {
  const loc = locate(source, path);
  return loc.value ?? loc.key;
}

export function keyRange(source: SourceMap, path: SpecPath): Range {
  return locate(source, path).key;
}
