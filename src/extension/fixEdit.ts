// A finding's fix as one text edit: the primary value plus any `more` values, applied in sequence, reduced to the single
// smallest replacement of the original text (so the editor keeps the cursor and undo sees one step). Pure (no vscode).
import { setValueEdit } from '../spec/index';
import type { Position, TextEdit } from '../shared/findings';
import type { FindingFix } from '../shared/findings';

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return starts;
}

function offsetOf(starts: number[], text: string, p: Position): number {
  const line = Math.min(Math.max(p.line, 0), starts.length - 1);
  return Math.min(starts[line]! + Math.max(p.character, 0), text.length);
}

function positionOf(starts: number[], offset: number): Position {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, character: offset - starts[lo]! };
}

export function applyTextEdit(text: string, edit: TextEdit): string {
  const starts = lineStarts(text);
  return text.slice(0, offsetOf(starts, text, edit.range.start)) + edit.newText + text.slice(offsetOf(starts, text, edit.range.end));
}

/** The edit turning `before` into `after`, covering only the changed middle. */
export function minimalEdit(before: string, after: string): TextEdit {
  let head = 0;
  const max = Math.min(before.length, after.length);
  while (head < max && before[head] === after[head]) head++;
  let tail = 0;
  while (tail < max - head && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++;
  const starts = lineStarts(before);
  return {
    range: { start: positionOf(starts, head), end: positionOf(starts, before.length - tail) },
    newText: after.slice(head, after.length - tail),
  };
}

/** Throws (from setValueEdit) when a path cannot be set in this text. */
export function fixEdit(text: string, fix: FindingFix): TextEdit {
  let next = applyTextEdit(text, setValueEdit(text, fix.path, fix.value));
  for (const extra of fix.more ?? []) next = applyTextEdit(next, setValueEdit(next, extra.path, extra.value));
  return minimalEdit(text, next);
}
