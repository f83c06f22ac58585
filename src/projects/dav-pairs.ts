/**
 * Calendars and contacts in projects: a project may name a source and target CalDAV and/or CardDAV
 * endpoint; then every mailbox pair of the project has a companion DAV pair per kind — a `pairs` row
 * with the DAV endpoints, the mailbox pair's accounts, addresses, passwords and batch, and
 * `mailbox_pair_id` pointing back. Companions are made (and kept in step) here, by the CSV import and
 * when DAV endpoints are added to a project; the CSV formats do not change.
 */
import { AppError } from '../core/app-error.ts';
import type { Db } from '../store/db.ts';
import { getEndpointSettings } from '../store/endpoint-settings.repository.ts';
import { DAV_ENDPOINT_FIELDS, requireProject, type ProjectInput } from '../store/project.repository.ts';

/**
 * Checks that the DAV endpoint ids given point at endpoints of the right protocol (a CalDAV field at a
 * caldav endpoint …). PROJECT_INVALID names each bad field.
 */
export async function checkProjectDavEndpoints(db: Db, input: Partial<ProjectInput>): Promise<void> {
  const problems: string[] = [];
  for (const [field] of DAV_ENDPOINT_FIELDS) {
    const id = input[field];
    if (id === undefined || id === null) continue;
    const want = field.includes('Caldav') ? 'caldav' : 'carddav';
    const endpoint = await getEndpointSettings(db, id);
    if (!endpoint) problems.push(`${field}: no endpoint ${id}`);
    else if (endpoint.protocol !== want) problems.push(`${field}: endpoint ${id} is ${endpoint.protocol}, not ${want}`);
  }
  if (problems.length > 0) throw new AppError('PROJECT_INVALID', `invalid project: ${problems.join('; ')}`, { details: { problems: problems.join('; ') } });
}

/** True when the body sets any DAV endpoint of a project. */
export function touchesDavEndpoints(input: Partial<ProjectInput>): boolean {
  return DAV_ENDPOINT_FIELDS.some(([field]) => input[field] !== undefined);
}

/**
 * Makes the project's companion DAV pairs match its mailbox pairs: creates the missing ones, copies
 * changed passwords, addresses and batches, and drops a companion whose accounts no longer match its
 * mailbox pair while it has no DAV ledger yet. Running it again changes nothing. Returns rows written.
 */
export async function ensureDavPairs(db: Db, projectId: string): Promise<number> {
  const project = await requireProject(db, projectId);
  const { rowCount: dropped } = await db.query(
    `DELETE FROM pairs c USING pairs m
      WHERE c.mailbox_pair_id = m.id AND c.project_id = $1
        AND (c.source_user <> m.source_user OR c.target_user <> m.target_user)
        AND NOT EXISTS (SELECT 1 FROM dav_items di WHERE di.pair_id = c.id)`,
    [project.id],
  );
  // A companion of another project (or made by `cutover sync`) for the same accounts is left alone: the
  // pairs key (endpoints + users) allows one, and the WHERE of the update skips it.
  const { rowCount } = await db.query(
    `INSERT INTO pairs (project_id, source_endpoint_id, target_endpoint_id, source_user, target_user, source_email, target_email,
                        source_secret_sealed, target_secret_sealed, batch_id, mailbox_pair_id)
     SELECT m.project_id, d.src, d.tgt, m.source_user, m.target_user, m.source_email, m.target_email,
            m.source_secret_sealed, m.target_secret_sealed, m.batch_id, m.id
       FROM pairs m
       JOIN endpoints e ON e.id = m.source_endpoint_id AND e.protocol = 'imap'
       CROSS JOIN (VALUES ($2::bigint, $3::bigint), ($4::bigint, $5::bigint)) AS d(src, tgt)
      WHERE m.project_id = $1 AND m.mailbox_pair_id IS NULL AND d.src IS NOT NULL AND d.tgt IS NOT NULL
     ON CONFLICT (source_endpoint_id, source_user, target_endpoint_id, target_user) DO UPDATE SET
       source_email = EXCLUDED.source_email, target_email = EXCLUDED.target_email,
       source_secret_sealed = EXCLUDED.source_secret_sealed, target_secret_sealed = EXCLUDED.target_secret_sealed,
       batch_id = EXCLUDED.batch_id, mailbox_pair_id = EXCLUDED.mailbox_pair_id, updated_at = now()
     WHERE pairs.project_id = EXCLUDED.project_id
       AND (pairs.source_email IS DISTINCT FROM EXCLUDED.source_email OR pairs.target_email IS DISTINCT FROM EXCLUDED.target_email
         OR pairs.source_secret_sealed IS DISTINCT FROM EXCLUDED.source_secret_sealed
         OR pairs.target_secret_sealed IS DISTINCT FROM EXCLUDED.target_secret_sealed
         OR pairs.batch_id IS DISTINCT FROM EXCLUDED.batch_id OR pairs.mailbox_pair_id IS DISTINCT FROM EXCLUDED.mailbox_pair_id)`,
    [project.id, project.sourceCaldavEndpointId, project.targetCaldavEndpointId, project.sourceCarddavEndpointId, project.targetCarddavEndpointId],
  );
  return (dropped ?? 0) + (rowCount ?? 0);
}
