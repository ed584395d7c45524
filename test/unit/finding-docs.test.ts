// Every finding code has its documentation (docs/findings/<code>.md, the diagnostics' codeDescription target), and
// the .vsix ships it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FINDING_CODES } from '../../src/shared/findings';

const root = join(__dirname, '../..');
const dir = join(root, 'docs/findings');

test('one documentation page per finding code, titled with the code, saying how to fix and how to silence it', () => {
  for (const code of FINDING_CODES) {
    const file = join(dir, `${code}.md`);
    assert.ok(existsSync(file), `${code}: docs/findings/${code}.md missing`);
    const text = readFileSync(file, 'utf8');
    assert.match(text, new RegExp(`^# ${code}: \\S`), `${code}: the page starts with "# ${code}: <title>"`);
    assert.match(text, /## How to fix it/);
    assert.match(text, new RegExp(`depthlens-disable-next-line ${code}`));
    assert.match(text, new RegExp(`--rule ${code}=`));
  }
  // No page for a code that does not exist.
  assert.deepEqual(readdirSync(dir).sort(), FINDING_CODES.map((c) => `${c}.md`).sort());
});

test('the packaged extension includes the finding documentation', () => {
  assert.match(readFileSync(join(root, '.vscodeignore'), 'utf8'), /^!docs\/findings\/\*\.md$/m);
});
