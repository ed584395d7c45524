// Inline suppression directives, parsed from spec text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suppressions, withoutSuppressed } from '../../src/shared/suppression';
import type { Finding } from '../../src/shared/findings';

function at(code: Finding['code'], line: number): Finding {
  return { code, severity: 'warning', message: code, path: 'model.init', measured: false, range: { start: { line, character: 2 }, end: { line, character: 10 } } };
}

test('a directive names the codes of the next line; none means all; text after " -- " is a reason', () => {
  const text = ['depthlens: 1', '# depthlens-disable-next-line DL101, DL104 -- reviewed', 'model: x', '  #depthlens-disable-next-line', '  init: gaussian', '# depthlens-disable-next-line-not DL101'].join('\n');
  const table = suppressions(text);
  assert.deepEqual([...table.keys()], [2, 4]);
  assert.deepEqual([...(table.get(2) as Set<string>)].sort(), ['DL101', 'DL104']);
  assert.equal(table.get(4), 'all');
  const kept = withoutSuppressed([at('DL101', 2), at('DL107', 2), at('DL101', 4), at('DL101', 0), { ...at('DL101', 2), range: undefined }], text);
  assert.deepEqual(kept.map((f) => `${f.code}@${f.range?.start.line ?? '-'}`), ['DL107@2', 'DL101@0', 'DL101@-']);
});
