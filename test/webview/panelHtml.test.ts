// The panel document: CSP with a nonce and nothing else allowed to run, assets by URI or inlined, inert data block.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  contentSecurityPolicy,
  createNonce,
  inlineCodiconFont,
  jsonDataBlock,
  renderPanelHtml,
} from '../../src/shared/panelHtml';

test('webview document: assets by URI, every script and style carries the nonce, CSP allows only them', () => {
  const nonce = createNonce();
  assert.match(nonce, /^[0-9a-f]{32}$/);
  assert.notEqual(createNonce(), nonce);
  const html = renderPanelHtml({
    script: { uri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/panel.js' },
    styles: [{ uri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/codicon.css' }, { uri: 'https://x/panel.css' }],
    nonce,
    cspSource: 'https://*.vscode-cdn.net',
  });
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1].replace(/&#39;/g, "'");
  assert.equal(csp, contentSecurityPolicy(nonce, 'https://*.vscode-cdn.net'));
  assert.match(csp ?? '', /default-src 'none'/);
  assert.match(csp ?? '', new RegExp(`script-src 'nonce-${nonce}'(;|$)`));
  assert.doesNotMatch(csp ?? '', /unsafe/);
  const tags = html.match(/<(script|link)\b[^>]*>/g) ?? [];
  assert.equal(tags.length, 3);
  for (const t of tags) assert.match(t, new RegExp(`nonce="${nonce}"`));
  assert.doesNotMatch(html, /depthlens-initial/, 'no data block without an initial result');
});

test('inlined script and data cannot end their <script> element early', () => {
  const html = renderPanelHtml({
    script: { inline: 'const s = "</script><b>";' },
    styles: [{ inline: 'a::after { content: "</style>"; }' }],
    nonce: 'abc',
  });
  assert.equal((html.match(/<\/script>/g) ?? []).length, 1);
  assert.equal((html.match(/<\/style>/g) ?? []).length, 1);
  const data = { name: '</script><script>alert(1)</script>', line: '\u2028' };
  const block = jsonDataBlock(data);
  assert.doesNotMatch(block, /</);
  assert.deepEqual(JSON.parse(block), data);
});

test('the codicon font is inlined into its stylesheet as a data: URI', () => {
  const css = '@font-face { font-family: "codicon"; src: url("./codicon.ttf?721d4c") format("truetype"); }';
  const out = inlineCodiconFont(css, Buffer.from([0, 1, 2, 255]).toString('base64'));
  assert.equal(out, '@font-face { font-family: "codicon"; src: url("data:font/ttf;base64,AAEC/w==") format("truetype"); }');
  assert.throws(() => inlineCodiconFont('body {}', 'AA=='), /codicon\.ttf/);
});
