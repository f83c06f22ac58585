/** The DNS panel: the records to publish and what the resolvers answer now (GET …/dns). */
import type { DnsDomain } from '../api/types.ts';
import { OptionalPanel } from '../components/optional-panel.tsx';
import { formatTime } from '../lib/format.ts';
import { useProject } from './project-context.ts';

function Verdict({ ok, yes, no }: { readonly ok: boolean; readonly yes: string; readonly no: string }) {
  return ok ? <span className="badge badge--ok">{yes}</span> : <span className="badge badge--warn">{no}</span>;
}

/** The DNS card. */
export function DnsPanel() {
  const { project } = useProject();
  return (
    <OptionalPanel<{ domains: DnsDomain[] }> id="dns" title="DNS" path={`/api/projects/${project.id}/dns`} what="DNS checks">
      {(data) => (data.domains ?? []).length === 0 ? <p className="muted">No domains in this project.</p> : (
        <div className="dns">
          {data.domains.map((d) => (
            <section key={d.domain} className="dns__domain" aria-label={`DNS of ${d.domain}`}>
              <h3>{d.domain} <Verdict ok={d.seen.txtVerified} yes="verified" no="not verified" /> <Verdict ok={d.seen.mxPointsToTarget} yes="MX on target" no="MX on old server" /></h3>
              {d.publish.length > 0 ? (
                <div className="table-wrap">
                  <table className="table table--compact">
                    <caption className="visually-hidden">Records to publish for {d.domain}</caption>
                    <thead><tr><th scope="col">Publish</th><th scope="col">Name</th><th scope="col">Value</th><th scope="col">When</th></tr></thead>
                    <tbody>
                      {d.publish.map((r) => <tr key={`${r.type}-${r.value}`}><td>{r.type}</td><td>{r.name}</td><td><code>{r.value}</code></td><td className="small">{r.when}</td></tr>)}
                    </tbody>
                  </table>
                </div>
              ) : <p className="muted small">Nothing to publish yet: the TXT record comes when the project is placed; MX hosts come from the settings.</p>}
              <p className="small">
                <strong>Resolvers see:</strong>{' '}
                MX {d.seen.mx.length ? d.seen.mx.map((m) => `${m.priority} ${m.exchange}`).join(', ') : 'none'}
                {d.seen.mxTtlSeconds !== null ? ` (TTL ${d.seen.mxTtlSeconds} s)` : ''}; TXT {d.seen.txt.length ? d.seen.txt.map((t) => `“${t}”`).join(', ') : 'none'}
              </p>
              {d.seen.error && <p className="error small">Look-up failed: {d.seen.error}</p>}
              {d.ttlAdvice && d.ttlAdvice.status !== 'ok' && d.ttlAdvice.ttlSeconds !== null && (
                <p className="banner banner--warn small">Lower the MX TTL to {d.ttlAdvice.recommendedTtlSeconds} s{d.ttlAdvice.lowerBy ? ` by ${formatTime(d.ttlAdvice.lowerBy)}` : ''} (now {d.ttlAdvice.ttlSeconds} s).</p>
              )}
              {d.lastChecks.length > 0 && <p className="muted small">Last checks: {d.lastChecks.map((c) => `${c.kind.toUpperCase()} ${c.ok ? 'ok' : 'not yet'} ${formatTime(c.checkedAt)}`).join(' · ')}</p>}
            </section>
          ))}
        </div>
      )}
    </OptionalPanel>
  );
}
