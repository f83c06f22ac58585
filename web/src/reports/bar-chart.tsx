/** A simple SVG column chart (throughput per time bucket). */
import type { ChartPoint } from './line-chart.tsx';

/** Props of `BarChart`. */
export interface BarChartProps {
  readonly title: string;
  readonly points: readonly ChartPoint[];
  readonly format: (value: number) => string;
  readonly height?: number;
}

const W = 640;
const PAD = { left: 64, right: 12, top: 12, bottom: 28 };

/** The chart. */
export function BarChart({ title, points, format, height = 200 }: BarChartProps) {
  if (points.length === 0) return <p className="muted">No throughput measured yet.</p>;
  const max = Math.max(1, ...points.map((p) => p.value));
  const inner = W - PAD.left - PAD.right;
  const bw = inner / points.length;
  const y = (v: number) => height - PAD.bottom - (v / max) * (height - PAD.top - PAD.bottom);
  const peak = points.reduce((a, b) => (b.value > a.value ? b : a));
  const id = title.replace(/\W+/g, '-').toLowerCase();
  const label = (d: Date) => d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${height}`} role="img" aria-labelledby={`${id}-t ${id}-d`}>
        <title id={`${id}-t`}>{title}</title>
        <desc id={`${id}-d`}>{`${points.length} intervals; peak ${format(peak.value)} at ${label(peak.at)}.`}</desc>
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(f * max)} y2={y(f * max)} className="chart__grid" />
            <text x={PAD.left - 6} y={y(f * max) + 4} textAnchor="end" className="chart__tick">{format(f * max)}</text>
          </g>
        ))}
        {points.map((p, i) => (
          <rect key={i} x={PAD.left + i * bw + bw * 0.1} width={Math.max(1, bw * 0.8)} y={y(p.value)} height={Math.max(0, y(0) - y(p.value))} className="chart__bar">
            <title>{`${label(p.at)}: ${format(p.value)}`}</title>
          </rect>
        ))}
        {points[0] && <text x={PAD.left} y={height - 8} className="chart__tick">{label(points[0].at)}</text>}
      </svg>
      <figcaption>{title}</figcaption>
    </figure>
  );
}
