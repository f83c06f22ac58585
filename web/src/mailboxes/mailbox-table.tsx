/**
 * The mailbox table: thousands of rows, virtualised (@tanstack/react-virtual — only the rows in view
 * exist in the DOM), loaded page by page, sorted by the API, merged with live updates. Arrow keys move
 * between rows; Enter opens a row's details.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useSyncExternalStore, type KeyboardEvent } from 'react';
import type { LiveState } from '../live/use-live-events.ts';
import { MailboxRow } from './mailbox-row.tsx';
import type { PairPages } from './use-pair-pages.ts';

const ROW_HEIGHT = 44;
/** Phones show a row on two lines (address + state, then the progress bar). */
const PHONE_ROW_HEIGHT = 64;
const PHONE = '(max-width: 720px)';

function usePhone(): boolean {
  return useSyncExternalStore(
    (listener) => {
      const query = window.matchMedia(PHONE);
      query.addEventListener('change', listener);
      return () => query.removeEventListener('change', listener);
    },
    () => window.matchMedia(PHONE).matches,
  );
}

const COLUMNS: ReadonlyArray<{ id: string; label: string; sort?: string }> = [
  { id: 'source', label: 'Source', sort: 'source' },
  { id: 'target', label: 'Target', sort: 'target' },
  { id: 'batch', label: 'Batch', sort: 'batch' },
  { id: 'state', label: 'State', sort: 'state' },
  { id: 'progress', label: 'Progress' },
  { id: 'last', label: 'Last pass', sort: 'lastPassAt' },
  { id: 'error', label: 'Last error' },
];

/** Props of `MailboxTable`. */
export interface MailboxTableProps {
  readonly pages: PairPages;
  readonly live: LiveState;
  readonly sort: string;
  readonly onSort: (sort: string) => void;
  readonly selectedId: string | null;
  readonly onOpen: (pairId: string) => void;
  /** Changes with the filters and sort: the list starts at its top again. */
  readonly queryKey: string;
}

/** The virtualised grid. */
export function MailboxTable({ pages, live, sort, onSort, selectedId, onOpen, queryKey }: MailboxTableProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const count = pages.total ?? 0;
  const rowHeight = usePhone() ? PHONE_ROW_HEIGHT : ROW_HEIGHT;
  const virtualizer = useVirtualizer({ count, getScrollElement: () => scrollRef.current, estimateSize: () => rowHeight, overscan: 12 });
  useEffect(() => virtualizer.measure(), [rowHeight, virtualizer]);
  useEffect(() => {
    if (scrollRef.current) scrollRef.current.scrollTop = 0;
  }, [queryKey]);
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  const { ensure } = pages;
  useEffect(() => {
    if (count > 0) ensure(first, last);
  }, [first, last, count, ensure, pages.version]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp' && event.key !== 'Home' && event.key !== 'End') return;
    const row = (event.target as HTMLElement).closest<HTMLElement>('[role=row][aria-rowindex]');
    const current = row ? Number(row.getAttribute('aria-rowindex')) - 2 : -1;
    let next = current;
    if (event.key === 'ArrowDown') next = Math.min(count - 1, current + 1);
    if (event.key === 'ArrowUp') next = Math.max(0, current - 1);
    if (event.key === 'Home') next = 0;
    if (event.key === 'End') next = count - 1;
    if (next === current || next < 0) return;
    event.preventDefault();
    virtualizer.scrollToIndex(next, { align: 'auto' });
    requestAnimationFrame(() => {
      scrollRef.current?.querySelector<HTMLElement>(`[aria-rowindex="${next + 2}"] button`)?.focus();
    });
  };

  return (
    <div className="mtable" role="grid" aria-label="Mailboxes" aria-rowcount={count + 1} aria-busy={pages.total === null}>
      <div className="mtable__head" role="rowgroup">
        <div role="row" aria-rowindex={1} className="mrow mrow--head">
          {COLUMNS.map((c) => {
            const dir = sort === c.sort ? 'ascending' : sort === `-${c.sort}` ? 'descending' : 'none';
            return (
              <div key={c.id} role="columnheader" className={`mcell mcell--${c.id}`} aria-sort={c.sort ? dir : undefined}>
                {c.sort ? (
                  <button type="button" className="sort" onClick={() => onSort(dir === 'ascending' ? `-${c.sort}` : c.sort ?? '')}>
                    {c.label}<span aria-hidden="true">{dir === 'ascending' ? ' ▲' : dir === 'descending' ? ' ▼' : ''}</span>
                  </button>
                ) : c.label}
              </div>
            );
          })}
        </div>
      </div>
      <div className="mtable__body" ref={scrollRef} role="rowgroup" onKeyDown={onKeyDown} data-testid="mailbox-scroller">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((v) => {
            const pair = pages.rowAt(v.index);
            if (!pair) {
              return <div key={v.key} role="row" aria-rowindex={v.index + 2} className="mrow mrow--loading" style={{ transform: `translateY(${v.start}px)`, height: v.size }}><div role="gridcell" className="mcell muted">Loading…</div></div>;
            }
            return (
              <MailboxRow
                key={pair.id}
                index={v.index}
                pair={pair}
                live={live.pairs.get(pair.id)}
                progress={live.progress.get(pair.id)}
                top={v.start}
                height={v.size}
                selected={pair.id === selectedId}
                onOpen={onOpen}
              />
            );
          })}
        </div>
        {pages.total === 0 && <p className="mtable__empty muted">No mailbox matches.</p>}
      </div>
    </div>
  );
}
