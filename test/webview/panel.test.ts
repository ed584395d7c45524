// The built panel in headless Chromium, fed real engine results through a stubbed acquireVsCodeApi.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { checkText } from '../../src/theory/index';
import { pathToFileURL } from 'node:url';
import { writeHtmlReport } from '../../src/cli/report';
import { launch, openPanel, outputDir, screenshotDir, type PanelPage } from './harness';
import { DEEP_GAUSSIAN, DEGENERATE_BATCH, GAUSSIAN_TANH, ORTHOGONAL_LINEAR, runSpec, type EngineRun } from './engineResults';
import { secondsText } from '../../src/shared/numberText';

interface DatasetView {
  key: string;
  role: string;
  label: string;
  data: { x: number; y: number | null }[];
  borderColor: string;
  borderDash: number[];
  fill: unknown;
  pointRadius: number;
  hidden: boolean;
}

interface ChartView {
  id: number;
  xType: string;
  yType: string;
  datasets: DatasetView[];
  collapse: { from: number; to: number; rank: number }[];
}

let browser: Browser;
let gaussian: EngineRun;
let orthogonal: EngineRun;
let degenerate: EngineRun;
let deep: EngineRun;
/** DEEP_GAUSSIAN as the extension's quick run measures it: depth capped at 100 of 1000, 2 seeds. */
let deepQuick: EngineRun;

