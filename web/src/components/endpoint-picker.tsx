/** Choose an existing endpoint or describe a new one (created when the form is submitted). */
import type { Endpoint } from '../api/types.ts';

/** A new endpoint as the form holds it. */
export interface EndpointDraft {
  name: string;
  host: string;
  port: string;
  tls: 'implicit' | 'starttls' | 'none';
  tlsVerify: boolean;
  authKind: 'password' | 'master';
  adminUser: string;
  adminPassword: string;
  maxConnections: string;
  compress: Endpoint['compress'];
}

/** The picker's value: an existing endpoint id, or a draft. */
export type EndpointChoice = { kind: 'existing'; id: string } | { kind: 'new'; draft: EndpointDraft };

/** An empty draft. */
export function emptyDraft(name: string): EndpointDraft {
  return { name, host: '', port: '', tls: 'implicit', tlsVerify: true, authKind: 'password', adminUser: '', adminPassword: '', maxConnections: '4', compress: 'auto' };
}

/** The API body of a draft. */
export function draftBody(d: EndpointDraft): Record<string, unknown> {
  return {
    name: d.name, host: d.host, tls: d.tls, tlsVerify: d.tlsVerify, authKind: d.authKind,
    maxConnections: Number(d.maxConnections) || 4, compress: d.compress,
    ...(d.port ? { port: Number(d.port) } : {}),
    ...(d.authKind === 'master' ? { adminUser: d.adminUser, adminPassword: d.adminPassword } : {}),
  };
}

/** Props of `EndpointPicker`. */
export interface EndpointPickerProps {
  readonly legend: string;
  readonly idPrefix: string;
  readonly endpoints: readonly Endpoint[];
  readonly value: EndpointChoice;
  readonly onChange: (value: EndpointChoice) => void;
}

/** A fieldset: existing endpoints in a select, "new" opens the fields. */
export function EndpointPicker({ legend, idPrefix, endpoints, value, onChange }: EndpointPickerProps) {
  const draft = value.kind === 'new' ? value.draft : null;
  const set = (patch: Partial<EndpointDraft>) => draft && onChange({ kind: 'new', draft: { ...draft, ...patch } });
  return (
    <fieldset className="fieldset">
      <legend>{legend}</legend>
      <label className="field">
        <span>Server</span>
        <select
          id={`${idPrefix}-choice`}
          value={value.kind === 'existing' ? value.id : 'new'}
          onChange={(e) => onChange(e.target.value === 'new' ? { kind: 'new', draft: emptyDraft(`${legend} server`) } : { kind: 'existing', id: e.target.value })}
        >
          {endpoints.map((e) => <option key={e.id} value={e.id}>{e.name} — {e.host}:{e.port}</option>)}
          <option value="new">New server…</option>
        </select>
      </label>
      {draft && (
        <div className="grid grid--2">
          <label className="field"><span>Name</span><input required value={draft.name} onChange={(e) => set({ name: e.target.value })} /></label>
          <label className="field"><span>Host</span><input required value={draft.host} placeholder="imap.example.com" onChange={(e) => set({ host: e.target.value })} /></label>
          <label className="field"><span>Port</span><input inputMode="numeric" pattern="[0-9]*" value={draft.port} placeholder={draft.tls === 'implicit' ? '993' : '143'} onChange={(e) => set({ port: e.target.value })} /></label>
          <label className="field">
            <span>TLS</span>
            <select value={draft.tls} onChange={(e) => set({ tls: e.target.value as EndpointDraft['tls'] })}>
              <option value="implicit">Implicit TLS (993)</option>
              <option value="starttls">STARTTLS</option>
              <option value="none">None (test servers only)</option>
            </select>
          </label>
          <label className="field field--check"><input type="checkbox" checked={draft.tlsVerify} onChange={(e) => set({ tlsVerify: e.target.checked })} /><span>Verify the certificate</span></label>
          <label className="field">
            <span>Login</span>
            <select value={draft.authKind} onChange={(e) => set({ authKind: e.target.value as EndpointDraft['authKind'] })}>
              <option value="password">Each mailbox's own password (from the CSV)</option>
              <option value="master">Admin (master) user</option>
            </select>
          </label>
          {draft.authKind === 'master' && (
            <>
              <label className="field"><span>Admin user</span><input required value={draft.adminUser} onChange={(e) => set({ adminUser: e.target.value })} /></label>
              <label className="field"><span>Admin password</span><input type="password" required autoComplete="new-password" value={draft.adminPassword} onChange={(e) => set({ adminPassword: e.target.value })} /></label>
            </>
          )}
          <label className="field"><span>Connection limit</span><input inputMode="numeric" pattern="[0-9]*" value={draft.maxConnections} onChange={(e) => set({ maxConnections: e.target.value })} /></label>
          <label className="field">
            <span>Compression</span>
            <select value={draft.compress} title="COMPRESS=DEFLATE (RFC 4978)" onChange={(e) => set({ compress: e.target.value as EndpointDraft['compress'] })}>
              <option value="auto">Auto (only when the round trip is 10 ms or more)</option>
              <option value="on">On (whenever the server offers it)</option>
              <option value="off">Off</option>
            </select>
          </label>
        </div>
      )}
    </fieldset>
  );
}
