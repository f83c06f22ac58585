/**
 * The status flow as a timeline: the stages in order with the current one marked, then the schedule
 * around T (resyncs, deadlines, T and the MX window, sweeps, completion) with a "now" marker at the
 * current position. Computed in the browser from T, the time zone and the status (lib/timeline.ts).
 */
import { buildTimeline, FLOW_STATUSES, nextIndex, STATUS_HINTS, type TimelineEntry } from '../lib/timeline.ts';
import { formatRelative, formatTime, humanize } from '../lib/format.ts';
import { useNow } from '../lib/use-now.ts';
import { useProject } from './project-context.ts';

/** Sweeps collapsed into one entry (there are ten of them at the default 12-hour interval). */
function collapseSweeps(entries: readonly TimelineEntry[]): TimelineEntry[] {
  const sweeps = entries.filter((e) => e.kind === 'sweep');
  const first = sweeps[0];
  const last = sweeps[sweeps.length - 1];
  if (!first || !last) return [...entries];
  const hoursApart = sweeps[1] ? (sweeps[1].at.getTime() - first.at.getTime()) / 3600_000 : 12;
  const merged: TimelineEntry = { key: 'sweeps', at: first.at, until: last.at, kind: 'sweep', label: `${sweeps.length} sweeps`, detail: `every ${hoursApart} h while mail still lands on the old server` };
  return [...entries.filter((e) => e.kind !== 'sweep'), merged].sort((a, b) => a.at.getTime() - b.at.getTime());
}

const fetchedAt = new WeakMap<object, number>();

/** When this flow answer arrived (the orchestrator's clock advances from there). */
function flowFetchedAt(flow: object): number {
  let at = fetchedAt.get(flow);
  if (at === undefined) {
    at = Date.now();
    fetchedAt.set(flow, at);
  }
  return at;
}

/** The stages and the schedule. */
export function TimelineView() {
  const { project, live, flow } = useProject();
  const wallNow = useNow(30_000);
  // The orchestrator's clock when the server tells it (a fake clock in test mode), moved on since.
  const now = flow ? new Date(flow.now).getTime() + (wallNow - flowFetchedAt(flow)) : wallNow;
  const status = live.projects.get(project.id)?.status ?? project.status;
  const stageIndex = FLOW_STATUSES.indexOf(status as (typeof FLOW_STATUSES)[number]);
  const cutoverAt = live.projects.get(project.id)?.cutoverAt ?? project.cutoverAt;
  const settings = project.settings;
  const entries = cutoverAt ? collapseSweeps(buildTimeline({
    cutoverAt, timeZone: project.timeZone, placedAt: flow?.placedAt ?? project.placedAt ?? (status === 'draft' ? null : project.createdAt), now: new Date(now),
    ...(typeof settings['sweepIntervalHours'] === 'number' ? { sweepIntervalHours: settings['sweepIntervalHours'] } : {}),
    ...(typeof settings['completionAfterDays'] === 'number' ? { completionAfterDays: settings['completionAfterDays'] } : {}),
  })) : [];
  const next = nextIndex(entries, new Date(now));

  return (
    <section className="card panel timeline-panel" aria-labelledby="timeline-title">
      <div className="panel__head">
        <h2 id="timeline-title">Status flow</h2>
        <span className="muted small">times in {project.timeZone}</span>
      </div>
      {(status === 'on_hold' || status === 'cancelled') && (
        <p className="banner banner--bad" role="status">
          {status === 'on_hold' ? `The project is on hold${flow?.heldFrom ? ` (from ${humanize(flow.heldFrom)})` : ''}: nothing advances until a person resumes it.` : 'The project was cancelled.'}
          {flow?.statusReason ? ` Reason: ${flow.statusReason}` : ''}
        </p>
      )}
      <ol className="stages" aria-label="Stages">
        {FLOW_STATUSES.map((s, i) => {
          const state = stageIndex < 0 ? 'future' : i < stageIndex ? 'done' : i === stageIndex ? 'current' : 'future';
          return (
            <li key={s} className={`stages__stage stages__stage--${state}`} aria-current={state === 'current' ? 'step' : undefined} title={STATUS_HINTS[s]}>
              <span className="stages__dot" aria-hidden="true" />
              <span className="stages__label">{humanize(s)}</span>
              <span className="visually-hidden">{state === 'done' ? ' (done)' : state === 'current' ? ' (current stage)' : ''}</span>
            </li>
          );
        })}
      </ol>
      {!cutoverAt && <p className="muted">No cutover time yet: set one in the settings to see the schedule (resyncs, T, the MX window, sweeps).</p>}
      {cutoverAt && (
        <ol className="timeline" aria-label="Schedule around the cutover">
          {entries.map((e, i) => (
            <li key={e.key} className={`timeline__entry timeline__entry--${e.kind} timeline__entry--${i < next ? 'past' : 'future'}`}>
              {i === next && <span className="timeline__now" aria-label={`Now: ${formatTime(new Date(now).toISOString(), project.timeZone)}`}>now</span>}
              <span className="timeline__dot" aria-hidden="true" />
              <strong className="timeline__label">{e.label}</strong>
              <time className="timeline__time" dateTime={e.at.toISOString()}>
                {formatTime(e.at.toISOString(), project.timeZone)}{e.until && e.kind === 'sweep' ? ` – ${formatTime(e.until.toISOString(), project.timeZone)}` : ''}
              </time>
              <span className="timeline__rel muted">{formatRelative(e.at.toISOString(), now)}</span>
              <span className="timeline__detail muted">{e.detail}</span>
            </li>
          ))}
          {next === entries.length && <li className="timeline__entry timeline__entry--end"><span className="timeline__now">now</span><span className="muted">every planned point has passed</span></li>}
        </ol>
      )}
    </section>
  );
}
