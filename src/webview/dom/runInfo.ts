// Run metadata: which backend computed these numbers, how long it took, how many seeds, and what a quick run capped
// (with one click to run in full).
import { backendDetails, backendText } from '../../shared/backendText';
import type { QuickCaps, Result } from '../../shared/result';
import { secondsText } from '../../shared/numberText';
import { h, icon } from './h';

/** "quick: depth 100 of 500 (setting)"; the first capped quantity by importance, or null when nothing was capped. */
export function quickCapText(caps: QuickCaps, source: string): string | null {
  const capped = (['depth', 'width', 'seeds'] as const).find((k) => caps[k].run < caps[k].spec);
  return capped ? `quick: ${capped} ${caps[capped].run} of ${caps[capped].spec} (${source})` : null;
}

function capsDetails(caps: QuickCaps): string {
  return (['depth', 'width', 'seeds'] as const)
    .map((k) => (caps[k].run < caps[k].spec ? `${k}: ${caps[k].run} measured of the spec's ${caps[k].spec}` : `${k}: ${caps[k].run} (not capped)`))
    .join('\n');
}

export class RunInfo {
  private readonly title: HTMLElement;
  private readonly subtitle: HTMLElement;
  private readonly chips: HTMLElement;

  /** `runFull`: starts a full run of the spec (VS Code only; null in the report). */
  constructor(parent: HTMLElement, private readonly runFull: (() => void) | null) {
    this.title = h('h1', { class: 'spec-name' }, 'DepthLens');
    this.subtitle = h('div', { class: 'spec-path' }, 'No run yet. Run the diagnostics on a .depthlens.yaml spec to see its curves here.');
    this.chips = h('ul', { class: 'chips', 'aria-label': 'Run details' });
    parent.append(h('div', { class: 'run-info' }, this.title, this.subtitle, this.chips));
  }

  /** A spec without a run yet: its name and path, no chips. */
  showDocument(name: string, file: string): void {
    this.title.textContent = name || 'DepthLens';
    this.subtitle.textContent = file;
    this.chips.replaceChildren();
  }

  show(result: Result): void {
    this.title.textContent = result.spec.name || 'DepthLens';
    this.subtitle.textContent = result.spec.path;
    const chip = (iconName: string, text: string, label: string, cls = ''): HTMLLIElement =>
      h('li', { class: `chip ${cls}`.trim(), title: label }, icon(iconName), h('span', { 'aria-label': label }, text));
    const t = result.timings;
    const timing = `init ${secondsText(t.initSeconds)}, diagnostics ${secondsText(t.diagnosticSeconds)}` +
      (t.sweepSeconds ? `, sweep ${secondsText(t.sweepSeconds)}` : '') + (t.trainSeconds ? `, training ${secondsText(t.trainSeconds)}` : '');
    const caps = result.quickCaps;
    const specDepth = caps && caps.depth.spec > result.layers.length ? caps.depth.spec : null;
    const chips = [
      chip('server-process', backendText(result.backend), ['Backend', ...backendDetails(result.backend)].join('\n')),
      chip('watch', secondsText(result.seconds), `Run time (${timing})`),
      chip('symbol-number', `${result.seeds} seed${result.seeds === 1 ? '' : 's'}`, 'Seeds'),
      chip('layers', specDepth ? `${result.layers.length} of ${specDepth} layers` : `${result.layers.length} layers`, 'Weight matrices measured'),
      this.modeChip(result, chip),
    ];
    if (result.predictedSeconds !== undefined) chips.push(this.predictionChip(result, result.predictedSeconds, chip));
    if (result.partial) chips.push(chip('loading', 'streaming…', 'Partial result, the run is still going', 'chip-live'));
    this.chips.replaceChildren(...chips);
  }

  /** "predicted 10.2 s": the run time predicted before the run, next to the run-time chip's actual one. */
  private predictionChip(result: Result, predicted: number, chip: (iconName: string, text: string, label: string, cls?: string) => HTMLLIElement): HTMLLIElement {
    const machine = result.calibration !== undefined ? `, scaled by this machine's measured speed at run start (×${result.calibration.toFixed(2)} the benchmark's time)` : '';
    const actual = result.partial ? '' : `\nActual: ${secondsText(result.seconds)}`;
    const li = chip('history', `predicted ${secondsText(predicted)}`, `Predicted before the run from the benchmark's rates${machine}${actual}`);
    li.id = 'predicted-chip';
    return li;
  }

  private modeChip(result: Result, chip: (iconName: string, text: string, label: string, cls?: string) => HTMLLIElement): HTMLLIElement {
    if (!result.quick) return chip('check-all', 'full run', 'Full run: the spec as written');
    const caps = result.quickCaps;
    const source = this.runFull ? 'setting' : '--quick';
    const text = caps ? quickCapText(caps, source) ?? 'quick run (nothing capped)' : 'quick run';
    const why = this.runFull
      ? 'Capped by the settings depthlens.quickRun.maxDepth, maxWidth and seeds'
      : 'Capped by depthlens analyze --quick';
    const li = chip('zap', text, caps ? `${why}:\n${capsDetails(caps)}` : why, 'chip-quick');
    li.id = 'quick-chip';
    if (this.runFull && caps && quickCapText(caps, source)) {
      const button = h('button', { type: 'button', class: 'chip-button', id: 'run-full', title: 'Run the spec as written (full depth, width and seeds)' }, icon('play'), 'Run full');
      const runFull = this.runFull;
      button.addEventListener('click', () => runFull());
      li.append(button);
    }
    return li;
  }
}
