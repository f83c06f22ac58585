/** Completion per batch: a stacked bar of its pairs by state. */
import type { ReportHistory } from '../api/types.ts';
import { formatCount } from '../lib/format.ts';

const ORDER = ['completed', 'running', 'queued', 'paused', 'stopped', 'failed', 'idle'];

/** The batches as stacked bars with a legend. */
export function BatchCompletion({ batches }: { readonly batches: ReportHistory['batches'] }) {
  if (batches.length === 0) return <p className="muted">No batches.</p>;
  return (
    <>
      <ul className="legend" aria-hidden="true">
        {ORDER.map((s) => <li key={s}><span className={`swatch swatch--${s}`} />{s}</li>)}
      </ul>
      <ul className="batches">
        {batches.map((b) => {
          const done = b.byState['completed'] ?? 0;
          const pct = b.total ? Math.round((done / b.total) * 100) : 0;
          const summary = ORDER.filter((s) => b.byState[s]).map((s) => `${b.byState[s]} ${s}`).join(', ');
          return (
            <li key={b.batchId ?? 'none'} className="batches__batch">
              <div className="batches__head">
                <strong>{b.name ?? 'No batch'}{b.isTest ? ' (test)' : ''}</strong>
                <span className="muted small">{formatCount(done)} / {formatCount(b.total)} · {pct}%</span>
              </div>
              <div className="stack" role="img" aria-label={`${b.name ?? 'No batch'}: ${pct}% complete (${summary || 'empty'})`}>
                {ORDER.map((s) => {
                  const n = b.byState[s] ?? 0;
                  return n ? <span key={s} className={`stack__part swatch--${s}`} style={{ width: `${(n / b.total) * 100}%` }} /> : null;
                })}
              </div>
            </li>
          );
        })}
      </ul>
    </>
  );
}
