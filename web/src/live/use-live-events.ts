/**
 * Live updates from `GET /api/events` (server-sent events): the projects' status and pair counts, and
 * with a project id the pairs that changed and the progress of running passes. EventSource reconnects
 * by itself; when the stream closes for good (the session ended) the app is told through a 401.
 */
import { useEffect, useRef, useState } from 'react';
import { request } from '../api/client.ts';
import type { PairLive, PassProgress, ProjectLive } from '../api/types.ts';

/** What the stream has told so far. `version` changes on every update. */
export interface LiveState {
  readonly projects: ReadonlyMap<string, ProjectLive>;
  readonly pairs: ReadonlyMap<string, PairLive>;
  readonly progress: ReadonlyMap<string, PassProgress>;
  readonly connected: boolean;
  readonly version: number;
}

interface Store {
  projects: Map<string, ProjectLive>;
  pairs: Map<string, PairLive>;
  progress: Map<string, PassProgress>;
}

/** Subscribes to live updates (of one project's pairs too, when `projectId` is given). */
export function useLiveEvents(projectId?: string): LiveState {
  const store = useRef<Store>({ projects: new Map(), pairs: new Map(), progress: new Map() });
  const [version, setVersion] = useState(0);
  const [connected, setConnected] = useState(false);

  useEffect(() => {
    store.current = { projects: new Map(), pairs: new Map(), progress: new Map() };
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const bump = () => setVersion((v) => v + 1);

    const open = () => {
      source = new EventSource(projectId ? `/api/events?projectId=${encodeURIComponent(projectId)}` : '/api/events');
      source.onopen = () => setConnected(true);
      source.addEventListener('projects', (event) => {
        const data = JSON.parse((event as MessageEvent<string>).data) as { projects: ProjectLive[] };
        store.current.projects = new Map(data.projects.map((p) => [p.id, p]));
        bump();
      });
      source.addEventListener('pairs', (event) => {
        const data = JSON.parse((event as MessageEvent<string>).data) as { pairs: PairLive[]; progress: PassProgress[] };
        const pairs = new Map(store.current.pairs);
        for (const p of data.pairs) pairs.set(p.id, p);
        store.current.pairs = pairs;
        store.current.progress = new Map(data.progress.map((p) => [p.pairId, p]));
        bump();
      });
      source.onerror = () => {
        setConnected(false);
        if (source?.readyState === EventSource.CLOSED && !stopped) {
          // Closed for good: find out whether the session ended (a 401 shows the login), else retry.
          source = null;
          request('/api/auth/me').catch(() => undefined);
          retry = setTimeout(open, 3000);
        }
      };
    };
    open();
    return () => {
      stopped = true;
      clearTimeout(retry);
      source?.close();
    };
  }, [projectId]);

  const s = store.current;
  return { projects: s.projects, pairs: s.pairs, progress: s.progress, connected, version };
}
