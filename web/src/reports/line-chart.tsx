/** A simple SVG line (area) chart over time; accessible through a title, description and data table. */

/** One point. */
export interface ChartPoint {
  readonly at: Date;
  readonly value: number;
}

/** Props of `LineChart`. */
export interface LineChartProps {
  readonly title: string;
  readonly points: readonly ChartPoint[];
  readonly format: (value: number) => string;
  readonly height?: number;
}

const W = 640;
const PAD = { left: 64, right: 12, top: 12, bottom: 28 };

function timeLabel(d: Date, spanMs: number): string {
  return spanMs > 2 * 86400_000
    ? d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short' })
    : d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', ...(spanMs < 600_000 ? { second: '2-digit' } : {}) });
}

/** The chart (scales to its container's width). */
export function LineChart({ title, points, format, height = 220 }: LineChartProps) {
  if (points.length === 0) return <p className="muted">Nothing migrated yet.</p>;
  const first = points[0] as ChartPoint;
  const last = points[points.length - 1] as ChartPoint;
  const t0 = first.at.getTime();
  const span = Math.max(1000, last.at.getTime() - t0);
  const max = Math.max(1, ...points.map((p) => p.value));
  const x = (d: Date) => PAD.left + ((d.getTime() - t0) / span) * (W - PAD.left - PAD.right);
  const y = (v: number) => height - PAD.bottom - (v / max) * (height - PAD.top - PAD.bottom);
  const line = points.map((p, i) => `${i ? 'L' : 'M'}${x(p.at).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
  const area = `${line} L${x(last.at).toFixed(1)},${y(0)} L${x(first.at).toFixed(1)},${y(0)} Z`;
  const ticks = [0, 0.5, 1].map((f) => f * max);
  const id = title.replace(/\W+/g, '-').toLowerCase();
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${height}`} role="img" aria-labelledby={`${id}-t ${id}-d`} preserveAspectRatio="xMidYMid meet">
        <title id={`${id}-t`}>{title}</title>
        <desc id={`${id}-d`}>{`From ${format(first.value)} at ${timeLabel(first.at, span)} to ${format(last.value)} at ${timeLabel(last.at, span)}.`}</desc>
        {ticks.map((v) => (
          <g key={v}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} className="chart__grid" />
            <text x={PAD.left - 6} y={y(v) + 4} textAnchor="end" className="chart__tick">{format(v)}</text>
          </g>
        ))}
        <path d={area} className="chart__area" />
        <path d={line} className="chart__line" />
        <text x={PAD.left} y={height - 8} className="chart__tick">{timeLabel(first.at, span)}</text>
        <text x={W - PAD.right} y={height - 8} textAnchor="end" className="chart__tick">{timeLabel(last.at, span)}</text>
      </svg>
      <figcaption>{title}</figcaption>
    </figure>
  );
}
