// A finding's fix as one text edit: the primary value plus any `more` values, applied in sequence, reduced to the single
// smallest replacement of the original text (so the editor keeps the cursor and undo sees one step). Pure (no vscode).
import { setValueEdit } from '../spec/index';
import type { Position, TextEdit } from '../shared/findings';
import type { FindingFix } from '../shared/findings';
import { lineStarts, positionAt } from '../shared/textPositions';

function offsetOf(starts: number[], text: string, p: Position): number {
  const line = Math.min(Math.max(p.line, 0), starts.length - 1);
  return Math.min(starts[line]! + Math.max(p.character, 0), text.length);
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
    range: { start: positionAt(starts, head), end: positionAt(starts, before.length - tail) },
    newText: after.slice(head, after.length - tail),
  };
}

/** Throws (from setValueEdit) when a path cannot be set in this text. */
export function fixEdit(text: string, fix: FindingFix): TextEdit {
  let next = applyTextEdit(text, setValueEdit(text, fix.path, fix.value));
  for (const extra of fix.more ?? []) next = applyTextEdit(next, setValueEdit(next, extra.path, extra.value));
  return minimalEdit(text, next);
}
