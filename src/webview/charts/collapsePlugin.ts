// Draws rank-collapsed layer ranges as hatched bands with a marker and label: the isometry gap is infinite there, so the
// line breaks and this is what tells the reader why.
import type { Chart, ChartType, Plugin } from 'chart.js';
import type { LayerRange } from '../series';

/** Pixels above the plot area that charts using this plugin reserve for its labels. */
export const LABEL_SPACE = 16;

export interface CollapseOptions {
  ranges: LayerRange[];
  color: string;
  textColor: string;
  /** x units per layer: 1 on a layer axis, 1/L on a relative-depth axis (ℓ/L). */
  xPerLayer: number;
}

declare module 'chart.js' {
  interface PluginOptionsByType<TType extends ChartType> {
    depthlensCollapse?: Partial<CollapseOptions>;
  }
}

function hatch(ctx: CanvasRenderingContext2D, color: string): CanvasPattern | string {
  const tile = document.createElement('canvas');
  tile.width = 8;
  tile.height = 8;
  const t = tile.getContext('2d');
  if (!t) return color;
  t.strokeStyle = color;
  t.lineWidth = 1.5;
  t.beginPath();
  t.moveTo(-2, 10);
  t.lineTo(10, -2);
  t.stroke();
  return ctx.createPattern(tile, 'repeat') ?? color;
}

function collapsedSpans(chart: Chart<'line'>, ranges: readonly LayerRange[]): { left: number; right: number; range: LayerRange }[] {
  const { chartArea } = chart;
  const x = chart.scales.x;
  const k = chart.options.plugins?.depthlensCollapse?.xPerLayer ?? 1;
  return ranges.map((range) => ({
    left: Math.max(chartArea.left, x.getPixelForValue((range.from - 0.5) * k)),
    right: Math.min(chartArea.right, x.getPixelForValue((range.to + 0.5) * k)),
    range,
  }));
}

export const collapsePlugin: Plugin<'line'> = {
  id: 'depthlensCollapse',
  // Hatching under the lines…
  beforeDatasetsDraw(chart: Chart<'line'>, _args, options: Partial<CollapseOptions>) {
    const ranges = options.ranges ?? [];
    if (ranges.length === 0) return;
    const { ctx, chartArea } = chart;
    const color = options.color ?? 'rgba(255, 0, 0, 0.5)';
    ctx.save();
    ctx.fillStyle = hatch(ctx, color);
    for (const { left, right } of collapsedSpans(chart, ranges)) {
      ctx.fillRect(left, chartArea.top, Math.max(right - left, 2), chartArea.bottom - chartArea.top);
    }
    ctx.restore();
  },
  // …markers and labels over them, so a line passing by never hides the explanation.
  afterDatasetsDraw(chart: Chart<'line'>, _args, options: Partial<CollapseOptions>) {
    const ranges = options.ranges ?? [];
    if (ranges.length === 0) return;
    const { ctx, chartArea } = chart;
    const color = options.color ?? 'rgba(255, 0, 0, 0.5)';
    ctx.save();
    ctx.font = `11px ${chart.options.font?.family ?? 'sans-serif'}`;
    ctx.textBaseline = 'top';
    // One marker per collapsed layer along the top edge: φ is infinite there, so it has no point on the curve.
    const x = chart.scales.x;
    ctx.strokeStyle = options.textColor ?? color;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    for (const range of ranges) {
      for (let layer = range.from; layer <= range.to; layer++) {
        const px = x.getPixelForValue(layer * (options.xPerLayer ?? 1));
        if (px < chartArea.left || px > chartArea.right) continue;
        ctx.moveTo(px, chartArea.top);
        ctx.lineTo(px, chartArea.top + 6);
      }
    }
    ctx.stroke();
    let labelFreeFrom = -Infinity;
    for (const { left, range } of collapsedSpans(chart, ranges)) {
      // Marker: a downward triangle where the collapse starts.
      ctx.fillStyle = options.textColor ?? color;
      ctx.beginPath();
      ctx.moveTo(left - 4, chartArea.top - 6);
      ctx.lineTo(left + 4, chartArea.top - 6);
      ctx.lineTo(left, chartArea.top);
      ctx.closePath();
      ctx.fill();
      // Nearby ranges share the first one's label: overlapping text helps nobody.
      const label = `rank collapse · rank ${range.rank} · φ = ∞`;
      const width = ctx.measureText(label).width;
      const textX = left + 7 + width < chartArea.right ? left + 7 : Math.max(chartArea.left, left - 7 - width);
      if (textX < labelFreeFrom) continue;
      labelFreeFrom = textX + width + 12;
      // In the strip above the plot area (LABEL_SPACE, reserved by the chart's layout padding), clear of the data.
      const textY = chartArea.top - LABEL_SPACE + 1;
      ctx.fillStyle = options.textColor ?? color;
      ctx.fillText(label, textX, textY);
    }
    ctx.restore();
  },
};
