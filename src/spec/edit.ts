// setValueEdit: the text edit that sets a spec path to a value, replacing it or inserting the key (and missing parents).
import { isMap, isScalar, isSeq, LineCounter, parseDocument, stringify, type Node, type Pair, type YAMLMap } from 'yaml';
import { detectFormat } from './parse';
import { formatPath, parsePath, type PathSegment } from './paths';
import type { SpecPath, TextEdit } from '../shared/findings';

const INDENT = 2;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A value on one line: YAML flow style or JSON. */
function inline(value: unknown, json: boolean): string {
  if (json) return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => inline(v, false)).join(', ')}]`;
  if (isPlainObject(value)) {
    const entries = Object.entries(value).map(([k, v]) => `${stringify(k).trimEnd()}: ${inline(v, false)}`);
    return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
  }
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

/** `key: value` lines at `indent`, nesting plain objects as block mappings. */
function blockEntry(key: string, value: unknown, indent: number): string {
  const pad = ' '.repeat(indent);
  const k = stringify(key).trimEnd();
  if (isPlainObject(value) && Object.keys(value).length > 0) {
    return `${pad}${k}:\n${Object.entries(value).map(([k2, v]) => blockEntry(k2, v, indent + INDENT)).join('\n')}`;
  }
  return `${pad}${k}: ${inline(value, false)}`;
}

/** The remaining keys of a path as nested objects: ['shaping', 'exponent'], 0.4 → { exponent: 0.4 } under "shaping". */
function nest(rest: readonly PathSegment[], value: unknown, path: SpecPath): unknown {
  let v = value;
  for (let i = rest.length - 1; i >= 0; i--) {
    const seg = rest[i]!;
    if (typeof seg === 'number') throw new Error(`setValueEdit: cannot create list item [${seg}] of ${path}`);
    v = { [seg]: v };
  }
  return v;
}

export function setValueEdit(text: string, path: SpecPath, value: unknown): TextEdit {
  const json = detectFormat(text, '') === 'json';
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const pos = (offset: number) => {
    const { line, col } = lines.linePos(offset);
    return { line: line - 1, character: col - 1 };
  };
  const edit = (start: number, end: number, newText: string): TextEdit => ({
    range: { start: pos(start), end: pos(end) },
    newText: eol === '\n' ? newText : newText.replace(/\n/g, eol),
  });
  const trimmedEnd = (node: Node): number => {
    const [start, end] = node.range ?? [0, 0];
    let e = end;
    while (e > start && /\s/.test(text[e - 1] ?? '')) e--;
    return e;
  };
  const column = (offset: number): number => pos(offset).character;
  const lineEnd = (offset: number): number => {
    let e = offset;
    while (e < text.length && text[e] !== '\n' && text[e] !== '\r') e++;
    return e;
  };
  const segments = parsePath(path);
  if (segments.length === 0) throw new Error('setValueEdit: empty path');

  /** Sets the value of an existing pair (written or empty). */
  const replacePairValue = (pair: Pair, map: YAMLMap, newValue: unknown): TextEdit => {
    const valueNode = pair.value as Node | null;
    const hasWrittenValue = valueNode !== null && !(isScalar(valueNode) && valueNode.value === null && valueNode.range?.[0] === valueNode.range?.[1]);
    if (json || map.flow) {
      if (hasWrittenValue) return edit(valueNode.range![0], trimmedEnd(valueNode), inline(newValue, json));
      const keyEnd = (pair.key as Node).range![1];
      const colon = text.indexOf(':', keyEnd);
      return edit(colon + 1, colon + 1, ` ${inline(newValue, json)}`);
    }
    const keyNode = pair.key as Node;
    const colon = text.indexOf(':', keyNode.range![1]);
    const end = hasWrittenValue ? trimmedEnd(valueNode) : colon + 1;
    if (isPlainObject(newValue) && Object.keys(newValue).length > 0) {
      const indent = column(keyNode.range![0]) + INDENT;
      const body = Object.entries(newValue).map(([k, v]) => blockEntry(k, v, indent)).join('\n');
      return edit(colon + 1, end, `\n${body}`);
    }
    return edit(colon + 1, end, ` ${inline(newValue, false)}`);
  };

  /** Adds `key: newValue` to an existing mapping. */
  const insertIntoMap = (map: YAMLMap, key: string, newValue: unknown): TextEdit => {
    const pairs = map.items;
    if (json || map.flow) {
      const k = json ? JSON.stringify(key) : stringify(key).trimEnd();
      const entry = `${k}: ${inline(newValue, json)}`;
      const last = pairs[pairs.length - 1];
      if (!last) {
        const open = text.indexOf('{', map.range![0]);
        return edit(open + 1, open + 1, entry);
      }
      const lastEnd = last.value ? trimmedEnd(last.value as Node) : (last.key as Node).range![1];
      const keyStart = (last.key as Node).range![0];
      const lineStart = text.lastIndexOf('\n', keyStart - 1) + 1;
      const ownLine = /^\s*$/.test(text.slice(lineStart, keyStart));
      return edit(lastEnd, lastEnd, ownLine ? `,\n${text.slice(lineStart, keyStart)}${entry}` : `, ${entry}`);
    }
    const first = pairs[0];
    const last = pairs[pairs.length - 1];
    if (!first || !last) throw new Error(`setValueEdit: cannot insert into an empty block mapping at ${path}`);
    const indent = column((first.key as Node).range![0]);
    const lastNode = (last.value as Node | null) ?? (last.key as Node);
    const at = lineEnd(Math.max(trimmedEnd(lastNode) - 1, (last.key as Node).range![0]));
    return edit(at, at, `\n${blockEntry(key, newValue, indent)}`);
  };

  let node: unknown = doc.contents;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const rest = segments.slice(i + 1);
    const here = formatPath(segments.slice(0, i + 1));
    if (node === null || node === undefined) {
      // Empty document: append the whole path at the top level.
      if (i !== 0) break;
      if (typeof seg === 'number') throw new Error(`setValueEdit: the document is empty; cannot create ${path}`);
      const newValue = nest(rest, value, path);
      const prefix = text === '' || text.endsWith('\n') ? '' : '\n';
      const entry = json ? `{ ${JSON.stringify(seg)}: ${JSON.stringify(newValue)} }` : blockEntry(seg, newValue, 0);
      return edit(text.length, text.length, `${prefix}${entry}\n`);
    }
    if (isMap(node)) {
      if (typeof seg === 'number') throw new Error(`setValueEdit: ${here} is a mapping, not a list`);
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === seg);
      if (!pair) return insertIntoMap(node, seg, nest(rest, value, path));
      const child = pair.value as Node | null;
      if (rest.length === 0 || !(isMap(child) || isSeq(child))) return replacePairValue(pair, node, nest(rest, value, path));
      node = child;
      continue;
    }
    if (isSeq(node)) {
      if (typeof seg !== 'number') throw new Error(`setValueEdit: ${here} is in a list; expected an index`);
      const item = node.items[seg] as Node | undefined;
      if (!item) throw new Error(`setValueEdit: ${here} does not exist`);
      if (rest.length === 0) return edit(item.range![0], trimmedEnd(item), inline(value, json));
      node = item;
      continue;
    }
    throw new Error(`setValueEdit: ${formatPath(segments.slice(0, i))} is not a mapping`);
  }
  throw new Error(`setValueEdit: cannot set ${path}`);
}
