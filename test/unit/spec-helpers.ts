// Test helpers for the spec tests: ranges located in the test's own text, and applying text edits.
import type { Range, TextEdit } from '../../src/shared/findings';

/** The 0-based range of `snippet` on 0-based line `line` of `text` (the `nth` occurrence on that line). */
export function rangeOn(text: string, line: number, snippet: string, nth = 0): Range {
  const lineText = text.split('\n')[line];
  if (lineText === undefined) throw new Error(`no line ${line}`);
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = lineText.indexOf(snippet, at + 1);
    if (at === -1) throw new Error(`"${snippet}" not found on line ${line}: ${lineText}`);
  }
  return { start: { line, character: at }, end: { line, character: at + snippet.length } };
}

export const fileStart: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

function offsetOf(text: string, line: number, character: number): number {
  let offset = 0;
  for (let l = 0; l < line; l++) {
    const nl = text.indexOf('\n', offset);
    if (nl === -1) throw new Error(`edit line ${line} past the end`);
    offset = nl + 1;
  }
  return offset + character;
}

export function applyEdit(text: string, edit: TextEdit): string {
  const start = offsetOf(text, edit.range.start.line, edit.range.start.character);
  const end = offsetOf(text, edit.range.end.line, edit.range.end.character);
  return text.slice(0, start) + edit.newText + text.slice(end);
}
