/** The failed items of a pair with their reasons (GET /api/pairs/:id/failed-items), and a CSV export. */
import { useEffect } from 'react';
import type { FailedItemPage } from '../api/types.ts';
import { useApi } from '../api/use-api.ts';
import { formatBytes, formatTime } from '../lib/format.ts';

/** Props of `FailedItems`. */
export interface FailedItemsProps {
  readonly pairId: string;
  /** Changes when the pair changed (reload then). */
  readonly refreshKey: string;
}

/** The failed items table. */
export function FailedItems({ pairId, refreshKey }: FailedItemsProps) {
  const { data, reload } = useApi<FailedItemPage>(`/api/pairs/${pairId}/failed-items?limit=200`);
  useEffect(() => { if (refreshKey) reload(); }, [refreshKey, reload]);
  return (
    <section aria-labelledby="failed-title" className="failed">
      <div className="panel__head">
        <h3 id="failed-title">Failed items{data ? ` (${data.total})` : ''}</h3>
        {data && data.total > 0 && <a className="button button--small" href={`/api/pairs/${pairId}/failed-items?format=csv&limit=1000`} download>Export CSV</a>}
      </div>
      {data && data.total === 0 && <p className="muted small">None: every item reached the target or was excluded by a filter.</p>}
      {data && data.items.length > 0 && (
        <ul className="failed-list">
          {data.items.map((i) => (
            <li key={`${i.folder}-${i.uid}`}>
              <p><strong>{i.subject ?? '(no subject)'}</strong></p>
              <p className="muted small">{i.folder} · {formatTime(i.date)} · {formatBytes(i.size)} · {i.attempts} {i.attempts === 1 ? 'try' : 'tries'}</p>
              <p className="bad"><code>{i.reasonCode ?? '?'}</code> {i.reasonText}</p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
