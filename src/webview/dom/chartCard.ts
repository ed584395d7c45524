// One chart in a card: title, axis toggle, PNG export, the canvas, and its text summary (also its accessible description).
import { SeriesChart } from '../charts/seriesChart';
import type { ChartContent, ChartSpec } from '../charts/definitions';
import type { Result } from '../../shared/result';
import type { Palette } from '../theme';
import { h, icon } from './h';

export class ChartCard {
  readonly section: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  private readonly summary: HTMLElement;
  private readonly xToggle: HTMLButtonElement | null;
  private chart: SeriesChart | null = null;
  /** The x scale the user chose with the toggle; null follows the chart's default for the data. */
  private xChoice: 'linear' | 'logarithmic' | null = null;

  constructor(parent: HTMLElement, readonly spec: ChartSpec, private readonly exportImage: (name: string, dataUrl: string) => void) {
    const summaryId = `summary-${spec.id}`;
    this.canvas = h('canvas', { role: 'img', 'aria-label': spec.title, 'aria-describedby': summaryId });
    this.summary = h('p', { class: 'chart-summary', id: summaryId });
    const save = h('button', { type: 'button', class: 'icon-button', title: 'Save chart as PNG', 'aria-label': `Save "${spec.title}" as PNG` }, icon('device-camera'));
    save.addEventListener('click', () => this.exportPng());
    this.xToggle = spec.xToggle
      ? h('button', { type: 'button', class: 'toggle-button', 'aria-pressed': 'false', title: 'Logarithmic depth axis', id: `xlog-${spec.id}` }, 'log x')
      : null;
    this.xToggle?.addEventListener('click', () => {
      this.xChoice = this.chart?.xType === 'logarithmic' ? 'linear' : 'logarithmic';
      this.chart?.setXType(this.xChoice);
      this.syncToggle();
    });
    this.section = h(
      'section',
      { class: 'card', id: `chart-${spec.id}`, 'aria-labelledby': `title-${spec.id}`, hidden: true },
      h('header', { class: 'card-header' }, h('h2', { id: `title-${spec.id}` }, spec.title), h('span', { class: 'card-actions' }, this.xToggle, save)),
      h('div', { class: 'chart-box', title: 'Wheel to zoom the x axis, drag to pan, double-click to show all' }, this.canvas),
      this.summary,
    );
    parent.append(this.section);
  }

  get seriesChart(): SeriesChart | null {
    return this.chart;
  }

  show(content: ChartContent, palette: Palette, result: Result): void {
    this.section.hidden = !content.visible;
    this.summary.textContent = content.summary;
    if (!content.visible) return;
    // Created on first use only; every later result updates the same chart in place.
    if (this.chart) this.chart.update(content.series, content.collapse, content.xTitle);
    else {
      this.chart = new SeriesChart(this.canvas, this.spec.axes, content.series, palette, content.collapse);
      if (content.xTitle) this.chart.update(content.series, content.collapse, content.xTitle);
    }
    const wanted = this.xChoice ?? this.spec.xToggle?.(result) ?? null;
    if (wanted && this.chart.xType !== wanted) this.chart.setXType(wanted);
    this.syncToggle();
  }

  retheme(palette: Palette): void {
    this.chart?.retheme(palette);
  }

  private syncToggle(): void {
    if (!this.xToggle || !this.chart) return;
    this.xToggle.setAttribute('aria-pressed', String(this.chart.xType === 'logarithmic'));
  }

  /** PNG on the theme background (the canvas itself is transparent). */
  private exportPng(): void {
    const copy = document.createElement('canvas');
    copy.width = this.canvas.width;
    copy.height = this.canvas.height;
    const ctx = copy.getContext('2d');
    if (!ctx) return;
    ctx.fillStyle = getComputedStyle(this.section).backgroundColor || '#ffffff';
    ctx.fillRect(0, 0, copy.width, copy.height);
    ctx.drawImage(this.canvas, 0, 0);
    this.exportImage(`depthlens-${this.spec.id}.png`, copy.toDataURL('image/png'));
  }
}
