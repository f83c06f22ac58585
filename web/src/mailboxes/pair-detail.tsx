/**
 * One pair's details beside the table: figures, actions (delta, verify, pause, resume, retry failed,
 * stop, reset), pass history and failed items with their reasons. Refreshes when the pair changes live.
 */
import { useEffect, useRef, type KeyboardEvent } from 'react';
import type { Pair, PairReport, Pass } from '../api/types.ts';
import { useApi } from '../api/use-api.ts';
import { ProgressBar } from '../components/progress-bar.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { formatBytes, formatCount, formatTime } from '../lib/format.ts';
import { pairProgress } from '../lib/pair-progress.ts';
import { useProject } from '../project/project-context.ts';
import { FailedItems } from './failed-items.tsx';
import { PairActions } from './pair-actions.tsx';
import { errorText } from '../api/client.ts';

/** Props of `PairDetail`. */
export interface PairDetailProps {
  readonly pairId: string;
  readonly onClose: () => void;
}

function duration(p: Pass): string {
  if (!p.finishedAt) return 'running';
  const s = (new Date(p.finishedAt).getTime() - new Date(p.startedAt).getTime()) / 1000;
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.round(s / 60)} min`;
}

/** The side panel. */
export function PairDetail({ pairId, onClose }: PairDetailProps) {
  const { live, canEdit } = useProject();
  const pair = useApi<Pair>(`/api/pairs/${pairId}`);
  const report = useApi<PairReport>(`/api/pairs/${pairId}/report`);
  const passes = useApi<{ passes: Pass[] }>(`/api/pairs/${pairId}/passes?limit=20`);
  const heading = useRef<HTMLHeadingElement>(null);
  const l = live.pairs.get(pairId);
  const progress = live.progress.get(pairId);
  const stamp = l ? `${l.state}|${String(l.paused)}|${l.lastPassAt ?? ''}` : '';
  const { reload: reloadPair } = pair;
  const { reload: reloadReport } = report;
  const { reload: reloadPasses } = passes;

  useEffect(() => heading.current?.focus(), []);
  useEffect(() => {
    if (!stamp) return;
    reloadPair();
    reloadReport();
    reloadPasses();
  }, [stamp, reloadPair, reloadReport, reloadPasses]);
  // While a pass runs, its counts grow: refresh the figures with each progress tick.
  const progressStamp = progress ? `${progress.itemsDone}` : '';
  useEffect(() => { if (progressStamp) reloadReport(); }, [progressStamp, reloadReport]);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') onClose();
  };
  const p = pair.data;
  const state = l?.state ?? p?.state ?? '';
  const bar = pairProgress(state, progress, { failedItems: l?.failedItems ?? p?.failedItems ?? 0, lastPassStatus: l?.lastPassStatus ?? p?.lastPassStatus ?? null });
  const source = p ? (p.sourceEmail ?? p.sourceUser) : `pair ${pairId}`;

  return (
    <aside className="detail card" aria-labelledby="detail-title" onKeyDown={onKeyDown}>
      <div className="panel__head">
        <h2 id="detail-title" ref={heading} tabIndex={-1}>{source}</h2>
        <button type="button" className="button button--quiet" onClick={onClose} aria-label="Close details">✕</button>
      </div>
      {pair.error && <p className="error" role="alert">{errorText(pair.error)}</p>}
      {p && (
        <>
          <p className="muted small">→ {p.targetEmail ?? p.targetUser}{p.batchName ? ` · batch ${p.batchName}` : ''}</p>
          <p><StatusBadge state={state} paused={l?.paused ?? p.paused} /></p>
          <ProgressBar percent={bar.percent} label={`${source} progress`} text={bar.text} tone={state === 'failed' ? 'bad' : state === 'completed' ? ((l?.failedItems ?? p.failedItems ?? 0) > 0 ? 'warn' : 'ok') : 'neutral'} />
          {(l?.lastErrorCode ?? p.lastErrorCode) && (
            <p className="error small"><code>{l?.lastErrorCode ?? p.lastErrorCode}</code> {l?.lastErrorText ?? p.lastErrorText}</p>
          )}
        </>
      )}
      {report.data && (
        <dl className="figures">
          <div><dt>Migrated</dt><dd>{formatCount(report.data.migrated)}</dd></div>
          <div><dt>Failed</dt><dd className={report.data.failed ? 'bad' : ''}>{formatCount(report.data.failed)}</dd></div>
          <div><dt>Excluded</dt><dd>{formatCount(report.data.excluded)}</dd></div>
          <div><dt>Size</dt><dd>{formatBytes(report.data.bytes)}</dd></div>
        </dl>
      )}
      {canEdit && <PairActions pairId={pairId} paused={l?.paused ?? p?.paused ?? false} onDone={() => { reloadPair(); reloadReport(); reloadPasses(); }} />}
      <section aria-labelledby="passes-title">
        <h3 id="passes-title">Pass history</h3>
        {passes.data && passes.data.passes.length === 0 && <p className="muted small">No pass yet.</p>}
        {passes.data && passes.data.passes.length > 0 && (
          <div className="table-wrap">
            <table className="table table--compact">
              <thead><tr><th scope="col">Pass</th><th scope="col">Started</th><th scope="col">Result</th><th scope="col">Copied</th><th scope="col">Failed</th><th scope="col">Took</th></tr></thead>
              <tbody>
                {passes.data.passes.map((ps) => (
                  <tr key={ps.id}>
                    <td>{ps.kind}</td>
                    <td>{formatTime(ps.startedAt)}</td>
                    <td><StatusBadge state={ps.status} />{ps.errorCode && <div className="small error">{ps.errorCode}</div>}</td>
                    <td>{formatCount(ps.counts.copied)} <span className="muted small">{formatBytes(ps.counts.bytes)}</span></td>
                    <td>{ps.counts.failed}</td>
                    <td>{duration(ps)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <FailedItems pairId={pairId} refreshKey={stamp} />
    </aside>
  );
}
