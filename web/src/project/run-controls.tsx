/** Start, pause and resume the whole project (POST /api/projects/:id/start|pause|resume). */
import { useState } from 'react';
import { errorText, post } from '../api/client.ts';
import { useProject } from './project-context.ts';

/** The run buttons with the outcome announced. */
export function RunControls() {
  const { project, live, flow, canEdit, reloadProject } = useProject();
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!canEdit) return null;
  const paused = live.projects.get(project.id)?.paused ?? project.paused;
  const status = live.projects.get(project.id)?.status ?? project.status;

  const place = async () => {
    setBusy(true);
    setMessage(null);
    try {
      await post(`/api/projects/${project.id}/place`, {});
      setMessage('Placed: the cutover flow runs now (provisioning first).');
      reloadProject();
    } catch (err) {
      setMessage(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const act = async (action: 'start' | 'pause' | 'resume') => {
    setBusy(true);
    setMessage(null);
    try {
      const r = await post<{ pairs: number; queued: number; skipped: number }>(`/api/projects/${project.id}/${action}`, {});
      setMessage(action === 'start' ? `Started: ${r.queued} passes queued${r.skipped ? `, ${r.skipped} skipped` : ''}.` : action === 'pause' ? `Paused: no new pass starts (${r.pairs} mailboxes).` : `Resumed: ${r.queued} passes queued.`);
      reloadProject();
    } catch (err) {
      setMessage(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="run-controls">
      <div className="actions">
        {flow && status === 'draft' && (
          <button type="button" className="button" disabled={busy || !project.cutoverAt} title={project.cutoverAt ? 'Leave draft: the orchestrator plans everything around T' : 'Set a cutover time first'} onClick={() => void place()}>Place project</button>
        )}
        <button type="button" className="button button--primary" disabled={busy} onClick={() => void act('start')}>Start migration</button>
        {paused
          ? <button type="button" className="button" disabled={busy} onClick={() => void act('resume')}>Resume project</button>
          : <button type="button" className="button" disabled={busy} onClick={() => void act('pause')}>Pause project</button>}
      </div>
      <p className="small muted" role="status" aria-live="polite">{message}</p>
    </div>
  );
}
