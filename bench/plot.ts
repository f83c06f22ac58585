/**
 * Line charts as standalone SVG, no dependency: one series per tool, linear or log axes, a legend.
 * Enough for the report's figures (throughput against concurrent mailboxes, no-op time against mailbox
 * size); the SVG renders on GitHub and in any browser.
 */

export interface Series {
  name: string;
  points: Array<[number, number]>;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  xLog?: boolean;
  yLog?: boolean;
  /** Draw y from 0 (linear axes only; default true). */
  yFromZero?: boolean;
}

const WIDTH = 720;
const HEIGHT = 420;
const MARGIN = { left: 70, right: 160, top: 40, bottom: 55 };
/** Colour-blind-safe (Okabe–Ito). */
const COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];
const MARKERS = ['circle', 'square', 'diamond', 'triangle', 'circle', 'square', 'diamond'] as const;

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceNumber(n: number): string {
  if (n === 0) return '0';
  const abs = Math.abs(n);
  if (abs >= 1e6) return `${+(n / 1e6).toPrecision(3)}M`;
  if (abs >= 1e4) return `${+(n / 1e3).toPrecision(3)}k`;
  if (abs >= 100) return String(Math.round(n));
  return String(+n.toPrecision(2));
}

/** Tick values: powers of 10 (and 2, 5 between) for log axes, 1-2-5 steps for linear ones. */
function ticks(min: number, max: number, log: boolean): number[] {
  if (log) {
    const out: number[] = [];
    for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
      for (const m of [1, 2, 5]) {
        const v = m * 10 ** e;
        if (v >= min * 0.999 && v <= max * 1.001) out.push(v);
      }
    }
    return out.length >= 2 ? out : [min, max];
  }
  const raw = (max - min) / 5 || 1;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(+v.toPrecision(12));
  return out;
}

function scale(min: number, max: number, log: boolean, from: number, to: number): (v: number) => number {
  const f = log ? Math.log10 : (v: number): number => v;
  const a = f(min);
  const b = f(max);
  return (v) => from + ((f(v) - a) / (b - a || 1)) * (to - from);
}

function marker(kind: (typeof MARKERS)[number], x: number, y: number, colour: string): string {
  const r = 4;
  if (kind === 'square') return `<rect x="${x - r}" y="${y - r}" width="${2 * r}" height="${2 * r}" fill="${colour}"/>`;
  if (kind === 'diamond') return `<polygon points="${x},${y - r - 1} ${x + r + 1},${y} ${x},${y + r + 1} ${x - r - 1},${y}" fill="${colour}"/>`;
  if (kind === 'triangle') return `<polygon points="${x},${y - r - 1} ${x + r + 1},${y + r} ${x - r - 1},${y + r}" fill="${colour}"/>`;
  return `<circle cx="${x}" cy="${y}" r="${r}" fill="${colour}"/>`;
}

/** The chart as an SVG document; series without finite (and, on log axes, positive) points are left out. */
export function lineChart(o: ChartOptions): string {
  const usable = (p: [number, number]): boolean => Number.isFinite(p[0]) && Number.isFinite(p[1]) && (!o.xLog || p[0] > 0) && (!o.yLog || p[1] > 0);
  const series = o.series.map((s) => ({ ...s, points: s.points.filter(usable).sort((a, b) => a[0] - b[0]) })).filter((s) => s.points.length > 0);
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${MARGIN.left}" y="24" font-size="15" font-weight="bold">${escape(o.title)}</text>`,
  ];
  if (series.length === 0) {
    out.push(`<text x="${WIDTH / 2}" y="${HEIGHT / 2}" text-anchor="middle">no data</text>`, '</svg>');
    return out.join('\n');
  }
  let [xMin, xMax] = [Math.min(...xs), Math.max(...xs)];
  let [yMin, yMax] = [Math.min(...ys), Math.max(...ys)];
  if (xMin === xMax) [xMin, xMax] = o.xLog ? [xMin / 2, xMax * 2] : [xMin - 1, xMax + 1];
  if (o.yLog) [yMin, yMax] = [yMin / 1.5, yMax * 1.5];
  else [yMin, yMax] = [(o.yFromZero ?? true) ? 0 : yMin, yMax * 1.1 || 1];
  const plot = { left: MARGIN.left, right: WIDTH - MARGIN.right, top: MARGIN.top, bottom: HEIGHT - MARGIN.bottom };
  const sx = scale(xMin, xMax, o.xLog ?? false, plot.left, plot.right);
  const sy = scale(yMin, yMax, o.yLog ?? false, plot.bottom, plot.top);
  out.push(`<rect x="${plot.left}" y="${plot.top}" width="${plot.right - plot.left}" height="${plot.bottom - plot.top}" fill="none" stroke="#888"/>`);
  for (const t of ticks(yMin, yMax, o.yLog ?? false)) {
    const y = sy(t).toFixed(1);
    out.push(`<line x1="${plot.left}" x2="${plot.right}" y1="${y}" y2="${y}" stroke="#e4e4e4"/>`, `<text x="${plot.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${niceNumber(t)}</text>`);
  }
  const xTicks = o.xLog ? [...new Set(xs)] : ticks(xMin, xMax, false);
  for (const t of xTicks) {
    const x = sx(t).toFixed(1);
    out.push(`<line x1="${x}" x2="${x}" y1="${plot.top}" y2="${plot.bottom}" stroke="#e4e4e4"/>`, `<text x="${x}" y="${plot.bottom + 16}" text-anchor="middle">${niceNumber(t)}</text>`);
  }
  out.push(
    `<text x="${(plot.left + plot.right) / 2}" y="${HEIGHT - 14}" text-anchor="middle">${escape(o.xLabel)}${o.xLog ? ' (log scale)' : ''}</text>`,
    `<text transform="translate(18 ${(plot.top + plot.bottom) / 2}) rotate(-90)" text-anchor="middle">${escape(o.yLabel)}${o.yLog ? ' (log scale)' : ''}</text>`,
  );
  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length]!;
    const path = s.points.map((p, j) => `${j === 0 ? 'M' : 'L'}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join(' ');
    out.push(`<path d="${path}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    for (const p of s.points) out.push(marker(MARKERS[i % MARKERS.length]!, sx(p[0]), sy(p[1]), colour));
    const ly = plot.top + 10 + i * 20;
    out.push(`<line x1="${plot.right + 14}" x2="${plot.right + 38}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="2"/>`, marker(MARKERS[i % MARKERS.length]!, plot.right + 26, ly, colour), `<text x="${plot.right + 44}" y="${ly}" dominant-baseline="middle">${escape(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}
