/**
 * The readiness checks at T−4h that need the connectors (docs/status-flow.md): both endpoints
 * reachable, credentials valid for a sample of pairs (both sides), the target's APPENDLIMIT against
 * the largest source item in the ledger, and DNS ready (every domain verified). Each problem is one
 * line for the step log and the `readiness_problems` email.
 */
import type pg from 'pg';
import { toAppError } from '../../core/app-error.ts';
import type { ImapEndpoint } from '../../core/endpoint.ts';
import { openImapSession } from '../../connectors/imap/imap-session.ts';
import { loadPairRef } from '../../projects/pair-endpoints.ts';
import { getProjectFlow, listDnsChecks } from '../../store/project-flow.repository.ts';

/** How many pairs are logged in to (the first, the last and a spread between). */
const SAMPLE = 5;

function sample<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  const step = (items.length - 1) / (n - 1);
  return Array.from({ length: n }, (_, i) => items[Math.round(i * step)] as T);
}

async function tryLogin(endpoint: ImapEndpoint): Promise<{ ok: true; appendLimit: number | null } | { ok: false; code: string; message: string }> {
  try {
    const session = await openImapSession({ ...endpoint, timeoutSeconds: 20 }, { connectionName: 'readiness' });
    try {
      return { ok: true, appendLimit: session.info.appendLimit };
    } finally {
      await session.close();
    }
  } catch (err) {
    const e = toAppError(err);
    return { ok: false, code: e.code, message: e.message };
  }
}

/** The problems found for `projectId` (empty when ready). */
export async function readinessProblems(db: pg.Pool, secretKey: Buffer, projectId: string): Promise<string[]> {
  const problems: string[] = [];
  const project = await getProjectFlow(db, projectId);
  if (!project) return ['the project no longer exists'];

  const dns = await listDnsChecks(db, projectId);
  for (const domain of project.domains) {
    if (!dns.some((d) => d.domain === domain && d.kind === 'txt' && d.ok)) problems.push(`DNS: domain ${domain} is not verified (TXT record)`);
  }

  const { rows } = await db.query<{ id: string; largest: string | null }>(
    `SELECT p.id, (SELECT max(li.size) FROM ledger_items li WHERE li.pair_id = p.id) AS largest
       FROM pairs p WHERE p.project_id = $1 AND NOT p.paused AND p.state <> 'stopped' ORDER BY p.id`, [projectId],
  );
  let appendLimit: number | null = null;
  for (const row of sample(rows, SAMPLE)) {
    let ref;
    try {
      ref = await loadPairRef(db, secretKey, String(row.id));
    } catch (err) {
      problems.push(`pair ${row.id}: ${toAppError(err).message}`);
      continue;
    }
    const [source, target] = await Promise.all([tryLogin(ref.source), tryLogin(ref.target)]);
    if (!source.ok) problems.push(`pair ${row.id}: source login ${ref.source.host}:${ref.source.port} failed (${source.code}: ${source.message})`);
    if (!target.ok) problems.push(`pair ${row.id}: target login ${ref.target.host}:${ref.target.port} failed (${target.code}: ${target.message})`);
    if (target.ok && target.appendLimit !== null) appendLimit = appendLimit === null ? target.appendLimit : Math.min(appendLimit, target.appendLimit);
  }
  if (appendLimit !== null) {
    const tooLarge = rows.filter((r) => r.largest !== null && Number(r.largest) > (appendLimit ?? Infinity));
    if (tooLarge.length > 0) {
      const largest = Math.max(...tooLarge.map((r) => Number(r.largest)));
      problems.push(`target size limit: ${tooLarge.length} pairs hold items larger than the target's APPENDLIMIT of ${appendLimit} bytes (largest ${largest})`);
    }
  }
  return problems;
}
