import { readFileSync } from 'node:fs';
import { launch, openPanel } from './harness';
(async () => {
  const b = await launch();
  const p = await openPanel(b, { size: { width: 560, height: 700 } });
  await p.page.screenshot({ path: '/tmp/devD/empty.png' });
  await p.page.evaluate(() => { document.body.className = 'vscode-high-contrast'; });
  await p.send({ type: 'result', result: JSON.parse(readFileSync('/tmp/devD/train.json', 'utf8')) });
  await p.send({ type: 'runState', state: 'running' });
  await p.page.waitForTimeout(200);
  await p.page.screenshot({ path: '/tmp/devD/hc.png', fullPage: true });
  console.log(p.errors);
  await b.close();
})();
