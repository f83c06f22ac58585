/** All projects at a glance: status, progress, countdown to the cutover, open alerts — live. */
import type { Project, ProjectLive, User } from '../api/types.ts';
import { useApi } from '../api/use-api.ts';
import { Countdown } from '../components/countdown.tsx';
import { Link } from '../components/link.tsx';
import { ProgressBar } from '../components/progress-bar.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { formatCount } from '../lib/format.ts';
import { useLiveEvents } from '../live/use-live-events.ts';
import { errorText } from '../api/client.ts';

function progressOf(live: ProjectLive | undefined): { percent: number; text: string } {
  if (!live || live.pairs === 0) return { percent: 0, text: 'no mailboxes' };
  const done = live.byState['completed'] ?? 0;
  return { percent: (done / live.pairs) * 100, text: `${formatCount(done)} / ${formatCount(live.pairs)}` };
}

/** The projects list. */
export function ProjectsPage({ user }: { readonly user: User }) {
  const { data, error, loading } = useApi<{ projects: Project[] }>('/api/projects');
  const live = useLiveEvents();
  const canEdit = user.role !== 'viewer';

  return (
    <section className="page" aria-labelledby="projects-title">
      <div className="page__head">
        <h1 id="projects-title">Projects</h1>
        {canEdit && <Link href="/projects/new" className="button button--primary">New project</Link>}
      </div>
      {error && <p className="error" role="alert">{errorText(error)}</p>}
      {loading && !data && <p aria-live="polite">Loading projects…</p>}
      {data && data.projects.length === 0 && (
        <div className="card empty">
          <h2>No projects yet</h2>
          <p>A project moves one organisation's mailboxes from a source server to a target around one cutover.</p>
          {canEdit && <Link href="/projects/new" className="button button--primary">Create the first project</Link>}
        </div>
      )}
      {data && data.projects.length > 0 && (
        <div className="table-wrap">
          <table className="table projects-table">
            <caption className="visually-hidden">Projects with status, progress, cutover countdown and open alerts</caption>
            <thead>
              <tr>
                <th scope="col">Project</th>
                <th scope="col">Status</th>
                <th scope="col">Mailboxes done</th>
                <th scope="col">Cutover</th>
                <th scope="col">Alerts</th>
              </tr>
            </thead>
            <tbody>
              {data.projects.map((p) => {
                const l = live.projects.get(p.id);
                const progress = progressOf(l);
                const alerts = l?.openAlerts ?? 0;
                return (
                  <tr key={p.id}>
                    <th scope="row"><Link href={`/projects/${p.id}`}>{p.name}</Link></th>
                    <td data-label="Status"><StatusBadge state={l?.status ?? p.status} paused={l?.paused ?? p.paused} /></td>
                    <td data-label="Done"><ProgressBar percent={progress.percent} label={`${p.name} mailboxes completed`} text={progress.text} tone={progress.percent >= 100 ? 'ok' : 'neutral'} /></td>
                    <td data-label="Cutover"><Countdown cutoverAt={l?.cutoverAt ?? p.cutoverAt} /></td>
                    <td data-label="Alerts">
                      {alerts > 0
                        ? <Link href={`/projects/${p.id}`} className="badge badge--bad">{alerts} open</Link>
                        : <span className="muted">none</span>}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <p className="live-note muted small" aria-live="off">{live.connected ? '● Live' : '○ Connecting…'}</p>
    </section>
  );
}
