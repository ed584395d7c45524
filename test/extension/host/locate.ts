// Independent locator for the expected finding ranges: walks the YAML document with the `yaml` package's own node ranges
// (not the extension's or the spec parser's source map) and applies DESIGN's rule: the value's range, else the key's,
// else the nearest parent present.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';

export interface Span {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

function spanOf(lc: LineCounter, from: number, to: number): Span {
  const a = lc.linePos(from);
  const b = lc.linePos(to);
  return { start: { line: a.line - 1, character: a.col - 1 }, end: { line: b.line - 1, character: b.col - 1 } };
}

function splitPath(path: string): (string | number)[] {
  const parts: (string | number)[] = [];
  for (const seg of path.split('.')) {
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(seg);
    if (!m) throw new Error(`bad path ${path}`);
    if (m[1]) parts.push(m[1]);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) parts.push(Number(idx[1]));
  }
  return parts;
}

/** Key and value spans of `path`, or undefined when the path is not in the text. */
export function locateYaml(text: string, path: string): { key?: Span; value?: Span } | undefined {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, keepSourceTokens: true });
  let node: Node | null | undefined = doc.contents as Node | null;
  let key: Span | undefined;
  for (const part of splitPath(path)) {
    if (typeof part === 'number') {
      if (!isSeq(node)) return undefined;
      node = node.items[part] as Node | undefined;
      key = undefined;
    } else {
      if (!isMap(node)) return undefined;
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === part);
      if (!pair) return undefined;
      const k = pair.key as Node;
      key = k.range ? spanOf(lc, k.range[0], k.range[1]) : undefined;
      node = pair.value as Node | null;
    }
    if (node === undefined) return undefined;
  }
  const value = node && node.range ? spanOf(lc, node.range[0], node.range[1]) : undefined;
  return { ...(key ? { key } : {}), ...(value ? { value } : {}) };
}

/** DESIGN §5 rule for where a finding sits: value, else key, else the nearest parent that is present, else 0:0. */
export function expectedRange(text: string, path: string): Span {
  let p = path;
  while (p) {
    const loc = locateYaml(text, p);
    if (loc?.value) return loc.value;
    if (loc?.key) return loc.key;
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
    p = cut <= 0 ? '' : p.slice(0, cut);
  }
  return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
}
