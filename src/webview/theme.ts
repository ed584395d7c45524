// Chart colours come from the editor theme: VS Code sets --vscode-* variables; media/panel.css maps them (with fallbacks
// for the standalone report) to --dl-chart-* variables, which are read here as computed values.

export interface Palette {
  foreground: string;
  grid: string;
  fontFamily: string;
  blue: string;
  red: string;
  green: string;
  yellow: string;
  orange: string;
  purple: string;
  muted: string;
}

export type PaletteColor = 'blue' | 'red' | 'green' | 'yellow' | 'orange' | 'purple' | 'muted' | 'foreground';

const VARIABLES: Record<keyof Palette, string> = {
  foreground: '--dl-chart-foreground',
  grid: '--dl-chart-grid',
  fontFamily: '--dl-font-family',
  blue: '--dl-chart-blue',
  red: '--dl-chart-red',
  green: '--dl-chart-green',
  yellow: '--dl-chart-yellow',
  orange: '--dl-chart-orange',
  purple: '--dl-chart-purple',
  muted: '--dl-chart-muted',
};

/**
 * Reads the palette as resolved rgb()/rgba() strings: a probe element resolves var() chains and any CSS colour syntax
 * the theme uses into the form the canvas and withAlpha understand.
 */
export function readPalette(parent: Element = document.body): Palette {
  const probe = document.createElement('span');
  probe.style.display = 'none';
  parent.appendChild(probe);
  const out = {} as Palette;
  try {
    for (const key of Object.keys(VARIABLES) as (keyof Palette)[]) {
      if (key === 'fontFamily') {
        out[key] = getComputedStyle(parent).getPropertyValue(VARIABLES[key]).trim() || 'sans-serif';
        continue;
      }
      probe.style.color = `var(${VARIABLES[key]})`;
      out[key] = getComputedStyle(probe).color;
    }
  } finally {
    probe.remove();
  }
  return out;
}

/** The same colour with an alpha, for bands: "rgb(1, 2, 3)" → "rgba(1, 2, 3, 0.2)". */
export function withAlpha(color: string, alpha: number): string {
  const m = /^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:[,\s/]+([\d.]+%?))?\s*\)$/.exec(color);
  if (!m) return color;
  const base = m[4] === undefined ? 1 : m[4].endsWith('%') ? Number.parseFloat(m[4]) / 100 : Number(m[4]);
  return `rgba(${m[1]}, ${m[2]}, ${m[3]}, ${Number((base * alpha).toFixed(3))})`;
}

/**
 * Calls `onChange` when the theme changes: VS Code swaps body classes (vscode-light / vscode-dark / vscode-high-contrast)
 * and the --vscode-* variables on <html>'s style together, so both are observed.
 */
export function watchTheme(onChange: () => void): () => void {
  const observer = new MutationObserver(() => onChange());
  observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  return () => observer.disconnect();
}
