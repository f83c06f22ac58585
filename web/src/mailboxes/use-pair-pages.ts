/**
 * The pair list of a project, loaded page by page as the table scrolls (GET /api/projects/:id/pairs
 * with limit/offset and the filters and sort). A change of filter or sort starts over.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { request } from '../api/client.ts';
import type { Pair, PairPage } from '../api/types.ts';

/** Rows fetched per request. */
export const PAGE_SIZE = 200;

/** Filters and sort of the list. */
export interface PairQuery {
  readonly search: string;
  readonly state: string;
  readonly batchId: string;
  readonly sort: string;
}

/** What the table reads. */
export interface PairPages {
  /** Matching rows in all (null until the first page arrived). */
  readonly total: number | null;
  readonly rowAt: (index: number) => Pair | undefined;
  /** Make sure rows first..last are loaded or loading. */
  readonly ensure: (first: number, last: number) => void;
  readonly error: string | null;
  readonly reload: () => void;
  readonly version: number;
}

function queryString(q: PairQuery, offset: number): string {
  const p = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String(offset) });
  if (q.search) p.set('search', q.search);
  if (q.state) p.set('state', q.state);
  if (q.batchId) p.set('batchId', q.batchId);
  if (q.sort) p.set('sort', q.sort);
  return p.toString();
}

/** Pages of pairs for `projectId` and `query`. */
export function usePairPages(projectId: string, query: PairQuery): PairPages {
  const pages = useRef(new Map<number, readonly Pair[]>());
  const loading = useRef(new Set<number>());
  const generation = useRef(0);
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const key = JSON.stringify(query);

  const load = useCallback((page: number) => {
    if (pages.current.has(page) || loading.current.has(page)) return;
    loading.current.add(page);
    const gen = generation.current;
    request<PairPage>(`/api/projects/${projectId}/pairs?${queryString(JSON.parse(key) as PairQuery, page * PAGE_SIZE)}`)
      .then((res) => {
        if (gen !== generation.current) return;
        pages.current.set(page, res.pairs);
        setTotal(res.total);
        setError(null);
        setVersion((v) => v + 1);
      })
      .catch((err: unknown) => {
        if (gen === generation.current) setError(err instanceof Error ? err.message : String(err));
      })
      .finally(() => {
        if (gen === generation.current) loading.current.delete(page);
      });
  }, [projectId, key]);

  const reset = useCallback(() => {
    generation.current++;
    pages.current = new Map();
    loading.current = new Set();
    setVersion((v) => v + 1);
    load(0);
  }, [load]);

  useEffect(() => {
    setTotal(null);
    reset();
  }, [reset]);

  const ensure = useCallback((first: number, last: number) => {
    for (let p = Math.floor(Math.max(0, first) / PAGE_SIZE); p <= Math.floor(Math.max(0, last) / PAGE_SIZE); p++) load(p);
  }, [load]);

  const rowAt = useCallback((index: number) => pages.current.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE], []);

  return { total, rowAt, ensure, error, reload: reset, version };
}
