// `writeHtmlReport`: one self-contained file that renders offline — no network, no console errors, no inline script
// outside the nonce'd bundle, the result's text never interpreted as markup.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { writeHtmlReport } from '../../src/cli/report';
import { secondsText } from '../../src/shared/numberText';
import { buildPanel, launch, outputDir, root, screenshotDir } from './harness';
import { GAUSSIAN_TANH, ORTHOGONAL_LINEAR, runSpec, type EngineRun } from './engineResults';

let browser: Browser;
let run: EngineRun;
let previous: EngineRun;
const reportDir = join(outputDir, 'report');

before(async () => {
  buildPanel();
  mkdirSync(reportDir, { recursive: true });
  run = await runSpec(GAUSSIAN_TANH, join(__dirname, 'gaussian-tanh.depthlens.yaml'));
  previous = await runSpec(ORTHOGONAL_LINEAR, join(__dirname, 'gaussian-tanh.depthlens.yaml'));
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

interface Opened {
  page: Page;
  errors: string[];
  external: string[];
}

async function openReport(file: string, colorScheme: 'light' | 'dark' = 'dark'): Promise<Opened> {
  const context = await browser.newContext({ colorScheme, viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  const external: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`console ${m.type()}: ${m.text()}`);
  });
  context.on('request', (r) => {
    if (!/^(file|data):/.test(r.url())) external.push(r.url());
  });
  await page.goto(pathToFileURL(file).href);
  await page.waitForFunction(() => (window as unknown as { depthlensPanel?: unknown }).depthlensPanel !== undefined, undefined, { timeout: 5000 });
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  return { page, errors, external };
}

test('the report is one file that renders offline: no network requests, no console errors', async () => {
  const file = join(reportDir, 'report.html');
  writeHtmlReport(run.result, file, { previous: previous.result });
  const html = readFileSync(file, 'utf8');
  assert.equal((html.match(/<script\b/g) ?? []).length, 2, 'the nonce’d bundle and the inert JSON block');
  assert.match(html, /<script type="application\/json" id="depthlens-initial">/);
  assert.doesNotMatch(html, /unsafe-inline|unsafe-eval/);
  assert.doesNotMatch(html, /<link\b|src="(?!data:)[^"]+"/, 'nothing loaded from outside the file');
  assert.match(html, /url\("data:font\/ttf;base64,/);

  const { page, errors, external } = await openReport(file);
  try {
    const points = await page.evaluate(() => (window as any).depthlensPanel.chart('gradient').data.datasets.find((d: any) => d.depthlensKey === 'grad-mean').data.length);
    assert.equal(points, run.result.layers.length);
    const previousPoints = await page.evaluate(() => (window as any).depthlensPanel.chart('gradient').data.datasets.find((d: any) => d.depthlensKey === 'grad-previous').data.length);
    assert.equal(previousPoints, previous.result.layers.length);
    assert.equal(await page.evaluate(() => document.fonts.check('16px codicon')), true, 'codicon font loaded from the data: URI');
    // Read-only: no run controls, findings are not buttons.
    assert.equal(await page.locator('#run').count(), 0);
    assert.equal(await page.locator('.findings li').count(), run.result.findings.length);
    assert.equal(await page.locator('.findings button').count(), 0);
    // The run's predicted time beside its actual time (issue 16 item 6).
    assert.ok(run.result.predictedSeconds !== undefined);
    assert.equal(await page.locator('#predicted-chip span[aria-label]').textContent(), `predicted ${secondsText(run.result.predictedSeconds)}`);
    mkdirSync(screenshotDir, { recursive: true });
    await page.screenshot({ path: join(screenshotDir, 'report-dark.png'), fullPage: true });
    assert.deepEqual(external, []);
    assert.deepEqual(errors, []);
  } finally {
    await page.context().close();
  }
});

test('the report follows the browser colour scheme', async () => {
  const file = join(reportDir, 'report.html');
  writeHtmlReport(run.result, file);
  const { page, errors } = await openReport(file, 'light');
  try {
    assert.equal(await page.evaluate(() => document.body.classList.contains('vscode-light')), true);
    // media/panel.css's light fallback background is VS Code Light Modern's editor background, #ffffff.
    assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(255, 255, 255)');
    await page.screenshot({ path: join(screenshotDir, 'report-light.png'), fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await page.context().close();
  }
});

test('text from the result is shown as text, never run as markup', async () => {
  const name = '</script><script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">';
  const file = join(reportDir, 'report-hostile.html');
  writeHtmlReport({ ...run.result, spec: { ...run.result.spec, name } }, file);
  const { page, errors, external } = await openReport(file);
  try {
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.equal(await page.locator('h1.spec-name').textContent(), name);
    assert.equal(await page.title(), `DepthLens report — ${name}`);
    assert.deepEqual(external, []);
    assert.deepEqual(errors, []);
  } finally {
    await page.context().close();
  }
});

test('each chart downloads as PNG from the report', async () => {
  const file = join(reportDir, 'report.html');
  writeHtmlReport(run.result, file);
  const { page, errors } = await openReport(file);
  try {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#chart-isometry .card-header button[title="Save chart as PNG"]')]);
    assert.equal(download.suggestedFilename(), 'depthlens-isometry.png');
    const saved = join(reportDir, 'isometry.png');
    await download.saveAs(saved);
    assert.deepEqual([...readFileSync(saved).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    assert.deepEqual(errors, []);
  } finally {
    await page.context().close();
  }
});

test('`depthlens analyze --html` writes the report from the bundled CLI', async () => {
  execFileSync(process.execPath, ['scripts/build.mjs', '--only=cli,panel'], { cwd: root, stdio: 'pipe' });
  const spec = join(reportDir, 'cli.depthlens.yaml');
  const file = join(reportDir, 'cli-report.html');
  const json = join(reportDir, 'cli-result.json');
  writeFileSync(spec, GAUSSIAN_TANH);
  const stdout = execFileSync(process.execPath, [join(root, 'dist/cli.js'), 'analyze', spec, '--no-sweep', '--html', file, '--json', json], { cwd: root, encoding: 'utf8' });
  assert.ok(stdout.includes(`report written to ${file}`), stdout);
  const result = JSON.parse(readFileSync(json, 'utf8'));
  const { page, errors, external } = await openReport(file);
  try {
    const points = await page.evaluate(() => (window as any).depthlensPanel.chart('isometry').data.datasets.find((d: any) => d.depthlensKey === 'phi-mean').data.length);
    assert.equal(points, result.layers.length);
    assert.equal(await page.locator('h1.spec-name').textContent(), result.spec.name);
    // The report is a record: the spec text as run, versions, machine, time and options, and the command to rerun it.
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const record = (await page.locator('#run-record dl').textContent()) ?? '';
    assert.match(record, new RegExp(`DepthLens ${pkg.version.replace(/\./g, '\\.')}`));
    assert.match(record, /depthlens analyze \(CLI\)/);
    assert.match(record, new RegExp(`${result.backend.name} ${result.backend.version.replace(/\./g, '\\.')}`));
    assert.match(record, new RegExp(`${process.platform} ${process.arch}, ${cpus().length} × `));
    assert.match(record, /sweep = false/);
    assert.match(record, /Created\d{4}-\d\d-\d\dT\d\d:\d\d/);
    assert.match(record, new RegExp(`depthlens analyze ${spec.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} --backend auto --no-sweep`));
    assert.equal(await page.locator('#run-record .spec-text').textContent(), GAUSSIAN_TANH);
    await page.screenshot({ path: join(screenshotDir, 'report-record-dark.png'), fullPage: true });
    assert.deepEqual(external, []);
    assert.deepEqual(errors, []);
  } finally {
    await page.context().close();
  }
});