before(async () => {
  gaussian = await runSpec(GAUSSIAN_TANH, join(__dirname, 'gaussian-tanh.depthlens.yaml'));
  // The same spec file after an edit (orthogonal init, linear): the before/after pair the panel compares.
  orthogonal = await runSpec(ORTHOGONAL_LINEAR, join(__dirname, 'gaussian-tanh.depthlens.yaml'));
  degenerate = await runSpec(DEGENERATE_BATCH, join(__dirname, 'degenerate.depthlens.yaml'));
  deep = await runSpec(DEEP_GAUSSIAN, join(__dirname, 'deep.depthlens.yaml'));
  deepQuick = await runSpec(DEEP_GAUSSIAN, join(__dirname, 'deep.depthlens.yaml'), { quick: { maxDepth: 100, maxWidth: 8, seeds: 2 }, sweep: false, train: false });
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

async function chartView(p: PanelPage, id: string): Promise<ChartView | null> {
  return p.page.evaluate((chartId) => {
    const c = (window as any).depthlensPanel.chart(chartId);
    if (!c) return null;
    return {
      id: c.id,
      xType: c.options.scales.x.type,
      yType: c.options.scales.y.type,
      datasets: c.data.datasets.map((d: any) => ({
        key: d.depthlensKey, role: d.depthlensRole, label: d.label, data: d.data, borderColor: d.borderColor,
        borderDash: d.borderDash, fill: d.fill, pointRadius: d.pointRadius, hidden: d.hidden === true,
      })),
      collapse: c.options.plugins.depthlensCollapse.ranges,
    };
  }, id);
}

function dataset(view: ChartView | null, key: string): DatasetView {
  const d = view?.datasets.find((s) => s.key === key);
  assert.ok(d, `dataset ${key} missing (have ${view?.datasets.map((s) => s.key).join(', ')})`);
  return d;
}

async function withPanel(fn: (p: PanelPage) => Promise<void>, options: Parameters<typeof openPanel>[1] = {}): Promise<void> {
  const p = await openPanel(browser, options);
  try {
    await fn(p);
    assert.deepEqual(p.errors, [], 'page errors or console errors');
  } finally {
    await p.page.close();
  }
}

test('a result draws per-layer charts with one point per layer, seed bands and the theory line', async () => {
  const r = gaussian.result;
  await withPanel(async (p) => {
    await p.send({ type: 'result', result: r });
    const grad = await chartView(p, 'gradient');
    assert.equal(grad?.xType, 'linear');
    assert.equal(grad?.yType, 'linear');
    const mean = dataset(grad, 'grad-mean');
    assert.equal(mean.data.length, r.layers.length);
    // The Result stores ln; the chart plots log10 (the orders of magnitude every message speaks of).
    const log10 = (v: number | null): number | null => (v === null ? null : v / Math.LN10);
    assert.deepEqual(mean.data.map((d) => d.y), r.layers.map((l) => log10(l.logGradNorm.mean)));
    assert.deepEqual(mean.data.map((d) => d.x), r.layers.map((l) => l.index));
    // Seeds: min and max edges, the upper one filled down to the lower one.
    assert.deepEqual(dataset(grad, 'grad-min').data.map((d) => d.y), r.layers.map((l) => log10(l.logGradNorm.min)));
    assert.deepEqual(dataset(grad, 'grad-max').data.map((d) => d.y), r.layers.map((l) => log10(l.logGradNorm.max)));
    assert.equal(dataset(grad, 'grad-max').fill, '-1');

    // Theory: slope −log10(perLayer) per layer, through the measured mean at the output layer.
    assert.ok(r.theory && Number.isFinite(r.theory.perLayer));
    const theory = dataset(grad, 'grad-theory').data;
    const last = r.layers[r.layers.length - 1];
    assert.equal(theory.length, 2);
    assert.equal(theory[1].x, last.index);
    assert.ok(Math.abs((theory[1].y as number) - (last.logGradNorm.mean as number) / Math.LN10) < 1e-12);
    const slope = ((theory[1].y as number) - (theory[0].y as number)) / (theory[1].x - theory[0].x);
    assert.ok(Math.abs(slope + Math.log10(r.theory.perLayer)) < 1e-9, `theory slope ${slope} vs −log10 ${r.theory.perLayer}`);
    // No internal theory ids in what users read.
    assert.doesNotMatch(theory.length ? dataset(grad, 'grad-theory').label : '', /gaussian-bn|orthogonal-|-linear-/);

    const iso = await chartView(p, 'isometry');
    assert.equal(iso?.yType, 'logarithmic');
    const phi = dataset(iso, 'phi-mean').data;
    assert.equal(phi.length, r.layers.length);
    r.layers.forEach((l, i) => {
      const expected = l.isometryGap.mean !== null && l.isometryGap.mean > 0 ? l.isometryGap.mean : null;
      assert.equal(phi[i].y, expected, `layer ${l.index}`);
    });
    assert.equal(iso?.collapse.length, r.layers.filter((l, i) => l.degenerate && !(i > 0 && r.layers[i - 1].degenerate)).length);

    const sweep = await chartView(p, 'sweep');
    assert.ok(r.depthSweep && r.depthSweep.length === 4);
    assert.deepEqual(dataset(sweep, 'sweep-mean').data.map((d) => d.x), r.depthSweep.map((s) => s.depth));
    assert.deepEqual(dataset(sweep, 'sweep-mean').data.map((d) => d.y), r.depthSweep.map((s) => log10(s.logGradNormW1.mean)));
    // Theory against depth: log10‖∇W₁‖ gains log10(perLayer) per added layer, from the shallowest measured depth, with
    // a point at every swept depth (exact on a log-depth axis too).
    const sweepTheory = dataset(sweep, 'sweep-theory').data;
    assert.equal(sweepTheory.length, r.depthSweep.length);
    assert.deepEqual(sweepTheory[0], { x: r.depthSweep[0].depth, y: log10(r.depthSweep[0].logGradNormW1.mean) });
    const sweepSlope = ((sweepTheory[3].y as number) - (sweepTheory[0].y as number)) / (sweepTheory[3].x - sweepTheory[0].x);
    assert.ok(Math.abs(sweepSlope - Math.log10(r.theory.perLayer)) < 1e-9);
    // Depths 4…24 span less than a decade: linear x by default; the toggle switches to log depth.
    assert.equal(sweep?.xType, 'linear');
    await p.page.click('#xlog-sweep');
    assert.equal((await chartView(p, 'sweep'))?.xType, 'logarithmic');
    assert.equal(await p.page.locator('#xlog-sweep').getAttribute('aria-pressed'), 'true');

    // Loss and accuracy on separate charts (no twin axes), only when the run trained.
    const trained = !!(r.train && r.train.records.length > 0);
    assert.ok(trained, 'the gaussian spec trains');
    assert.equal(await p.page.locator('#chart-trainLoss').isHidden(), false);
    assert.equal(await p.page.locator('#chart-trainAccuracy').isHidden(), false);
    const loss = await chartView(p, 'trainLoss');
    assert.deepEqual(dataset(loss, 'loss').data.map((d) => d.y), r.train!.records.map((x) => x.loss));
    assert.ok(loss?.datasets.every((d) => !d.key.startsWith('accuracy')), 'no accuracy on the loss chart');
    const acc = await chartView(p, 'trainAccuracy');
    assert.deepEqual(dataset(acc, 'accuracy').data.map((d) => d.y), r.train!.records.map((x) => x.accuracy));

    // Text summaries, linked as accessible descriptions.
    const g = r.growth;
    assert.ok(g);
    const summary = await p.page.locator('#summary-gradient').textContent();
    assert.match(summary ?? '', new RegExp(`grows ${Number(g.perLayer.toFixed(2))}× per layer toward the input \\(fitted trend\\)`));
    assert.match(summary ?? '', new RegExp(`Over ${r.layers.length} layers`));
    // The max/min range is said as a range, not as growth.
    assert.match(summary ?? '', /largest and smallest layer differ/);
    assert.doesNotMatch(summary ?? '', /gaussian-bn|orthogonal-|-linear-/);
    assert.equal(await p.page.locator('#chart-gradient canvas').getAttribute('aria-describedby'), 'summary-gradient');

    // Run metadata.
    const chips = await p.page.locator('.chips').textContent();
    assert.match(chips ?? '', new RegExp(`${r.backend.name} ${r.backend.version}`));
    assert.match(chips ?? '', new RegExp(`${r.seeds} seeds`));
    assert.match(chips ?? '', /full run/);
    // The prediction made before the run, beside the actual time (issue 16 item 6).
    assert.ok(r.predictedSeconds !== undefined, 'a wasm run is predicted');
    assert.equal(await p.page.locator('#predicted-chip span[aria-label]').textContent(), `predicted ${secondsText(r.predictedSeconds)}`);
    assert.match((await p.page.locator('#predicted-chip').getAttribute('title')) ?? '', new RegExp(`Actual: ${secondsText(r.seconds).replace('.', '\\.')}`));
  });
});

test('findings list: one entry per finding; click and Enter post reveal with the finding’s path and range', async () => {
  const r = degenerate.result;
  assert.ok(r.findings.length >= 2, 'the degenerate spec should produce several findings');
  await withPanel(async (p) => {
    await p.send({ type: 'result', result: r });
    const items = p.page.locator('.findings li');
    assert.equal(await items.count(), r.findings.length);
    assert.equal(await p.page.locator('.panel-heading .badge').textContent(), String(r.findings.length));
    const codes = await p.page.locator('.finding-code').allTextContents();
    assert.deepEqual([...codes].sort(), r.findings.map((f) => f.code).sort());

    const first = p.page.locator('.findings button').first();
    const firstCode = await first.locator('.finding-code').textContent();
    const finding = r.findings.find((f) => f.code === firstCode);
    assert.ok(finding);
    await first.click();
    await first.focus();
    await p.page.keyboard.press('Enter');
    const reveals = (await p.posted()).filter((m) => m.type === 'reveal');
    const expected = finding.range ? { type: 'reveal', path: finding.path, range: finding.range } : { type: 'reveal', path: finding.path };
    assert.deepEqual(reveals, [expected, expected]);
  });
});

test('static findings of the edited spec replace the run’s static ones; measured findings stay', async () => {
  const r = gaussian.result;
  const edited = checkText(DEGENERATE_BATCH, join(__dirname, 'degenerate.depthlens.yaml')).findings;
  assert.ok(edited.length > 0, 'the degenerate spec has static findings');
  const measured = r.findings.filter((f) => f.measured);
  await withPanel(async (p) => {
    await p.send({ type: 'result', result: r });
    await p.send({ type: 'specFindings', file: join(__dirname, 'degenerate.depthlens.yaml'), findings: edited });
    const codes = await p.page.locator('.finding-code').allTextContents();
    assert.deepEqual([...codes].sort(), [...measured, ...edited].map((f) => f.code).sort());
    const groups = await p.page.locator('.findings-group').allTextContents();
    assert.deepEqual(groups, [`Measured in run 1 (${r.layers.length} layers)`, 'Predicted from the spec']);
  });
});

test('keyboard: Tab reaches the run controls, the chart buttons and the findings', async () => {
  await withPanel(async (p) => {
    await p.send({ type: 'result', result: degenerate.result });
    const reached: string[] = [];
    for (let i = 0; i < 20; i++) {
      await p.page.keyboard.press('Tab');
      reached.push(await p.page.evaluate(() => {
        const el = document.activeElement;
        return el ? `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${el.className}` : '';
      }));
    }
    assert.ok(reached.includes('select#run-mode.'), reached.join(' '));
    assert.ok(reached.includes('button#run.button primary'));
    assert.ok(reached.some((r) => r.startsWith('button.icon-button')));
    assert.ok(reached.some((r) => r.startsWith('button.finding-row')));
  });
});

test('run controls post run and cancel requests; the progress bar follows runState', async () => {
  await withPanel(async (p) => {
    await p.send({ type: 'result', result: orthogonal.result });
    await p.page.click('#run');
    await p.page.selectOption('#run-mode', 'quick');
    await p.page.fill('#run-seeds', '3');
    await p.page.locator('#run-seeds').dispatchEvent('change');
    await p.page.click('#run');
    await p.send({ type: 'runState', state: 'running', progress: { fraction: 0.25, text: 'seed 1: layer 6' } });
    assert.equal(await p.page.locator('#run').isDisabled(), true);
    assert.equal(await p.page.locator('.progress').getAttribute('aria-valuenow'), '25');
    assert.match((await p.page.locator('.run-state').textContent()) ?? '', /seed 1: layer 6/);
    await p.page.click('#cancel');
    await p.send({ type: 'runState', state: 'cancelled' });
    assert.equal(await p.page.locator('.progress').isHidden(), true);
    assert.equal(await p.page.locator('#cancel').isDisabled(), true);
    const posted = (await p.posted()).filter((m) => m.type !== 'ready');
    assert.deepEqual(posted, [{ type: 'run', mode: 'full' }, { type: 'run', mode: 'quick', seeds: 3 }, { type: 'cancel' }]);
    assert.deepEqual((await p.savedState() as { controls: unknown }).controls, { mode: 'quick', seeds: 3 });
  });
});

test('the earlier run of the same depth and mode is drawn dashed, named, on the same axes', async () => {
  await withPanel(async (p) => {
    await p.send({ type: 'result', result: orthogonal.result, previous: gaussian.result });
    const grad = await chartView(p, 'gradient');
    const previous = dataset(grad, 'grad-previous');
    assert.deepEqual(previous.data.map((d) => d.y), gaussian.result.layers.map((l) => (l.logGradNorm.mean === null ? null : l.logGradNorm.mean / Math.LN10)));
    assert.equal(previous.label, `run 1 (full, ${gaussian.result.layers.length} layers)`);
    assert.ok(previous.borderDash.length > 0);
    assert.deepEqual(dataset(grad, 'grad-mean').borderDash, []);
    const iso = await chartView(p, 'isometry');
    assert.equal(dataset(iso, 'phi-previous').data.length, gaussian.result.layers.length);
    assert.match((await p.page.locator('#summary-gradient').textContent()) ?? '', /Dashed grey: run 1 \(full, 24 layers\)/);
    // The same run re-sent (a snapshot after a webview reload) is not a new run.
    await p.send({ type: 'result', result: orthogonal.result });
    const history = ((await p.savedState()) as { history: Record<string, unknown[]> }).history[orthogonal.result.spec.path];
    assert.equal(history.length, 2);
    assert.equal(dataset(await chartView(p, 'gradient'), 'grad-previous').data.length, gaussian.result.layers.length);
  });
});

test('overlays compare like with like: a run of another depth or mode is not overlaid, and can be picked only when comparable', async () => {
  await withPanel(async (p) => {
    // A 100-layer quick run, then the 1000-layer full run of the same spec: drawing one over the other would squash it.
    await p.send({ type: 'result', result: deepQuick.result });
    await p.send({ type: 'result', result: deep.result });
    assert.equal(dataset(await chartView(p, 'gradient'), 'grad-previous').data.length, 0);
    const options = await p.page.locator('#compare option').evaluateAll((os) => os.map((o) => ({ text: o.textContent, disabled: (o as HTMLOptionElement).disabled })));
    assert.equal(options.length, 2);
    assert.match(options[1].text ?? '', /^run 1 · quick · 100 layers · \d\d:\d\d:\d\d — not comparable$/);
    assert.equal(options[1].disabled, true);
    // A second full run: the first full one is its baseline; picking it explicitly keeps it.
    const again = { ...deep.result, seconds: deep.result.seconds + 1 };
    await p.send({ type: 'result', result: again });
    assert.equal(dataset(await chartView(p, 'gradient'), 'grad-previous').label, 'run 2 (full, 1000 layers)');
    await p.page.selectOption('#compare', '2');
    assert.equal(((await p.savedState()) as { baseline: Record<string, number> }).baseline[deep.result.spec.path], 2);
    assert.equal(dataset(await chartView(p, 'gradient'), 'grad-previous').data.length, 1000);
  });
});

test('streamed partial results update the same charts in place', async () => {
  assert.ok(gaussian.partials.length >= 1, 'the engine streams at least one partial result');
  await withPanel(async (p) => {
    await p.send({ type: 'result', result: gaussian.partials[0] });
    const before = await chartView(p, 'gradient');
    assert.match((await p.page.locator('.chips').textContent()) ?? '', /streaming/);
    for (const partial of gaussian.partials.slice(1)) await p.send({ type: 'result', result: partial });
    await p.send({ type: 'result', result: gaussian.result });
    const afterView = await chartView(p, 'gradient');
    assert.equal(afterView?.id, before?.id, 'same Chart.js instance');
    assert.equal(await p.page.locator('canvas').count(), 6);
    assert.deepEqual(dataset(afterView, 'grad-mean').data.map((d) => d.y), gaussian.result.layers.map((l) => (l.logGradNorm.mean === null ? null : l.logGradNorm.mean / Math.LN10)));
    assert.doesNotMatch((await p.page.locator('.chips').textContent()) ?? '', /streaming/);
  });
});

test('rank collapse: null gaps break the line and the collapsed layers are marked', async () => {
  const r = degenerate.result;
  assert.ok(r.layers.every((l) => l.degenerate), 'a batch of 4 distinct samples collapses every layer');
  await withPanel(async (p) => {
    await p.send({ type: 'result', result: r });
    const iso = await chartView(p, 'isometry');
    assert.deepEqual(dataset(iso, 'phi-mean').data.map((d) => d.y), r.layers.map(() => null));
    const minRank = Math.min(...r.layers.map((l) => l.rank));
    assert.deepEqual(iso?.collapse, [{ from: r.layers[0].index, to: r.layers[r.layers.length - 1].index, rank: minRank }]);
    assert.match((await p.page.locator('#summary-isometry').textContent()) ?? '', /Rank collapse at every layer/);
    // Never an empty frame: the y axis keeps a readable range and the chart draws (markers along the top edge).
    const y = await p.page.evaluate(() => {
      const c = (window as any).depthlensPanel.chart('isometry');
      return { min: c.scales.y.min, max: c.scales.y.max };
    });
    assert.ok(Number.isFinite(y.min) && Number.isFinite(y.max) && y.max > y.min, JSON.stringify(y));
  });
});

test('1000-layer series: one point per layer, no point markers', async () => {
  const r = deep.result;
  assert.equal(r.layers.length, 1000);
  await withPanel(async (p) => {
    await p.send({ type: 'result', result: r });
    const grad = await chartView(p, 'gradient');
    assert.equal(dataset(grad, 'grad-mean').data.length, 1000);
    assert.equal(dataset(grad, 'grad-mean').pointRadius, 0);
    const iso = await chartView(p, 'isometry');
    assert.equal(dataset(iso, 'phi-mean').data.length, 1000);
  });
});

/** WCAG relative luminance and contrast of two rgb()/rgba() colours (alpha ignored: the lines are drawn opaque). */
function contrast(a: string, b: string): number {
  const lum = (c: string): number => {
    const [r, g, bl] = (c.match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => {
      const s = Number(v) / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

test('theme: light, dark and high contrast each re-colour the charts with a colour-blind-safe palette of ≥ 3:1 contrast', async () => {
  await withPanel(async (p) => {
    await p.send({ type: 'result', result: gaussian.result });
    // The first frame, before any theme change or later update: every axis's ticks and title in the theme's chart
    // foreground (--dl-chart-foreground, resolved by the page itself), not Chart.js's default grey (#666).
    const firstFrame = await p.page.evaluate(() =>
      ['gradient', 'isometry', 'sweep', 'trainLoss', 'trainAccuracy', 'trainIsometry'].flatMap((id) => {
        const c = (window as any).depthlensPanel.chart(id);
        return ['x', 'y'].flatMap((axis) => [c.scales[axis].options.ticks.color, c.scales[axis].options.title.color]);
      }),
    );
    const themeForeground = await p.page.evaluate(() => {
      const probe = document.createElement('span');
      probe.style.color = 'var(--dl-chart-foreground)';
      document.body.append(probe);
      const colour = getComputedStyle(probe).color;
      probe.remove();
      return colour;
    });
    assert.equal(themeForeground, 'rgb(204, 204, 204)', 'premise: the dark theme’s chart foreground (#ccc)');
    assert.deepEqual(new Set(firstFrame), new Set([themeForeground]), `first frame axis colours ${firstFrame.join(', ')}`);
    const seen: string[] = [];
    for (const theme of ['vscode-dark', 'vscode-light', 'vscode-high-contrast']) {
      await p.page.evaluate((t) => {
        document.body.classList.remove('vscode-dark', 'vscode-light', 'vscode-high-contrast');
        document.body.classList.add(t);
      }, theme);
      await p.page.evaluate(() => new Promise((r) => setTimeout(r, 0)));
      const background = await p.page.evaluate(() => getComputedStyle(document.querySelector('.card')!).backgroundColor);
      const grad = await chartView(p, 'gradient');
      const iso = await chartView(p, 'isometry');
      const colours = [dataset(grad, 'grad-mean').borderColor, dataset(iso, 'phi-mean').borderColor, dataset(await chartView(p, 'sweep'), 'sweep-mean').borderColor];
      for (const c of colours) assert.ok(contrast(c, background) >= 3, `${theme}: ${c} on ${background} has contrast ${contrast(c, background).toFixed(2)}`);
      // The measured curve is drawn above the theory line (lower order draws on top).
      const order = await p.page.evaluate(() => (window as any).depthlensPanel.chart('gradient').data.datasets.map((d: any) => [d.depthlensRole, d.order]));
      const orderOf = (role: string): number => (order as [string, number][]).find(([r]) => r === role)![1];
      assert.ok(orderOf('mean') < orderOf('theory'));
      seen.push(dataset(iso, 'phi-mean').borderColor);
      // Axis text on every chart in the theme's chart foreground, from the first frame (not Chart.js's default grey).
      const tickColours = await p.page.evaluate(() =>
        ['gradient', 'isometry', 'sweep', 'trainLoss', 'trainAccuracy', 'trainIsometry'].map((id) => (window as any).depthlensPanel.chart(id).scales.y.options.ticks.color),
      );
      assert.equal(new Set(tickColours).size, 1, `${theme}: tick colours ${tickColours.join(', ')}`);
    }
    assert.equal(new Set(seen).size, 3, `one colour per theme: ${seen.join(', ')}`);
    // Okabe–Ito blue in the light theme.
    assert.equal(seen[1], 'rgb(0, 114, 178)');
  });
});

test('a reload restores the last result from the webview state without a new message', async () => {
  let saved: unknown;
  await withPanel(async (p) => {
    await p.send({ type: 'result', result: gaussian.result, previous: orthogonal.result });
    saved = await p.savedState();
  });
  await withPanel(
    async (p) => {
      const grad = await chartView(p, 'gradient');
      assert.equal(dataset(grad, 'grad-mean').data.length, gaussian.result.layers.length);
      assert.equal(dataset(grad, 'grad-previous').data.length, orthogonal.result.layers.length);
      assert.equal(await p.page.locator('.findings li').count(), gaussian.result.findings.length);
      assert.equal(await p.page.locator('#compare option').count(), 2);
      assert.deepEqual(await p.posted(), [{ type: 'ready' }]);
    },
    { state: saved },
  );
});

test('malformed messages are ignored: no exception, nothing changes', async () => {
  await withPanel(async (p) => {
    await p.send({ type: 'result', result: gaussian.result });
    const before = await chartView(p, 'gradient');
    const stateBefore = await p.savedState();
    const broken: unknown[] = [
      null,
      'result',
      { type: 'result' },
      { type: 'result', result: { ...gaussian.result, layers: 'many' } },
      { type: 'result', result: { ...gaussian.result, depthlens: 2 } },
      { type: 'result', result: { ...gaussian.result, findings: [{ code: 'nope' }] } },
      { type: 'runState', state: 'exploded' },
      { type: 'specFindings', file: 3, findings: [] },
      { type: 'unknown' },
    ];
    for (const m of broken) await p.send(m);
    assert.deepEqual(await chartView(p, 'gradient'), before);
    assert.deepEqual(await p.savedState(), stateBefore);
  });
});

test('PNG export posts the chart as a PNG data URL to the host', async () => {
  await withPanel(async (p) => {
    await p.send({ type: 'result', result: orthogonal.result });
    await p.page.click('#chart-gradient .card-header button[title="Save chart as PNG"]');
    const exported = (await p.posted()).filter((m) => m.type === 'exportImage');
    assert.equal(exported.length, 1);
    const m = exported[0] as { name: string; dataUrl: string };
    assert.equal(m.name, 'depthlens-gradient.png');
    const bytes = Buffer.from(m.dataUrl.slice('data:image/png;base64,'.length), 'base64');
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });
});

test('screenshots, dark and light, for people to look at', async () => {
  mkdirSync(screenshotDir, { recursive: true });
  for (const theme of ['vscode-dark', 'vscode-light'] as const) {
    await withPanel(
      async (p) => {
        await p.send({ type: 'result', result: gaussian.result, previous: orthogonal.result });
        await p.send({ type: 'runState', state: 'done', message: `in ${gaussian.result.seconds.toFixed(1)} s` });
        const file = join(screenshotDir, `panel-${theme.replace('vscode-', '')}.png`);
        await p.page.screenshot({ path: file, fullPage: true });
      },
      { theme },
    );
  }
  await withPanel(
    async (p) => {
      await p.send({ type: 'result', result: gaussian.result, previous: orthogonal.result });
      await p.page.screenshot({ path: join(screenshotDir, 'panel-high-contrast.png'), fullPage: true });
    },
    { theme: 'vscode-high-contrast' },
  );
  // The panel beside the editor: one column, findings first; light and dark.
  for (const theme of ['vscode-dark', 'vscode-light'] as const) {
    await withPanel(
      async (p) => {
        await p.send({ type: 'result', result: degenerate.result });
        await p.send({ type: 'runState', state: 'running', progress: { fraction: 0.6, text: 'seed 2 of 2: backward pass, 7 of 12 layers' } });
        await p.page.screenshot({ path: join(screenshotDir, `panel-narrow-${theme.replace('vscode-', '')}.png`), fullPage: true });
      },
      { size: { width: 520, height: 900 }, theme },
    );
  }
  // A quick run of a 1000-layer spec after an edit: the cap chip, the stale banner.
  await withPanel(
    async (p) => {
      await p.send({ type: 'document', file: deepQuick.result.spec.path, name: deepQuick.result.spec.name, stale: null });
      await p.send({ type: 'result', result: deepQuick.result });
      await p.send({ type: 'document', file: deepQuick.result.spec.path, name: deepQuick.result.spec.name, stale: 'edited' });
      await p.page.screenshot({ path: join(screenshotDir, 'panel-quick-stale-light.png'), fullPage: true });
    },
    { theme: 'vscode-light' },
  );
  console.log(`# screenshots: ${screenshotDir}`);
});


test('the panel follows the spec it is told about: each spec its own runs, stale charts marked', async () => {
  const gaussianFile = gaussian.result.spec.path;
  const deepFile = deep.result.spec.path;
  await withPanel(async (p) => {
    await p.send({ type: 'document', file: gaussianFile, name: 'Gaussian', stale: null });
    await p.send({ type: 'result', result: gaussian.result });
    // Another spec becomes active: it has no run yet, so no charts (not the other spec's).
    await p.send({ type: 'document', file: deepFile, name: 'Deep', stale: null });
    assert.equal(await p.page.locator('.empty').isHidden(), false);
    assert.match((await p.page.locator('.empty').textContent()) ?? '', /No run of “Deep” yet/);
    assert.equal(await p.page.locator('#chart-gradient').isHidden(), true);
    assert.equal(await p.page.locator('.spec-path').textContent(), deepFile);
    // A result of the spec not followed is kept for later, not shown.
    await p.send({ type: 'result', result: orthogonal.result });
    assert.equal(await p.page.locator('#chart-gradient').isHidden(), true);
    // Back to the first spec: its latest run (orthogonal arrived for it meanwhile).
    await p.send({ type: 'document', file: gaussianFile, name: 'Gaussian', stale: null });
    assert.equal(dataset(await chartView(p, 'gradient'), 'grad-mean').data.length, orthogonal.result.layers.length);
    assert.equal(await p.page.locator('.spec-name').textContent(), orthogonal.result.spec.name);
    assert.equal(await p.page.locator('.stale-banner').isHidden(), true);
    // Edited since the run, then not parsing: a banner says so and the charts are dimmed.
    await p.send({ type: 'document', file: gaussianFile, name: 'Gaussian', stale: 'edited' });
    assert.equal(await p.page.locator('.stale-banner').isHidden(), false);
    assert.match((await p.page.locator('.stale-banner').textContent()) ?? '', /changed since run 2/);
    assert.equal(await p.page.locator('.charts').evaluate((e) => e.classList.contains('stale')), true);
    await p.send({ type: 'document', file: gaussianFile, name: 'Gaussian', stale: 'invalid' });
    assert.match((await p.page.locator('.stale-banner').textContent()) ?? '', /does not parse/);
    await p.page.click('#stale-run');
    assert.deepEqual((await p.posted()).filter((m) => m.type === 'run'), [{ type: 'run', mode: 'full' }]);
    await p.send({ type: 'document', file: gaussianFile, name: 'Gaussian', stale: null });
    assert.equal(await p.page.locator('.stale-banner').isHidden(), true);
  });
});

test('findings: measured ones listed once, spec problems apart from predictions', async () => {
  const r = gaussian.result;
  const measured = r.findings.filter((f) => f.measured);
  assert.ok(measured.length > 0, 'the gaussian run has a measured finding');
  const statics = r.findings.filter((f) => !f.measured);
  const syntax = checkText('depthlens: 1\nmodel: [unclosed\n', r.spec.path).findings;
  assert.ok(syntax.some((f) => f.code === 'DL001'), 'a syntax error is DL001');
  await withPanel(async (p) => {
    await p.send({ type: 'result', result: r });
    // The host's list for the edited spec carries the measured findings too (they are diagnostics in the editor).
    await p.send({ type: 'specFindings', file: r.spec.path, findings: [...statics, ...measured] });
    assert.equal(await p.page.locator('.findings li').count(), statics.length + measured.length);
    assert.equal(await p.page.locator('.panel-heading .badge').textContent(), String(statics.length + measured.length));
    await p.send({ type: 'specFindings', file: r.spec.path, findings: [...syntax, ...measured] });
    const groups = await p.page.locator('.findings-group').allTextContents();
    assert.equal(groups[0], 'Spec problems');
    assert.ok(!groups.includes('Predicted from the spec') || syntax.some((f) => f.code !== 'DL001'));
    const firstGroupCodes = await p.page.locator('.findings').first().locator('.finding-code').allTextContents();
    assert.ok(firstGroupCodes.includes('DL001'));
  });
});

test('a quick run says what it capped, with one click to run in full, and every depth it mentions', async () => {
  const r = deepQuick.result;
  assert.deepEqual(r.quickCaps?.depth, { spec: 1000, run: 100 });
  await withPanel(async (p) => {
    await p.send({ type: 'result', result: r });
    assert.match((await p.page.locator('#quick-chip').textContent()) ?? '', /quick: depth 100 of 1000 \(setting\)/);
    assert.match((await p.page.locator('.chips').textContent()) ?? '', /100 of 1000 layers/);
    assert.match((await p.page.locator('#summary-gradient').textContent()) ?? '', /the 100 layers of a quick run \(the spec has 1000\)/);
    const xTitle = await p.page.evaluate(() => (window as any).depthlensPanel.chart('gradient').options.scales.x.title.text);
    assert.match(xTitle, /quick run: 100 of the spec's 1000 layers/);
    await p.page.click('#run-full');
    assert.deepEqual((await p.posted()).filter((m) => m.type === 'run'), [{ type: 'run', mode: 'full' }]);
    // A full run afterwards: no quick chip.
    await p.send({ type: 'result', result: deep.result });
    assert.equal(await p.page.locator('#quick-chip').count(), 0);
    assert.match((await p.page.locator('.chips').textContent()) ?? '', /full run/);
  });
});

test('run state text: said once, progress counts up', async () => {
  await withPanel(async (p) => {
    await p.send({ type: 'runState', state: 'cancelled', message: 'cancelled' });
    assert.equal(await p.page.locator('.run-state').textContent(), 'Cancelled');
    await p.send({ type: 'runState', state: 'error', message: 'failed' });
    assert.equal(await p.page.locator('.run-state').textContent(), 'Failed');
    await p.send({ type: 'runState', state: 'done', message: '2.0 s' });
    assert.equal(await p.page.locator('.run-state').textContent(), 'Done: 2.0 s');
  });
  // The engine's progress messages for one seed count layers up, in the backward pass too.
  const parsed = (await import('../../src/spec/index')).parseSpec(DEEP_GAUSSIAN, 'p.depthlens.yaml');
  const messages: string[] = [];
  await (await import('../../src/engine/index')).analyze(parsed.spec!, { backend: 'auto', seeds: 1, quick: { maxDepth: 200, maxWidth: 8, seeds: 1 } }, {
    onProgress: (e) => {
      if (e.phase === 'diagnostics') messages.push(e.message);
    },
  });
  // Layers done (forward, then backward counted on top): never decreasing, however many messages a fast run sends.
  const done = messages
    .map((m) => /(forward|backward) pass, (\d+) of 200 layers/.exec(m))
    .filter((m) => m !== null)
    .map((m) => Number(m[2]) + (m[1] === 'backward' ? 200 : 0));
  assert.ok(done.length >= 1, messages.join(' | '));
  for (let i = 1; i < done.length; i++) assert.ok(done[i] >= done[i - 1], `progress counts down: ${messages.join(' | ')}`);
  // The text itself, over a whole pass (f: 0 → 1 over forward then backward): the backward half counts up too.
  const { passText } = await import('../../src/engine/phases');
  const counts = Array.from({ length: 41 }, (_, i) => passText(i / 40, 200)).map((t) => /(forward|backward) pass, (\d+) of 200/.exec(t)!);
  assert.equal(counts[30]![1], 'backward');
  assert.equal(counts[30]![2], String(Math.round((30 / 40) * 400) - 200));
  const backward = counts.filter((c) => c[1] === 'backward').map((c) => Number(c[2]));
  for (let i = 1; i < backward.length; i++) assert.ok(backward[i]! > backward[i - 1]!, `backward pass counts down: ${backward.join(', ')}`);
});

test('layout: in one column the findings scroll with the page and never cover a chart', async () => {
  await withPanel(
    async (p) => {
      await p.send({ type: 'result', result: degenerate.result });
      assert.equal(await p.page.locator('.sidebar').evaluate((e) => getComputedStyle(e).position), 'static');
      for (const y of [0, 300, 700, 1200]) {
        await p.page.evaluate((top) => window.scrollTo(0, top), y);
        const overlap = await p.page.evaluate(() => {
          const a = document.querySelector('.sidebar')!.getBoundingClientRect();
          const b = document.querySelector('#chart-gradient')!.getBoundingClientRect();
          return Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top)) * Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left));
        });
        assert.equal(overlap, 0, `sidebar covers the gradient chart at scroll ${y}`);
      }
    },
    { size: { width: 520, height: 700 } },
  );
  await withPanel(async (p) => {
    await p.send({ type: 'result', result: degenerate.result });
    assert.equal(await p.page.locator('.sidebar').evaluate((e) => getComputedStyle(e).position), 'sticky');
  });
});

test('plots: a flat curve is not stretched (minimum range), tooltips give seeds and theory, wheel zooms', async () => {
  await withPanel(async (p) => {
    await p.send({ type: 'result', result: orthogonal.result });
    const y = await p.page.evaluate(() => {
      const c = (window as any).depthlensPanel.chart('gradient');
      return { min: c.scales.y.min, max: c.scales.y.max, ticks: c.scales.y.ticks.map((t: any) => t.label) };
    });
    assert.ok(y.max - y.min >= 1 - 1e-9, `gradient axis spans ${y.max - y.min} decades`);
    // Tooltip at the middle layer: the mean, the seeds' range and the theory's value there.
    const r = orthogonal.result;
    const mid = r.layers[Math.floor(r.layers.length / 2)];
    const at = await p.page.evaluate((x) => {
      const c = (window as any).depthlensPanel.chart('gradient');
      const rect = c.canvas.getBoundingClientRect();
      return { x: rect.left + c.scales.x.getPixelForValue(x), y: rect.top + (c.chartArea.top + c.chartArea.bottom) / 2 };
    }, mid.index);
    await p.page.mouse.move(at.x, at.y);
    await p.page.waitForTimeout(50);
    const lines = await p.page.evaluate(() => (window as any).depthlensPanel.chart('gradient').tooltip.body.flatMap((b: any) => b.lines));
    const meanLine = (lines as string[]).find((l) => l.startsWith('‖∇W‖'));
    assert.ok(meanLine, lines.join(' | '));
    assert.match(meanLine, /seeds .* to .*/);
    if (r.theory && Number.isFinite(r.theory.perLayer)) assert.match(meanLine, /theory /);
    // Wheel over the plot zooms x; double-click shows all again.
    const full = await p.page.evaluate(() => {
      const c = (window as any).depthlensPanel.chart('gradient');
      return c.scales.x.max - c.scales.x.min;
    });
    await p.page.mouse.wheel(0, -300);
    await p.page.waitForTimeout(50);
    const zoomed = await p.page.evaluate(() => {
      const c = (window as any).depthlensPanel.chart('gradient');
      return c.scales.x.max - c.scales.x.min;
    });
    assert.ok(zoomed < full, `zoomed ${zoomed} vs full ${full}`);
    await p.page.mouse.dblclick(at.x, at.y);
    const reset = await p.page.evaluate(() => {
      const c = (window as any).depthlensPanel.chart('gradient');
      return c.scales.x.max - c.scales.x.min;
    });
    assert.equal(reset, full);
  });
});

test('"Apply fix" beside a finding with a fix posts it to the host; the report has no such button', async () => {
  const r = deepQuick.result;
  const withFix = r.findings.filter((f) => f.fix);
  assert.ok(withFix.length > 0, 'the deep gaussian spec has findings with fixes');
  await withPanel(async (p) => {
    await p.send({ type: 'result', result: r });
    assert.equal(await p.page.locator('.apply-fix').count(), withFix.length);
    await p.page.locator('.apply-fix').first().click();
    const posted = (await p.posted()).filter((m) => m.type === 'applyFix');
    assert.equal(posted.length, 1);
    const sent = posted[0] as { code: string; path: string; title: string };
    assert.ok(withFix.some((f) => f.code === sent.code && f.path === sent.path && f.fix!.title === sent.title), JSON.stringify(sent));
  });
  // The report of the same result: the fixes are named (the reader learns what would help) but nothing can apply them.
  mkdirSync(join(outputDir, 'report'), { recursive: true });
  const file = join(outputDir, 'report', 'report-fixes.html');
  writeHtmlReport(r, file);
  const page = await browser.newPage();
  try {
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction(() => (window as unknown as { depthlensPanel?: unknown }).depthlensPanel !== undefined, undefined, { timeout: 5000 });
    assert.equal(await page.locator('.finding-fix').count(), withFix.length, 'premise: the report lists the fixes');
    assert.equal(await page.locator('.apply-fix').count(), 0);
    assert.equal(await page.getByRole('button', { name: /Apply/ }).count(), 0);
  } finally {
    await page.close();
  }
});

test('y axis: log/linear toggles on gradient norms, isometry gaps and loss, kept in the webview state across a reload', async () => {
  const r = gaussian.result;
  assert.ok((r.train?.records.length ?? 0) > 0, 'premise: the fixture trains');
  let saved: unknown;
  await withPanel(async (p) => {
    await p.send({ type: 'result', result: r });
    assert.equal(await p.page.getAttribute('#ylog-gradient', 'aria-pressed'), 'true', 'gradients start on log10');
    await p.page.click('#ylog-gradient');
    const grad = await chartView(p, 'gradient');
    // Linear: the norms themselves (e^ln), not their logs, on a linear axis titled without "log scale".
    assert.equal(grad?.yType, 'linear');
    assert.deepEqual(dataset(grad, 'grad-mean').data.map((d) => d.y), r.layers.map((l) => (l.logGradNorm.mean === null ? null : 10 ** (l.logGradNorm.mean / Math.LN10))));
    const yTitle = (id: string): Promise<string> => p.page.evaluate((c) => (window as any).depthlensPanel.chart(c).options.scales.y.title.text, id);
    assert.equal(await yTitle('gradient'), '‖∇W‖');
    assert.equal(await p.page.getAttribute('#ylog-gradient', 'aria-pressed'), 'false');
    await p.page.click('#ylog-isometry');
    assert.equal((await chartView(p, 'isometry'))?.yType, 'linear');
    assert.equal(await p.page.getAttribute('#ylog-trainLoss', 'aria-pressed'), 'false', 'loss starts linear');
    await p.page.click('#ylog-trainLoss');
    assert.equal((await chartView(p, 'trainLoss'))?.yType, 'logarithmic');
    assert.equal(await yTitle('trainLoss'), 'loss (log scale)');
    // A new result keeps the chosen scales.
    await p.send({ type: 'result', result: { ...r, seconds: r.seconds + 1 } });
    assert.equal((await chartView(p, 'gradient'))?.yType, 'linear');
    assert.equal(await p.page.locator('#ylog-trainAccuracy').count(), 0, 'accuracy (0–100%) has no log toggle');
    saved = await p.savedState();
    assert.deepEqual((saved as { axes: Record<string, unknown> }).axes, { gradient: { y: 'linear' }, isometry: { y: 'linear' }, trainLoss: { y: 'log' } });
    // Back to log: the log10 values again.
    await p.page.click('#ylog-gradient');
    assert.equal((await chartView(p, 'gradient'))?.yType, 'linear');
    assert.deepEqual(dataset(await chartView(p, 'gradient'), 'grad-mean').data.map((d) => d.y), r.layers.map((l) => (l.logGradNorm.mean === null ? null : l.logGradNorm.mean / Math.LN10)));
    assert.equal(await yTitle('gradient'), '‖∇W‖ (log scale)');
  });
  await withPanel(async (p) => {
    assert.equal((await chartView(p, 'gradient'))?.yType, 'linear', 'restored: linear gradients');
    assert.equal(await p.page.getAttribute('#ylog-gradient', 'aria-pressed'), 'false');
    assert.equal((await chartView(p, 'trainLoss'))?.yType, 'logarithmic');
    mkdirSync(screenshotDir, { recursive: true });
    await p.page.screenshot({ path: join(screenshotDir, 'panel-linear-y-light.png'), fullPage: true });
  }, { state: saved, theme: 'vscode-light' });
});

test('named runs: the name given to a run shows in the legend and the Compare picker, and survives a reload', async () => {
  const file = gaussian.result.spec.path;
  let saved: unknown;
  await withPanel(async (p) => {
    await p.send({ type: 'result', result: gaussian.result });
    await p.send({ type: 'result', result: orthogonal.result });
    assert.equal(await p.page.getAttribute('#run-name', 'placeholder'), 'name run 2');
    await p.page.fill('#run-name', '  orthogonal fix  ');
    await p.page.press('#run-name', 'Enter');
    const history = ((await p.savedState()) as { history: Record<string, Array<{ n: number; name?: string }>> }).history[file];
    assert.deepEqual(history.map((r) => [r.n, r.name]), [[1, undefined], [2, 'orthogonal fix']]);
    // The current run's legend names it beside the dashed earlier run.
    assert.equal(dataset(await chartView(p, 'gradient'), 'grad-mean').label, `‖∇W‖, mean of ${orthogonal.result.seeds} seeds — “orthogonal fix” (run 2, full, ${orthogonal.result.layers.length} layers)`);
    // A third run compares with the named one by default: legend and picker say its name.
    await p.send({ type: 'result', result: { ...orthogonal.result, seconds: orthogonal.result.seconds + 1 } });
    assert.equal(dataset(await chartView(p, 'gradient'), 'grad-previous').label, `“orthogonal fix” (run 2, full, ${orthogonal.result.layers.length} layers)`);
    const options = await p.page.locator('#compare option').allTextContents();
    assert.ok(options.some((o) => o.startsWith('“orthogonal fix” · run 2 · full')), options.join(' | '));
    assert.equal(await p.page.inputValue('#run-name'), '', 'run 3 has no name yet');
    saved = await p.savedState();
  });
  await withPanel(async (p) => {
    assert.equal(dataset(await chartView(p, 'gradient'), 'grad-previous').label, `“orthogonal fix” (run 2, full, ${orthogonal.result.layers.length} layers)`);
  }, { state: saved });
});

test('relative depth: runs of different depth are overlaid at ℓ/L when asked, and the legend says which run is which', async () => {
  mkdirSync(screenshotDir, { recursive: true });
  await withPanel(async (p) => {
    // The case: a 100-layer quick run, then the spec's 1000-layer full run.
    await p.send({ type: 'result', result: deepQuick.result });
    await p.send({ type: 'result', result: deep.result });
    assert.equal(dataset(await chartView(p, 'gradient'), 'grad-previous').data.length, 0, 'off: not overlaid');
    const title = await p.page.locator('#compare option[value="1"]').getAttribute('title');
    assert.match(title ?? '', /turn on relative depth/);
    await p.page.check('#relative-depth');
    const grad = await chartView(p, 'gradient');
    const previous = dataset(grad, 'grad-previous');
    const quick = deepQuick.result.layers;
    const lastOf = (ls: typeof quick): number => ls[ls.length - 1].index;
    assert.deepEqual(previous.data.map((d) => d.x), quick.map((l) => l.index / lastOf(quick)));
    assert.deepEqual(previous.data.map((d) => d.y), quick.map((l) => (l.logGradNorm.mean === null ? null : l.logGradNorm.mean / Math.LN10)));
    assert.deepEqual(dataset(grad, 'grad-mean').data.map((d) => d.x), deep.result.layers.map((l) => l.index / lastOf(deep.result.layers)));
    assert.equal(previous.label, 'run 1 (quick, 100 layers)');
    assert.equal(dataset(grad, 'grad-mean').label, `‖∇W‖, mean of ${deep.result.seeds} seeds — run 2 (full, 1000 layers)`);
    const xTitle = await p.page.evaluate(() => (window as any).depthlensPanel.chart('gradient').options.scales.x.title.text);
    assert.equal(xTitle, 'relative depth ℓ/L (0: first layer, 1: last; this run 1000 layers)');
    // Both runs span the same [0, 1]: first layer at 0, last at 1.
    for (const d of [previous, dataset(grad, 'grad-mean')]) {
      assert.equal(d.data[0].x, 0);
      assert.equal(d.data[d.data.length - 1].x, 1);
    }
    assert.equal(dataset(await chartView(p, 'isometry'), 'phi-previous').data.length, 100);
    assert.equal(((await p.savedState()) as { relativeDepth: boolean }).relativeDepth, true);
    await p.page.screenshot({ path: join(screenshotDir, 'panel-relative-depth-dark.png'), fullPage: true });
    await p.page.evaluate(() => {
      document.body.classList.remove('vscode-dark');
      document.body.classList.add('vscode-high-contrast');
    });
    await p.page.evaluate(() => new Promise((r) => setTimeout(r, 0)));
    await p.page.screenshot({ path: join(screenshotDir, 'panel-relative-depth-high-contrast.png'), fullPage: true });
    await p.page.uncheck('#relative-depth');
    assert.equal(dataset(await chartView(p, 'gradient'), 'grad-previous').data.length, 0);
    assert.equal(await p.page.evaluate(() => (window as any).depthlensPanel.chart('gradient').options.scales.x.title.text), 'layer ℓ');
  });
});
