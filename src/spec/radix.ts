// Numbers a spec may not write (issue 16 item 8): hexadecimal (0x1F) and octal (0o17) integers, which YAML's core schema
// reads as numbers, and integers with a leading zero (017), which YAML 1.2 reads as decimal 17 and YAML 1.1 as octal 15.
import { isPair, isSeq, visit, type Document } from 'yaml';
import { childPath, formatPath, type PathSegment } from './paths';
import type { TextPositions } from './source-map';
import type { SpecProblem } from './types';

export function radixNumberProblems(doc: Document, positions: TextPositions): SpecProblem[] {
  const problems: SpecProblem[] = [];
  visit(doc, {
    Scalar(key, node, ancestors) {
      if (key === 'key' || typeof node.value !== 'number' || !node.source) return;
      const written = node.source;
      const kind =
        node.format === 'HEX' ? 'a hexadecimal number' : node.format === 'OCT' ? 'an octal number' : /^[-+]?0\d+$/.test(written) ? 'an integer with a leading zero (octal in YAML 1.1)' : null;
      if (!kind) return;
      // A pair's value is named by the pair (an ancestor); a sequence item by its index.
      const parent = formatPath(segments(ancestors));
      const at = typeof key === 'number' ? childPath(parent, key) : parent;
      problems.push({
        code: 'DL001',
        severity: 'error',
        message: `${at}: ${written} is ${kind}; write it in decimal (${node.value})`,
        path: at,
        range: positions.nodeRange(node),
      });
    },
  });
  return problems;
}

/** Spec path segments of a visited node's ancestors (pairs give their keys, sequences the index of the next ancestor). */
function segments(ancestors: readonly unknown[]): PathSegment[] {
  const out: PathSegment[] = [];
  for (let i = 0; i < ancestors.length; i++) {
    const a = ancestors[i];
    if (isPair(a)) out.push(String((a.key as { value?: unknown } | null)?.value));
    else if (isSeq(a) && i + 1 < ancestors.length) out.push(a.items.indexOf(ancestors[i + 1] as never));
  }
  return out;
}
