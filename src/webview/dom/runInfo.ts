// Run metadata: which backend computed these numbers, how long it took, how many seeds, quick or full.
import { backendDetails, backendText } from '../../shared/backendText';
import type { Result } from '../../shared/result';
import { secondsText } from '../../shared/numberText';
import { h, icon } from './h';

export class RunInfo {
  private readonly title: HTMLElement;
  private readonly subtitle: HTMLElement;
  private readonly chips: HTMLElement;

  constructor(parent: HTMLElement) {
    this.title = h('h1', { class: 'spec-name' }, 'DepthLens');
    this.subtitle = h('div', { class: 'spec-path' }, 'No run yet. Run the diagnostics on a .depthlens.yaml spec to see its curves here.');
    this.chips = h('ul', { class: 'chips', 'aria-label': 'Run details' });
    parent.append(h('div', { class: 'run-info' }, this.title, this.subtitle, this.chips));
  }

  show(result: Result): void {
    this.title.textContent = result.spec.name || 'DepthLens';
    this.subtitle.textContent = result.spec.path;
    const chip = (iconName: string, text: string, label: string, cls = ''): HTMLLIElement =>
      h('li', { class: `chip ${cls}`.trim(), title: label }, icon(iconName), h('span', { 'aria-label': label }, text));
    const t = result.timings;
    const timing = `init ${secondsText(t.initSeconds)}, diagnostics ${secondsText(t.diagnosticSeconds)}` +
      (t.sweepSeconds ? `, sweep ${secondsText(t.sweepSeconds)}` : '') + (t.trainSeconds ? `, training ${secondsText(t.trainSeconds)}` : '');
    const chips = [
      chip('server-process', backendText(result.backend), ['Backend', ...backendDetails(result.backend)].join('\n')),
      chip('watch', secondsText(result.seconds), `Run time (${timing})`),
      chip('symbol-number', `${result.seeds} seed${result.seeds === 1 ? '' : 's'}`, 'Seeds'),
      chip('layers', `${result.layers.length} layers`, 'Weight matrices measured'),
      chip(result.quick ? 'zap' : 'check-all', result.quick ? 'quick run' : 'full run', result.quick ? 'Quick run: depth, width and seeds capped' : 'Full run'),
    ];
    if (result.partial) chips.push(chip('loading', 'streaming…', 'Partial result, the run is still going', 'chip-live'));
    this.chips.replaceChildren(...chips);
  }
}
