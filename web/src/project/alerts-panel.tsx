/** Alerts that need a person, with acknowledge (GET …/alerts, POST …/alerts/:id/acknowledge). */
import { useState } from 'react';
import { errorText, post } from '../api/client.ts';
import type { Alert } from '../api/types.ts';
import { OptionalPanel } from '../components/optional-panel.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { formatTime, humanize } from '../lib/format.ts';
import { useProject } from './project-context.ts';

/** The alerts card. */
export function AlertsPanel() {
  const { project, canEdit, live } = useProject();
  const [message, setMessage] = useState<string | null>(null);
  const openCount = live.projects.get(project.id)?.openAlerts ?? 0;
  return (
    <OptionalPanel<{ alerts: Alert[] }> key={openCount} id="alerts" title="Alerts" path={`/api/projects/${project.id}/alerts`} what="project alerts">
      {(data, reload) => {
        const shown = (data.alerts ?? []).filter((a) => a.status !== 'resolved');
        const acknowledge = async (alert: Alert) => {
          try {
            await post(`/api/projects/${project.id}/alerts/${alert.id}/acknowledge`, {});
            setMessage(`Acknowledged: ${humanize(alert.kind)}.`);
            reload();
          } catch (err) {
            setMessage(errorText(err));
          }
        };
        return (
          <>
            {shown.length === 0 && <p className="muted">No open alerts.</p>}
            <ul className="alerts">
              {shown.map((a) => (
                <li key={a.id} className={`alerts__alert alerts__alert--${a.status}`}>
                  <div className="alerts__head">
                    <strong>{humanize(a.kind)}</strong>
                    <StatusBadge state={a.status} />
                  </div>
                  <p>{a.message}</p>
                  <p className="muted small">raised {formatTime(a.raisedAt)}{a.acknowledgedBy ? ` · acknowledged by ${a.acknowledgedBy}` : ''}</p>
                  {canEdit && a.status === 'open' && (
                    <button type="button" className="button button--small" onClick={() => void acknowledge(a)}>Acknowledge</button>
                  )}
                </li>
              ))}
            </ul>
            <p className="small" role="status" aria-live="polite">{message}</p>
          </>
        );
      }}
    </OptionalPanel>
  );
}
