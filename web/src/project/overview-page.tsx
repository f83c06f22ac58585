/** The project overview: totals, the status flow as a timeline, steps, alerts, DNS, settings. */
import type { ProjectReport } from '../api/types.ts';
import { useApi } from '../api/use-api.ts';
import { formatBytes, formatCount, formatDuration, formatRate } from '../lib/format.ts';
import { AlertsPanel } from './alerts-panel.tsx';
import { DnsPanel } from './dns-panel.tsx';
import { useProject } from './project-context.ts';
import { SettingsForm } from './settings-form.tsx';
import { StepsPanel } from './steps-panel.tsx';
import { TimelineView } from './timeline-view.tsx';
import { ProgressBar } from '../components/progress-bar.tsx';
import { useEffect } from 'react';

/** The overview tab. */
export function OverviewPage() {
  const { project, live } = useProject();
  const report = useApi<ProjectReport>(`/api/projects/${project.id}/report?pairs=false`);
  const liveProject = live.projects.get(project.id);
  const stamp = liveProject ? JSON.stringify(liveProject.byState) : '';
  const { reload } = report;
  useEffect(() => { if (stamp) reload(); }, [stamp, reload]);
  const r = report.data;

  return (
    <div className="overview">
      <section className="stats" aria-label="Totals">
        <div className="stat card">
          <h2 className="stat__label">Progress</h2>
          <ProgressBar percent={r ? r.progressPercent : null} label="Project progress" text={r ? `${r.progressPercent}%` : '…'} tone={(r?.progressPercent ?? 0) >= 100 ? 'ok' : 'neutral'} />
          <p className="small muted">{!r ? 'loading…' : r.estimatedSecondsLeft !== null ? `about ${formatDuration(r.estimatedSecondsLeft)} left` : 'time left unknown'}</p>
        </div>
        <div className="stat card">
          <h2 className="stat__label">Mailboxes</h2>
          <p className="stat__value">{formatCount(liveProject?.byState['completed'] ?? 0)} <span className="muted">/ {formatCount(liveProject?.pairs ?? r?.pairs.total ?? 0)} done</span></p>
          <p className="small muted">
            {Object.entries(liveProject?.byState ?? {}).filter(([s]) => s !== 'completed').map(([s, n]) => `${n} ${s}`).join(' · ') || '—'}
          </p>
        </div>
        <div className="stat card">
          <h2 className="stat__label">Items migrated</h2>
          <p className="stat__value">{r ? formatCount(r.items.migrated) : '…'}</p>
          <p className="small muted">{formatBytes(r?.bytes ?? 0)} · {formatCount(r?.items.failed ?? 0)} failed</p>
        </div>
        <div className="stat card">
          <h2 className="stat__label">Throughput</h2>
          <p className="stat__value">{r ? formatRate(r.throughput.bytesPerSecond) : '…'}</p>
          <p className="small muted">{r?.throughput.itemsPerSecond ?? 0} items/s (last 30 min)</p>
        </div>
      </section>
      <TimelineView />
      <div className="grid grid--2 overview__panels">
        <AlertsPanel />
        <StepsPanel />
      </div>
      <div className="grid grid--2 overview__panels">
        <DnsPanel />
        <SettingsForm />
      </div>
    </div>
  );
}
