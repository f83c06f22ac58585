/** The mailboxes tab: filters, sort, export, the virtualised table, and a pair's details. */
import { useCallback, useEffect, useState } from 'react';
import type { Batch } from '../api/types.ts';
import { useApi } from '../api/use-api.ts';
import { formatCount } from '../lib/format.ts';
import { navigate, useLocation } from '../lib/router.ts';
import { useProject } from '../project/project-context.ts';
import { MailboxTable } from './mailbox-table.tsx';
import { PairDetail } from './pair-detail.tsx';
import { usePairPages, type PairQuery } from './use-pair-pages.ts';

const STATES = ['idle', 'queued', 'running', 'paused', 'stopped', 'failed', 'completed'];

/** The mailboxes tab. */
export function MailboxesPage() {
  const { project, live } = useProject();
  const { path, query } = useLocation();
  const batches = useApi<{ batches: Batch[] }>(`/api/projects/${project.id}/batches`);
  const [searchText, setSearchText] = useState(query.get('search') ?? '');
  const [q, setQ] = useState<PairQuery>({ search: query.get('search') ?? '', state: query.get('state') ?? '', batchId: query.get('batch') ?? '', sort: query.get('sort') ?? 'source' });
  const pages = usePairPages(project.id, q);
  const selected = query.get('pair');

  // Typing filters after a short pause, not on every key.
  useEffect(() => {
    const timer = setTimeout(() => setQ((old) => (old.search === searchText.trim() ? old : { ...old, search: searchText.trim() })), 250);
    return () => clearTimeout(timer);
  }, [searchText]);

  const withPair = useCallback((pairId: string | null) => {
    const next = new URLSearchParams(query);
    if (pairId) next.set('pair', pairId);
    else next.delete('pair');
    const s = next.toString();
    navigate(s ? `${path}?${s}` : path);
  }, [path, query]);

  return (
    <div className="mailboxes">
      <form className="filters" role="search" aria-label="Filter mailboxes" onSubmit={(e) => e.preventDefault()}>
        <label className="field field--inline">
          <span>Search</span>
          <input type="search" value={searchText} placeholder="address or login" onChange={(e) => setSearchText(e.target.value)} />
        </label>
        <label className="field field--inline">
          <span>State</span>
          <select value={q.state} onChange={(e) => setQ({ ...q, state: e.target.value })}>
            <option value="">all</option>
            {STATES.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        <label className="field field--inline">
          <span>Batch</span>
          <select value={q.batchId} onChange={(e) => setQ({ ...q, batchId: e.target.value })}>
            <option value="">all</option>
            {(batches.data?.batches ?? []).map((b) => <option key={b.id} value={b.id}>{b.name}{b.isTest ? ' (test)' : ''}</option>)}
          </select>
        </label>
        <label className="field field--inline">
          <span>Sort</span>
          <select value={q.sort} onChange={(e) => setQ({ ...q, sort: e.target.value })}>
            <option value="source">source A–Z</option>
            <option value="-source">source Z–A</option>
            <option value="state">state</option>
            <option value="-lastPassAt">latest pass first</option>
            <option value="batch">batch</option>
          </select>
        </label>
        <p className="filters__count" aria-live="polite">{pages.total === null ? 'Loading…' : `${formatCount(pages.total)} mailboxes`}</p>
        <div className="filters__export">
          <a className="button button--small" href={`/api/projects/${project.id}/report?format=csv`} download>Export report (CSV)</a>
          <a className="button button--small" href={`/api/projects/${project.id}/failed-items?format=csv&limit=1000`} download>Failed items (CSV)</a>
        </div>
      </form>
      {pages.error && <p className="error" role="alert">{pages.error}</p>}
      <div className={`mailboxes__body${selected ? ' mailboxes__body--detail' : ''}`}>
        <MailboxTable pages={pages} live={live} sort={q.sort} onSort={(sort) => setQ({ ...q, sort })} selectedId={selected} onOpen={withPair} queryKey={JSON.stringify(q)} />
        {selected && <PairDetail key={selected} pairId={selected} onClose={() => withPair(null)} />}
      </div>
    </div>
  );
}
