// Offsets ↔ 0-based line/character positions in a text (the Range convention of ./findings.ts). Types only from
// findings.ts: every stage may use it.
import type { Position } from './findings';

/** The offset at which each line starts (line 0 at 0). */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

/** The position of `offset`, by binary search over `lineStarts(text)`. */
export function positionAt(starts: readonly number[], offset: number): Position {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, character: offset - starts[lo]! };
}
