/**
 * Reports: totals, items and bytes migrated over time, throughput, completion per batch; exports;
 * printable (the print stylesheet hides navigation and controls).
 */
import { useEffect } from 'react';
import type { ProjectReport, ReportHistory } from '../api/types.ts';
import { useApi } from '../api/use-api.ts';
import { formatBytes, formatCount, formatDuration, formatRate, formatTime } from '../lib/format.ts';
import { useProject } from '../project/project-context.ts';
import { BarChart } from './bar-chart.tsx';
import { BatchCompletion } from './batch-completion.tsx';
import { LineChart, type ChartPoint } from './line-chart.tsx';
import { errorText } from '../api/client.ts';

function cumulative(history: ReportHistory, field: 'items' | 'bytes'): ChartPoint[] {
  let sum = 0;
  const points: ChartPoint[] = [];
  const first = history.buckets[0];
  if (first) points.push({ at: new Date(first.at), value: 0 });
  for (const b of history.buckets) {
    sum += b[field];
    points.push({ at: new Date(new Date(b.at).getTime() + history.bucketSeconds * 1000), value: sum });
  }
  return points;
}

/** The reports tab. */
export function ReportsPage() {
  const { project, live } = useProject();
  const report = useApi<ProjectReport>(`/api/projects/${project.id}/report?pairs=false`);
  const history = useApi<ReportHistory>(`/api/projects/${project.id}/report/history`);
  const stamp = JSON.stringify(live.projects.get(project.id)?.byState ?? {});
  const { reload: reloadReport } = report;
  const { reload: reloadHistory } = history;
  useEffect(() => {
    reloadReport();
    reloadHistory();
  }, [stamp, reloadReport, reloadHistory]);
  const r = report.data;
  const h = history.data;

  return (
    <div className="reports">
      <div className="reports__bar no-print">
        <a className="button" href={`/api/projects/${project.id}/report?format=csv`} download>Export report (CSV)</a>
        <a className="button" href={`/api/projects/${project.id}/failed-items?format=csv&limit=1000`} download>Export failed items (CSV)</a>
        <button type="button" className="button" onClick={() => window.print()}>Print</button>
      </div>
      <h2 className="print-only">{project.name} — migration report</h2>
      {(report.error ?? history.error) && <p className="error" role="alert">{errorText(report.error ?? history.error)}</p>}
      {r && (
        <section className="card panel" aria-labelledby="totals-title">
          <h2 id="totals-title">Totals <span className="muted small">as of {formatTime(r.generatedAt)}</span></h2>
          <dl className="figures figures--wide">
            <div><dt>Progress</dt><dd>{r.progressPercent}%</dd></div>
            <div><dt>Mailboxes done</dt><dd>{formatCount(r.pairs.byState['completed'] ?? 0)} / {formatCount(r.pairs.total)}</dd></div>
            <div><dt>Items migrated</dt><dd>{formatCount(r.items.migrated)}</dd></div>
            <div><dt>Data migrated</dt><dd>{formatBytes(r.bytes)}</dd></div>
            <div><dt>Failed items</dt><dd className={r.items.failed ? 'bad' : ''}>{formatCount(r.items.failed)}</dd></div>
            <div><dt>Excluded</dt><dd>{formatCount(r.items.excluded)}</dd></div>
            <div><dt>Throughput</dt><dd>{formatRate(r.throughput.bytesPerSecond)}</dd></div>
            <div><dt>Time left</dt><dd>{r.estimatedSecondsLeft === null ? 'unknown' : formatDuration(r.estimatedSecondsLeft)}</dd></div>
          </dl>
        </section>
      )}
      {h && (
        <>
          <div className="grid grid--2">
            <section className="card panel" aria-labelledby="items-chart"><h2 id="items-chart">Items migrated over time</h2><LineChart title="Items migrated (cumulative)" points={cumulative(h, 'items')} format={(v) => formatCount(Math.round(v))} /></section>
            <section className="card panel" aria-labelledby="bytes-chart"><h2 id="bytes-chart">Data migrated over time</h2><LineChart title="Bytes migrated (cumulative)" points={cumulative(h, 'bytes')} format={formatBytes} /></section>
          </div>
          <div className="grid grid--2">
            <section className="card panel" aria-labelledby="tp-chart">
              <h2 id="tp-chart">Throughput</h2>
              <BarChart title={`Throughput per ${formatDuration(h.bucketSeconds)}`} points={h.buckets.map((b) => ({ at: new Date(b.at), value: b.bytes / h.bucketSeconds }))} format={formatRate} />
            </section>
            <section className="card panel" aria-labelledby="batch-chart"><h2 id="batch-chart">Completion per batch</h2><BatchCompletion batches={h.batches} /></section>
          </div>
        </>
      )}
    </div>
  );
}
