/**
 * The SQL of a CSV import of mailbox pairs (projects/import-pairs.ts): read a project's pairs with
 * their sealed passwords to compare, find pairs of the same accounts outside the project, and write
 * new and changed pairs in bulk (one statement each, rows as one JSON parameter).
 */
import { type Db } from './db.ts';

/** The columns an import writes. */
export interface ImportPairWrite {
  readonly sourceEndpointId: string;
  readonly targetEndpointId: string;
  readonly sourceEmail: string | null;
  readonly targetEmail: string | null;
  readonly sourceUser: string;
  readonly targetUser: string;
  readonly sourceSecretSealed: Buffer | null;
  readonly targetSecretSealed: Buffer | null;
  readonly importFlags: string | null;
  readonly batchId: string | null;
}

/** A stored pair of a project, as the import compares it (secrets still sealed). */
export interface StoredImportPair extends ImportPairWrite {
  readonly id: string;
  readonly projectId: string | null;
  /** The ledger has items for it: its target may not change any more. */
  readonly hasLedger: boolean;
}

interface ImportRow {
  id: string;
  project_id: string | null;
  source_endpoint_id: string;
  target_endpoint_id: string;
  source_email: string | null;
  target_email: string | null;
  source_user: string;
  target_user: string;
  source_secret_sealed: Buffer | null;
  target_secret_sealed: Buffer | null;
  import_flags: string | null;
  batch_id: string | null;
  has_ledger: boolean;
}

const COLUMNS = `p.id, p.project_id, p.source_endpoint_id, p.target_endpoint_id, p.source_email, p.target_email, p.source_user,
  p.target_user, p.source_secret_sealed, p.target_secret_sealed, p.import_flags, p.batch_id,
  EXISTS (SELECT 1 FROM ledger_items li WHERE li.pair_id = p.id) AS has_ledger`;

function fromRow(row: ImportRow): StoredImportPair {
  return {
    id: String(row.id),
    projectId: row.project_id === null ? null : String(row.project_id),
    sourceEndpointId: String(row.source_endpoint_id),
    targetEndpointId: String(row.target_endpoint_id),
    sourceEmail: row.source_email,
    targetEmail: row.target_email,
    sourceUser: row.source_user,
    targetUser: row.target_user,
    sourceSecretSealed: row.source_secret_sealed,
    targetSecretSealed: row.target_secret_sealed,
    importFlags: row.import_flags,
    batchId: row.batch_id === null ? null : String(row.batch_id),
    hasLedger: row.has_ledger,
  };
}

/** Every mailbox pair of the project (one query); companion DAV pairs (projects/dav-pairs.ts) follow them and are left out. */
export async function listImportPairs(db: Db, projectId: string): Promise<StoredImportPair[]> {
  const { rows } = await db.query<ImportRow>(`SELECT ${COLUMNS} FROM pairs p WHERE p.project_id = $1 AND p.mailbox_pair_id IS NULL ORDER BY p.id`, [projectId]);
  return rows.map(fromRow);
}

/**
 * Pairs outside the project (in another project, or made by `cutover sync`) for the same endpoints and
 * login names as one of `logins` — the UNIQUE key of `pairs` lets one such pair exist at most.
 */
export async function findPairsOutsideProject(
  db: Db,
  projectId: string,
  sourceEndpointId: string,
  targetEndpointId: string,
  logins: ReadonlyArray<{ readonly sourceUser: string; readonly targetUser: string }>,
): Promise<StoredImportPair[]> {
  if (logins.length === 0) return [];
  const { rows } = await db.query<ImportRow>(
    `SELECT ${COLUMNS}
       FROM pairs p JOIN unnest($4::text[], $5::text[]) AS l(source_user, target_user)
         ON p.source_user = l.source_user AND p.target_user = l.target_user
      WHERE p.source_endpoint_id = $2 AND p.target_endpoint_id = $3 AND p.project_id IS DISTINCT FROM $1`,
    [projectId, sourceEndpointId, targetEndpointId, logins.map((l) => l.sourceUser), logins.map((l) => l.targetUser)],
  );
  return rows.map(fromRow);
}

function toJson(rows: ReadonlyArray<ImportPairWrite & { readonly id?: string }>): string {
  return JSON.stringify(rows.map((r) => ({
    id: r.id ?? null,
    source_endpoint_id: r.sourceEndpointId,
    target_endpoint_id: r.targetEndpointId,
    source_email: r.sourceEmail,
    target_email: r.targetEmail,
    source_user: r.sourceUser,
    target_user: r.targetUser,
    source_secret: r.sourceSecretSealed?.toString('base64') ?? null,
    target_secret: r.targetSecretSealed?.toString('base64') ?? null,
    import_flags: r.importFlags,
    batch_id: r.batchId,
  })));
}

const RECORDSET = `jsonb_to_recordset($2::jsonb) AS x(
  id bigint, source_endpoint_id bigint, target_endpoint_id bigint, source_email text, target_email text, source_user text,
  target_user text, source_secret text, target_secret text, import_flags text, batch_id bigint)`;

/** Rows per statement: keeps one JSON parameter a few MB at most. */
const CHUNK = 2000;

/** Inserts new pairs into the project (state idle); returns how many. */
export async function insertImportPairs(db: Db, projectId: string, rows: readonly ImportPairWrite[]): Promise<number> {
  let n = 0;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const { rowCount } = await db.query(
      `INSERT INTO pairs (project_id, source_endpoint_id, target_endpoint_id, source_email, target_email, source_user, target_user,
                          source_secret_sealed, target_secret_sealed, import_flags, batch_id)
       SELECT $1, x.source_endpoint_id, x.target_endpoint_id, x.source_email, x.target_email, x.source_user, x.target_user,
              decode(x.source_secret, 'base64'), decode(x.target_secret, 'base64'), x.import_flags, x.batch_id
         FROM ${RECORDSET}`,
      [projectId, toJson(rows.slice(i, i + CHUNK))],
    );
    n += rowCount ?? 0;
  }
  return n;
}

/** Rewrites the import columns of existing pairs (and moves pairs made by `cutover sync` into the project); returns how many. */
export async function updateImportPairs(db: Db, projectId: string, rows: ReadonlyArray<ImportPairWrite & { readonly id: string }>): Promise<number> {
  let n = 0;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const { rowCount } = await db.query(
      `UPDATE pairs p SET project_id = $1, source_endpoint_id = x.source_endpoint_id, target_endpoint_id = x.target_endpoint_id,
              source_email = x.source_email, target_email = x.target_email, source_user = x.source_user, target_user = x.target_user,
              source_secret_sealed = decode(x.source_secret, 'base64'), target_secret_sealed = decode(x.target_secret, 'base64'),
              import_flags = x.import_flags, batch_id = x.batch_id, updated_at = now()
         FROM ${RECORDSET}
        WHERE p.id = x.id AND (p.project_id = $1 OR p.project_id IS NULL)`,
      [projectId, toJson(rows.slice(i, i + CHUNK))],
    );
    n += rowCount ?? 0;
  }
  return n;
}

/** Takes the per-project import lock until the transaction ends: two imports into one project run one after the other. */
export async function lockProjectImport(db: Db, projectId: string): Promise<void> {
  await db.query('SELECT pg_advisory_xact_lock($1, $2)', [PROJECT_IMPORT_LOCK_CLASS, Number(projectId)]);
}

/** First key of the per-project import lock (advisory-locks.ts explains the two-int key space). */
export const PROJECT_IMPORT_LOCK_CLASS = 0x43757410;
