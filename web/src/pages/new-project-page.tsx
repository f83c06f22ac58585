/** Create a project: name, servers (existing or new), domains, cutover time in its time zone. */
import { useEffect, useState, type FormEvent } from 'react';
import { errorText, post, request } from '../api/client.ts';
import type { Endpoint, Project, User } from '../api/types.ts';
import { useApi } from '../api/use-api.ts';
import { draftBody, emptyDraft, EndpointPicker, type EndpointChoice } from '../components/endpoint-picker.tsx';
import { Link } from '../components/link.tsx';
import { navigate } from '../lib/router.ts';
import { browserZone, localToIso, validZone } from '../lib/zoned-time.ts';

async function endpointId(choice: EndpointChoice): Promise<string> {
  if (choice.kind === 'existing') return choice.id;
  return (await post<Endpoint>('/api/endpoints', draftBody(choice.draft))).id;
}

/** The new project form. */
export function NewProjectPage({ user }: { readonly user: User }) {
  const endpoints = useApi<{ endpoints: Endpoint[] }>('/api/endpoints');
  const [name, setName] = useState('');
  const [domains, setDomains] = useState('');
  const [timeZone, setTimeZone] = useState(browserZone());
  const [cutover, setCutover] = useState('');
  const [source, setSource] = useState<EndpointChoice>({ kind: 'new', draft: emptyDraft('Source server') });
  const [target, setTarget] = useState<EndpointChoice>({ kind: 'new', draft: emptyDraft('Target server') });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const list = endpoints.data?.endpoints ?? [];
    if (list[0]) setSource({ kind: 'existing', id: list[0].id });
    if (list[1]) setTarget({ kind: 'existing', id: list[1].id });
  }, [endpoints.data]);

  if (user.role === 'viewer') return <section className="page"><h1>New project</h1><p>Viewers cannot create projects.</p></section>;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (!validZone(timeZone)) return setError(`Unknown time zone “${timeZone}”: use an IANA name such as Europe/Berlin.`);
    setBusy(true);
    try {
      const [sourceEndpointId, targetEndpointId] = [await endpointId(source), await endpointId(target)];
      const project = await request<Project>('/api/projects', {
        method: 'POST',
        body: {
          name, sourceEndpointId, targetEndpointId, timeZone,
          domains: domains.split(/[\s,]+/).filter(Boolean),
          cutoverAt: localToIso(cutover, timeZone),
        },
      });
      navigate(`/projects/${project.id}/import`);
    } catch (err) {
      setError(errorText(err));
      endpoints.reload();
    } finally {
      setBusy(false);
    }
  };

  const list = endpoints.data?.endpoints ?? [];
  return (
    <section className="page page--narrow" aria-labelledby="new-title">
      <p className="crumbs"><Link href="/">Projects</Link> ›</p>
      <h1 id="new-title">New project</h1>
      <form className="card form" onSubmit={(e) => void submit(e)}>
        <label className="field"><span>Project name</span><input required value={name} onChange={(e) => setName(e.target.value)} placeholder="Acme GmbH" /></label>
        <div className="grid grid--2">
          <EndpointPicker legend="Source" idPrefix="source" endpoints={list} value={source} onChange={setSource} />
          <EndpointPicker legend="Target" idPrefix="target" endpoints={list} value={target} onChange={setTarget} />
        </div>
        <div className="field">
          <label htmlFor="project-domains">Domains</label>
          <input id="project-domains" value={domains} onChange={(e) => setDomains(e.target.value)} placeholder="acme.example, acme-corp.example" aria-describedby="domains-help" />
          <small id="domains-help" className="muted">Comma or space separated; their MX moves at the cutover.</small>
        </div>
        <div className="grid grid--2">
          <div className="field">
            <label htmlFor="project-cutover">Cutover time (optional)</label>
            <input id="project-cutover" type="datetime-local" value={cutover} onChange={(e) => setCutover(e.target.value)} aria-describedby="cutover-help" />
            <small id="cutover-help" className="muted">In the project's time zone.</small>
          </div>
          <label className="field"><span>Time zone</span><input required value={timeZone} onChange={(e) => setTimeZone(e.target.value)} list="zones" /></label>
        </div>
        <datalist id="zones">
          {['UTC', 'Europe/Berlin', 'Europe/London', 'Europe/Paris', 'America/New_York', 'America/Los_Angeles', 'Asia/Tokyo', 'Australia/Sydney'].map((z) => <option key={z} value={z} />)}
        </datalist>
        {error && <p className="error" role="alert">{error}</p>}
        <div className="actions">
          <button type="submit" className="button button--primary" disabled={busy}>{busy ? 'Creating…' : 'Create project'}</button>
          <Link href="/" className="button button--quiet">Cancel</Link>
        </div>
      </form>
    </section>
  );
}
