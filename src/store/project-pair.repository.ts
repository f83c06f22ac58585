/**
 * The mailbox pairs of projects: the `pairs` rows with a project, their batch, addresses, state and
 * per-account passwords (sealed; see core/secret-box.ts). Reads meant for the API (`ProjectPair`)
 * never carry a secret, only whether one is stored; the sealed columns are read by the import (to
 * compare) and by `loadPairRef` (to log in) through their own functions.
 */
import { AppError } from '../core/app-error.ts';
import { toNumberStrict, type Db } from './db.ts';
import { ENDPOINT_SETTINGS_COLUMNS, endpointSettingsFromRow, isRowId, type EndpointSettingsRecord, type EndpointSettingsRow } from './endpoint-settings.repository.ts';

/** Where a pair stands. `paused` and `stopped` are set by people, the rest by the queue and workers. */
export type PairState = 'idle' | 'queued' | 'running' | 'paused' | 'stopped' | 'failed' | 'completed';

/** Every pair state, in flow order. */
export const PAIR_STATES: readonly PairState[] = ['idle', 'queued', 'running', 'paused', 'stopped', 'failed', 'completed'];

/** A mailbox pair of a project, as the API shows it (no secret). */
export interface ProjectPair {
  readonly id: string;
  readonly projectId: string | null;
  readonly batchId: string | null;
  readonly batchName: string | null;
  readonly sourceEndpointId: string;
  readonly targetEndpointId: string;
  readonly sourceEmail: string | null;
  readonly targetEmail: string | null;
  /** Login names. */
  readonly sourceUser: string;
  readonly targetUser: string;
  readonly state: PairState;
  readonly paused: boolean;
  readonly hasSourcePassword: boolean;
  readonly hasTargetPassword: boolean;
  /** The MigrationWiz "Flags" column as imported. */
  readonly importFlags: string | null;
  readonly lastErrorCode: string | null;
  readonly lastErrorText: string | null;
  readonly lastPassAt: Date | null;
  /** Items of the pair (mail and calendar/contacts) the ledger holds as failed now. */
  readonly failedItems: number;
  /** Status of the pair's latest pass (`completed_with_errors` …), or null before its first. */
  readonly lastPassStatus: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** Columns `listProjectPairs` sorts by; a leading `-` sorts descending. */
export type PairSortField = 'id' | 'source' | 'target' | 'state' | 'batch' | 'lastPassAt';
/** A sort order of `listProjectPairs`. */
export type PairSort = PairSortField | `-${PairSortField}`;

/** Filters and paging of `listProjectPairs`. */
export interface PairListQuery {
  readonly batchId?: string;
  readonly state?: PairState;
  /** Part of an address or login name, case-insensitive. */
  readonly search?: string;
  readonly sort?: PairSort;
  readonly limit: number;
  readonly offset: number;
}

const SORT_COLUMNS: Readonly<Record<PairSortField, string>> = {
  id: 'p.id',
  source: 'lower(coalesce(p.source_email, p.source_user))',
  target: 'lower(coalesce(p.target_email, p.target_user))',
  state: 'p.state',
  batch: 'b.name',
  lastPassAt: 'p.last_pass_at',
};

const MAX_PAGE = 10_000;

interface PairRow {
  id: string;
  project_id: string | null;
  batch_id: string | null;
  batch_name: string | null;
  source_endpoint_id: string;
  target_endpoint_id: string;
  source_email: string | null;
  target_email: string | null;
  source_user: string;
  target_user: string;
  state: PairState;
  paused: boolean;
  has_source_password: boolean;
  has_target_password: boolean;
  import_flags: string | null;
  last_error_code: string | null;
  last_error_text: string | null;
  last_pass_at: Date | null;
  failed_items: string;
  last_pass_status: string | null;
  created_at: Date;
  updated_at: Date;
}

// Per-row look-ups use the partial (pair_id, state) indexes of failed items and passes_pair_idx; they
// are evaluated only for the page's rows, so a page of a 5,000-pair project stays a few milliseconds.
const PAIR_COLUMNS = `p.id, p.project_id, p.batch_id, b.name AS batch_name, p.source_endpoint_id, p.target_endpoint_id,
  p.source_email, p.target_email, p.source_user, p.target_user, p.state, p.paused,
  p.source_secret_sealed IS NOT NULL AS has_source_password, p.target_secret_sealed IS NOT NULL AS has_target_password,
  p.import_flags, p.last_error_code, p.last_error_text, p.last_pass_at, p.created_at, p.updated_at,
  (SELECT count(*) FROM ledger_items li WHERE li.pair_id = p.id AND li.state = 'failed')
    + (SELECT count(*) FROM dav_items di WHERE di.pair_id = p.id AND di.state = 'failed') AS failed_items,
  (SELECT pa.status FROM passes pa WHERE pa.pair_id = p.id ORDER BY pa.started_at DESC, pa.id DESC LIMIT 1) AS last_pass_status`;

function fromRow(row: PairRow): ProjectPair {
  const id = (v: string | null): string | null => (v === null ? null : String(v));
  return {
    id: String(row.id),
    projectId: id(row.project_id),
    batchId: id(row.batch_id),
    batchName: row.batch_name,
    sourceEndpointId: String(row.source_endpoint_id),
    targetEndpointId: String(row.target_endpoint_id),
    sourceEmail: row.source_email,
    targetEmail: row.target_email,
    sourceUser: row.source_user,
    targetUser: row.target_user,
    state: row.state,
    paused: row.paused,
    hasSourcePassword: row.has_source_password,
    hasTargetPassword: row.has_target_password,
    importFlags: row.import_flags,
    lastErrorCode: row.last_error_code,
    lastErrorText: row.last_error_text,
    lastPassAt: row.last_pass_at,
    failedItems: toNumberStrict(row.failed_items),
    lastPassStatus: row.last_pass_status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function sortClause(sort: PairSort | undefined): string {
  const desc = sort?.startsWith('-') ?? false;
  const field = (desc ? sort?.slice(1) : sort) as PairSortField | undefined;
  const column = field && Object.hasOwn(SORT_COLUMNS, field) ? SORT_COLUMNS[field] : SORT_COLUMNS.id;
  return `${column} ${desc ? 'DESC' : 'ASC'} NULLS LAST, p.id ${desc ? 'DESC' : 'ASC'}`;
}

/** Escapes LIKE wildcards so a search for `a_b` finds that text only. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** One page of a project's pairs and how many match in all (one query, `count(*) OVER ()`). */
export async function listProjectPairs(db: Db, projectId: string, query: PairListQuery): Promise<{ pairs: ProjectPair[]; total: number }> {
  if (!isRowId(projectId) || (query.batchId !== undefined && !isRowId(query.batchId))) return { pairs: [], total: 0 };
  const limit = Math.max(0, Math.min(MAX_PAGE, Math.trunc(query.limit)));
  const offset = Math.max(0, Math.trunc(query.offset));
  const search = query.search?.trim() ? likePattern(query.search.trim()) : null;
  const { rows } = await db.query<PairRow & { total: string }>(
    `SELECT ${PAIR_COLUMNS}, count(*) OVER () AS total
       FROM pairs p LEFT JOIN batches b ON b.id = p.batch_id
      WHERE p.project_id = $1
        AND ($2::bigint IS NULL OR p.batch_id = $2)
        AND ($3::text IS NULL OR p.state = $3)
        AND ($4::text IS NULL OR p.source_email ILIKE $4 OR p.target_email ILIKE $4 OR p.source_user ILIKE $4 OR p.target_user ILIKE $4)
      ORDER BY ${sortClause(query.sort)}
      LIMIT $5 OFFSET $6`,
    [projectId, query.batchId ?? null, query.state ?? null, search, limit, offset],
  );
  if (rows.length === 0 && offset > 0) {
    // The page is past the end: count without it so the caller still learns the total.
    const { rows: count } = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM pairs p
        WHERE p.project_id = $1 AND ($2::bigint IS NULL OR p.batch_id = $2) AND ($3::text IS NULL OR p.state = $3)
          AND ($4::text IS NULL OR p.source_email ILIKE $4 OR p.target_email ILIKE $4 OR p.source_user ILIKE $4 OR p.target_user ILIKE $4)`,
      [projectId, query.batchId ?? null, query.state ?? null, search],
    );
    return { pairs: [], total: toNumberStrict(count[0]?.n ?? '0') };
  }
  return { pairs: rows.map(fromRow), total: rows[0] ? toNumberStrict(rows[0].total) : 0 };
}

/** One pair (of a project or not), or null. */
export async function getProjectPair(db: Db, pairId: string): Promise<ProjectPair | null> {
  if (!isRowId(pairId)) return null;
  const { rows } = await db.query<PairRow>(`SELECT ${PAIR_COLUMNS} FROM pairs p LEFT JOIN batches b ON b.id = p.batch_id WHERE p.id = $1`, [pairId]);
  return rows[0] ? fromRow(rows[0]) : null;
}

function notFound(pairId: string): AppError {
  return new AppError('PAIR_NOT_FOUND', `no mailbox pair ${pairId}`, { details: { pairId } });
}

/**
 * Sets a pair's state. `error`: an object records it as the last error, null clears the last error,
 * absent keeps it. `running` also stamps `last_pass_at`. PAIR_NOT_FOUND.
 */
export async function setPairState(db: Db, pairId: string, state: PairState, error?: { code: string; text: string } | null): Promise<void> {
  if (!PAIR_STATES.includes(state)) throw new AppError('INTERNAL', `unknown pair state ${String(state)}`);
  if (!isRowId(pairId)) throw notFound(pairId);
  const { rowCount } = await db.query(
    `UPDATE pairs SET state = $2,
            last_error_code = CASE WHEN $3 THEN $4 ELSE last_error_code END,
            last_error_text = CASE WHEN $3 THEN $5 ELSE last_error_text END,
            last_pass_at = CASE WHEN $2 = 'running' THEN now() ELSE last_pass_at END,
            updated_at = now()
      WHERE id = $1`,
    [pairId, state, error !== undefined, error?.code ?? null, error?.text ?? null],
  );
  if (!rowCount) throw notFound(pairId);
}

/**
 * Records the state a worker reached with the pair (`completed`, `failed`, `queued` when handed back)
 * unless someone stopped or paused the pair meanwhile: then it stays `stopped` / `paused`. One
 * statement, so a stop that lands while the pass finishes is never overwritten by the worker's write.
 * The error is recorded either way. Returns the state the pair has now. PAIR_NOT_FOUND.
 */
export async function settlePairState(db: Db, pairId: string, state: PairState, error?: { code: string; text: string } | null): Promise<PairState> {
  if (!PAIR_STATES.includes(state)) throw new AppError('INTERNAL', `unknown pair state ${String(state)}`);
  if (!isRowId(pairId)) throw notFound(pairId);
  const { rows } = await db.query<{ state: PairState }>(
    `UPDATE pairs SET state = CASE WHEN paused THEN 'paused' WHEN state = 'stopped' THEN 'stopped' ELSE $2 END,
            last_error_code = CASE WHEN $3 THEN $4 ELSE last_error_code END,
            last_error_text = CASE WHEN $3 THEN $5 ELSE last_error_text END,
            updated_at = now()
      WHERE id = $1
      RETURNING state`,
    [pairId, state, error !== undefined, error?.code ?? null, error?.text ?? null],
  );
  if (!rows[0]) throw notFound(pairId);
  return rows[0].state;
}

/**
 * Marks a pair `running` unless someone stopped or paused it since the worker looked (one statement,
 * so a stop that lands between the worker's check and the start is never overwritten). Returns false
 * when the pair is held.
 */
export async function markPairRunning(db: Db, pairId: string): Promise<boolean> {
  if (!isRowId(pairId)) throw notFound(pairId);
  const { rowCount } = await db.query(
    `UPDATE pairs SET state = 'running', last_error_code = NULL, last_error_text = NULL, last_pass_at = now(), updated_at = now()
      WHERE id = $1 AND state <> 'stopped' AND NOT paused`,
    [pairId],
  );
  return (rowCount ?? 0) > 0;
}

/** Sets the pause switch of a pair (its state is the caller's business). PAIR_NOT_FOUND. */
export async function setPairPaused(db: Db, pairId: string, paused: boolean): Promise<void> {
  if (!isRowId(pairId)) throw notFound(pairId);
  const { rowCount } = await db.query('UPDATE pairs SET paused = $2, updated_at = now() WHERE id = $1', [pairId, paused]);
  if (!rowCount) throw notFound(pairId);
}

/** A pair with both endpoints and every sealed secret: what `loadPairRef` needs to log in. */
export interface PairCredentials {
  readonly id: string;
  readonly projectId: string | null;
  readonly sourceUser: string;
  readonly targetUser: string;
  readonly sourceSecretSealed: Buffer | null;
  readonly targetSecretSealed: Buffer | null;
  readonly source: EndpointSettingsRecord;
  readonly target: EndpointSettingsRecord;
}

interface CredentialsRow {
  id: string;
  project_id: string | null;
  source_user: string;
  target_user: string;
  source_secret_sealed: Buffer | null;
  target_secret_sealed: Buffer | null;
  /** The endpoint columns, prefixed `se_` and `te_`. */
  [column: string]: unknown;
}

/** The pair's login data with both endpoint rows (one query), or null. */
export async function getPairCredentials(db: Db, pairId: string): Promise<PairCredentials | null> {
  if (!isRowId(pairId)) return null;
  const endpointColumns = (alias: string): string => ENDPOINT_SETTINGS_COLUMNS.map((c) => `${alias}.${c} AS ${alias}_${c}`).join(', ');
  const { rows } = await db.query<CredentialsRow>(
    `SELECT p.id, p.project_id, p.source_user, p.target_user, p.source_secret_sealed, p.target_secret_sealed,
            ${endpointColumns('se')}, ${endpointColumns('te')}
       FROM pairs p JOIN endpoints se ON se.id = p.source_endpoint_id JOIN endpoints te ON te.id = p.target_endpoint_id
      WHERE p.id = $1`,
    [pairId],
  );
  const row = rows[0];
  if (!row) return null;
  const endpoint = (alias: string): EndpointSettingsRecord =>
    endpointSettingsFromRow(Object.fromEntries(ENDPOINT_SETTINGS_COLUMNS.map((c) => [c, row[`${alias}_${c}`]])) as unknown as EndpointSettingsRow);
  return {
    id: String(row.id),
    projectId: row.project_id === null ? null : String(row.project_id),
    sourceUser: row.source_user,
    targetUser: row.target_user,
    sourceSecretSealed: row.source_secret_sealed,
    targetSecretSealed: row.target_secret_sealed,
    source: endpoint('se'),
    target: endpoint('te'),
  };
}
