/** The orchestration steps with their state; each opens its log (GET …/steps, …/steps/:name/logs). */
import { useState } from 'react';
import type { Step, StepLog } from '../api/types.ts';
import { useApi } from '../api/use-api.ts';
import { OptionalPanel } from '../components/optional-panel.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { formatTime, humanize } from '../lib/format.ts';
import { useProject } from './project-context.ts';
import { errorText } from '../api/client.ts';

function StepLogView({ projectId, step }: { readonly projectId: string; readonly step: string }) {
  const { data, error } = useApi<{ lines: StepLog[] }>(`/api/projects/${projectId}/steps/${encodeURIComponent(step)}/log`);
  if (error) return <p className="error small">{errorText(error)}</p>;
  if (!data) return <p className="muted small">Loading the log…</p>;
  if (data.lines.length === 0) return <p className="muted small">No log lines yet.</p>;
  return (
    <ol className="log" aria-label={`Log of ${humanize(step)}`}>
      {data.lines.map((l, i) => (
        <li key={i} className={`log__line log__line--${l.level}`}>
          <time dateTime={l.at}>{formatTime(l.at)}</time> <span className="log__attempt">#{l.attempt}</span> {l.message}
        </li>
      ))}
    </ol>
  );
}

/** The steps card. */
export function StepsPanel() {
  const { project } = useProject();
  const [open, setOpen] = useState<string | null>(null);
  return (
    <OptionalPanel<{ steps: Step[] }> id="steps" title="Steps" path={`/api/projects/${project.id}/steps`} what="orchestration steps">
      {(data) => (data.steps ?? []).length === 0 ? <p className="muted">No step has run yet: steps start once the project is placed.</p> : (
        <ul className="steps">
          {data.steps.map((s) => (
            <li key={s.name} className="steps__step">
              <button type="button" className="steps__toggle" aria-expanded={open === s.name} onClick={() => setOpen(open === s.name ? null : s.name)}>
                <span>{humanize(s.name)}</span>
                <StatusBadge state={s.status} />
                <span className="muted small">{s.attempts > 1 ? `${s.attempts} attempts` : ''}</span>
              </button>
              {s.lastErrorText && <p className="error small">{s.lastErrorCode}: {s.lastErrorText}</p>}
              {s.nextRunAt && s.status !== 'succeeded' && <p className="muted small">next run {formatTime(s.nextRunAt)}</p>}
              {open === s.name && <StepLogView projectId={project.id} step={s.name} />}
            </li>
          ))}
        </ul>
      )}
    </OptionalPanel>
  );
}
