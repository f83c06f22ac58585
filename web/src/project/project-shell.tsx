/** A project's page: header (status, countdown, run controls), tabs, and the tab's content. */
import { useCallback, useEffect, useMemo, useRef } from 'react';
import { errorText } from '../api/client.ts';
import type { Flow, Project, User } from '../api/types.ts';
import { useApi } from '../api/use-api.ts';
import { Countdown } from '../components/countdown.tsx';
import { Link } from '../components/link.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { formatCount } from '../lib/format.ts';
import { ImportPage } from '../import/import-page.tsx';
import { useLiveEvents } from '../live/use-live-events.ts';
import { MailboxesPage } from '../mailboxes/mailboxes-page.tsx';
import { ReportsPage } from '../reports/reports-page.tsx';
import { OverviewPage } from './overview-page.tsx';
import { ProjectContext, type ProjectContextValue } from './project-context.ts';
import { RunControls } from './run-controls.tsx';

const TABS = [
  { id: 'overview', label: 'Overview' },
  { id: 'mailboxes', label: 'Mailboxes' },
  { id: 'import', label: 'Import CSV' },
  { id: 'reports', label: 'Reports' },
] as const;

/** Props of `ProjectShell`. */
export interface ProjectShellProps {
  readonly projectId: string;
  readonly tab: string;
  readonly user: User;
}

/** The project page frame. */
export function ProjectShell({ projectId, tab, user }: ProjectShellProps) {
  const { data: project, error, reload } = useApi<Project>(`/api/projects/${projectId}`);
  const flow = useApi<Flow>(`/api/projects/${projectId}/flow`);
  const live = useLiveEvents(projectId);
  const liveProject = live.projects.get(projectId);
  // Reload the project when the server says it changed (status, T, settings, pause).
  const seen = useRef<string | null>(null);
  useEffect(() => {
    const stamp = liveProject?.updatedAt ?? null;
    if (stamp && seen.current && stamp !== seen.current) {
      reload();
      flow.reload();
    }
    seen.current = stamp;
  }, [liveProject?.updatedAt, reload, flow.reload]);
  const reloadAll = useCallback(() => {
    reload();
    flow.reload();
  }, [reload, flow.reload]);

  const value = useMemo<ProjectContextValue | null>(() => project ? {
    project, flow: flow.data, live, user, canEdit: user.role !== 'viewer', reloadProject: reloadAll,
  } : null, [project, flow.data, live, user, reloadAll]);

  if (error) return <section className="page"><h1>Project</h1><p className="error" role="alert">{errorText(error)}</p></section>;
  if (!value || !project) return <section className="page"><p aria-live="polite">Loading project…</p></section>;

  const current = TABS.find((t) => t.id === tab) ?? TABS[0];
  return (
    <ProjectContext.Provider value={value}>
      <section className="page project" aria-labelledby="project-title">
        <p className="crumbs"><Link href="/">Projects</Link> ›</p>
        <div className="page__head">
          <div>
            <h1 id="project-title">{project.name}</h1>
            <p className="project__meta">
              <StatusBadge state={liveProject?.status ?? project.status} paused={liveProject?.paused ?? project.paused} />
              <Countdown cutoverAt={project.cutoverAt} />
              <span className="muted">{formatCount(liveProject?.pairs ?? project.pairCount ?? 0)} mailboxes</span>
              {(liveProject?.openAlerts ?? 0) > 0 && <a href="#alerts" className="badge badge--bad">{liveProject?.openAlerts} open alerts</a>}
              <span className={`live-dot${live.connected ? ' live-dot--on' : ''}`} title={live.connected ? 'Live updates on' : 'Reconnecting…'}>
                {live.connected ? 'Live' : 'Offline'}
              </span>
            </p>
          </div>
          <RunControls />
        </div>
        <nav className="tabs" aria-label="Project sections">
          {TABS.map((t) => (
            <Link key={t.id} href={t.id === 'overview' ? `/projects/${projectId}` : `/projects/${projectId}/${t.id}`} className={`tabs__tab${t.id === current.id ? ' tabs__tab--active' : ''}`} aria-current={t.id === current.id ? 'page' : undefined}>
              {t.label}
            </Link>
          ))}
        </nav>
        {current.id === 'overview' && <OverviewPage />}
        {current.id === 'mailboxes' && <MailboxesPage />}
        {current.id === 'import' && <ImportPage />}
        {current.id === 'reports' && <ReportsPage />}
      </section>
    </ProjectContext.Provider>
  );
}
