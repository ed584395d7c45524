// One chart in a card: title, PNG export, the canvas, and its text summary (also its accessible description).
import { SeriesChart } from '../charts/seriesChart';
import type { ChartContent, ChartSpec } from '../charts/definitions';
import type { Palette } from '../theme';
import { h, icon } from './h';

export class ChartCard {
  readonly section: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  private readonly summary: HTMLElement;
  private chart: SeriesChart | null = null;

  constructor(parent: HTMLElement, readonly spec: ChartSpec, private readonly exportImage: (name: string, dataUrl: string) => void) {
    const summaryId = `summary-${spec.id}`;
    this.canvas = h('canvas', { role: 'img', 'aria-label': spec.title, 'aria-describedby': summaryId });
    this.summary = h('p', { class: 'chart-summary', id: summaryId });
    const save = h('button', { type: 'button', class: 'icon-button', title: 'Save chart as PNG', 'aria-label': `Save "${spec.title}" as PNG` }, icon('device-camera'));
    save.addEventListener('click', () => this.exportPng());
    this.section = h(
      'section',
      { class: 'card', id: `chart-${spec.id}`, 'aria-labelledby': `title-${spec.id}`, hidden: true },
      h('header', { class: 'card-header' }, h('h2', { id: `title-${spec.id}` }, spec.title), save),
      h('div', { class: 'chart-box' }, this.canvas),
      this.summary,
    );
    parent.append(this.section);
  }

  get seriesChart(): SeriesChart | null {
    return this.chart;
  }

  show(content: ChartContent, palette: Palette): void {
    this.section.hidden = !content.visible;
    this.summary.textContent = content.summary;
    if (!content.visible) return;
    // Created on first use only; every later result updates the same chart in place.
    if (this.chart) this.chart.update(content.series, content.collapse);
    else this.chart = new SeriesChart(this.canvas, this.spec.axes, content.series, palette, content.collapse);
  }

  retheme(palette: Palette): void {
    this.chart?.retheme(palette);
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
