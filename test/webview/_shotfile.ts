import { launch } from './harness';
import { pathToFileURL } from 'node:url';
(async () => {
  const b = await launch();
  const [file, out, scheme, width] = process.argv.slice(2);
  const ctx = await b.newContext({ colorScheme: (scheme as 'light' | 'dark') ?? 'dark', viewport: { width: Number(width ?? 1280), height: 900 } });
  const page = await ctx.newPage();
  page.on('console', (m) => console.log('console', m.type(), m.text()));
  page.on('pageerror', (e) => console.log('pageerror', e.message));
  await page.goto(pathToFileURL(file).href);
  await page.waitForTimeout(500);
  await page.screenshot({ path: out, fullPage: true });
  await b.close();
})();
