/**
 * The project's settings (PATCH /api/projects/:id). Locked from T−4h and once the cutover started,
 * with the reason shown; the server refuses such changes too (PROJECT_SETTINGS_FROZEN).
 */
import { useState, type FormEvent } from 'react';
import { errorText, request } from '../api/client.ts';
import type { Project } from '../api/types.ts';
import { settingsLockReason } from '../lib/timeline.ts';
import { useNow } from '../lib/use-now.ts';
import { isoToLocal, localToIso, validZone } from '../lib/zoned-time.ts';
import { useProject } from './project-context.ts';

function text(value: unknown): string {
  if (Array.isArray(value)) return value.join(', ');
  return typeof value === 'string' ? value : '';
}

/** The settings card. */
export function SettingsForm() {
  const { project, canEdit, reloadProject } = useProject();
  const now = useNow(30_000);
  const [form, setForm] = useState(() => ({
    name: project.name,
    timeZone: project.timeZone,
    cutover: isoToLocal(project.cutoverAt, project.timeZone),
    domains: project.domains.join(', '),
    contactEmail: text(project.settings['contactEmail']),
    contactName: text(project.settings['contactName']),
    targetMxHosts: text(project.settings['targetMxHosts']),
  }));
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const lock = settingsLockReason(project, new Date(now));
  const disabled = !canEdit || lock !== null || busy;
  const set = (patch: Partial<typeof form>) => setForm((f) => ({ ...f, ...patch }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!validZone(form.timeZone)) return setMessage({ ok: false, text: `Unknown time zone “${form.timeZone}”.` });
    setBusy(true);
    setMessage(null);
    const list = (s: string) => s.split(/[\s,]+/).filter(Boolean);
    const settings: Record<string, unknown> = { ...project.settings };
    for (const [key, value] of [['contactEmail', form.contactEmail], ['contactName', form.contactName]] as const) {
      if (value) settings[key] = value;
      else delete settings[key];
    }
    if (form.targetMxHosts) settings['targetMxHosts'] = list(form.targetMxHosts);
    else delete settings['targetMxHosts'];
    try {
      await request<Project>(`/api/projects/${project.id}`, {
        method: 'PATCH',
        body: { name: form.name, timeZone: form.timeZone, cutoverAt: localToIso(form.cutover, form.timeZone), domains: list(form.domains), settings },
      });
      setMessage({ ok: true, text: 'Settings saved.' });
      reloadProject();
    } catch (err) {
      setMessage({ ok: false, text: errorText(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card panel" id="settings" aria-labelledby="settings-title">
      <div className="panel__head"><h2 id="settings-title">Settings</h2>{lock && <span className="badge badge--warn">Locked</span>}</div>
      {lock && <p className="banner banner--warn" id="settings-lock">{lock}</p>}
      {!canEdit && !lock && <p className="muted small">Viewers can read the settings but not change them.</p>}
      <form className="form" onSubmit={(e) => void submit(e)} aria-describedby={lock ? 'settings-lock' : undefined}>
        <fieldset disabled={disabled} className="fieldset fieldset--plain">
          <legend className="visually-hidden">Project settings</legend>
          <label className="field"><span>Name</span><input required value={form.name} onChange={(e) => set({ name: e.target.value })} /></label>
          <div className="grid grid--2">
            <label className="field"><span>Cutover time (T)</span><input type="datetime-local" value={form.cutover} onChange={(e) => set({ cutover: e.target.value })} /></label>
            <label className="field"><span>Time zone</span><input required value={form.timeZone} onChange={(e) => set({ timeZone: e.target.value })} /></label>
          </div>
          <label className="field"><span>Domains</span><input value={form.domains} onChange={(e) => set({ domains: e.target.value })} /></label>
          <div className="grid grid--2">
            <label className="field"><span>Contact email</span><input type="email" value={form.contactEmail} onChange={(e) => set({ contactEmail: e.target.value })} /></label>
            <label className="field"><span>Contact name</span><input value={form.contactName} onChange={(e) => set({ contactName: e.target.value })} /></label>
          </div>
          <label className="field"><span>Target MX hosts</span><input value={form.targetMxHosts} placeholder="mx1.new.example, *.mail.protection.example" onChange={(e) => set({ targetMxHosts: e.target.value })} /></label>
          <div className="actions"><button type="submit" className="button button--primary">{busy ? 'Saving…' : 'Save settings'}</button></div>
        </fieldset>
        {message && <p className={message.ok ? 'ok' : 'error'} role={message.ok ? 'status' : 'alert'}>{message.text}</p>}
      </form>
    </section>
  );
}
