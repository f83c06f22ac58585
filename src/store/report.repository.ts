/**
 * The SQL of reports (projects/reports.ts): per-pair figures for one pair or a whole project in one
 * statement (ledger and passes aggregated in SQL, so 5,000 pairs cost one round trip, not 5,000), the
 * project's recent throughput, and failed items with what a person needs to find them.
 */
import { toNumberStrict, type Db } from './db.ts';
import { isRowId } from './endpoint-settings.repository.ts';
import type { PairState } from './project-pair.repository.ts';

/** One pair's figures, flat (one CSV row). */
export interface PairReportRow {
  readonly pairId: string;
  readonly projectId: string | null;
  readonly batchId: string | null;
  readonly batchName: string | null;
  readonly sourceEmail: string | null;
  readonly targetEmail: string | null;
  readonly sourceUser: string;
  readonly targetUser: string;
  readonly state: PairState;
  readonly paused: boolean;
  /** Passes run, and the latest one. */
  readonly passes: number;
  readonly lastPassKind: string | null;
  readonly lastPassStatus: string | null;
  readonly lastPassStartedAt: Date | null;
  readonly lastPassFinishedAt: Date | null;
  /** Ledger items by state. */
  readonly migrated: number;
  readonly excluded: number;
  readonly failed: number;
  readonly inDoubt: number;
  /** Bytes of the migrated items. */
  readonly bytes: number;
  /** Bytes of items migrated inside the report's recent window. */
  readonly recentBytes: number;
  readonly recentItems: number;
  /** Copy rate of the finished passes that copied anything: bytes and messages per second of pass time. */
  readonly bytesPerSecond: number | null;
  readonly itemsPerSecond: number | null;
  /** Progress a running pass reported (passes.progress), if any. */
  readonly runningBytesPlanned: number | null;
  readonly runningBytesDone: number | null;
  /** The pair's last error, else the last pass's. */
  readonly lastErrorCode: string | null;
  readonly lastErrorText: string | null;
}

interface ReportRow {
  id: string;
  project_id: string | null;
  batch_id: string | null;
  batch_name: string | null;
  source_email: string | null;
  target_email: string | null;
  source_user: string;
  target_user: string;
  state: PairState;
  paused: boolean;
  passes: string;
  last_kind: string | null;
  last_status: string | null;
  last_started_at: Date | null;
  last_finished_at: Date | null;
  migrated: string;
  excluded: string;
  failed: string;
  in_doubt: string;
  bytes: string;
  recent_bytes: string;
  recent_items: string;
  pass_bytes: string;
  pass_copied: string;
  pass_seconds: number;
  running_bytes_planned: string | null;
  running_bytes_done: string | null;
  last_error_code: string | null;
  last_error_text: string | null;
}

const num = (v: string | number | null): number => (v === null ? 0 : toNumberStrict(typeof v === 'number' ? Math.round(v) : v));
const numOrNull = (v: string | null): number | null => (v === null ? null : Number(v));

function fromRow(row: ReportRow): PairReportRow {
  const seconds = Number(row.pass_seconds);
  return {
    pairId: String(row.id),
    projectId: row.project_id === null ? null : String(row.project_id),
    batchId: row.batch_id === null ? null : String(row.batch_id),
    batchName: row.batch_name,
    sourceEmail: row.source_email,
    targetEmail: row.target_email,
    sourceUser: row.source_user,
    targetUser: row.target_user,
    state: row.state,
    paused: row.paused,
    passes: num(row.passes),
    lastPassKind: row.last_kind,
    lastPassStatus: row.last_status,
    lastPassStartedAt: row.last_started_at,
    lastPassFinishedAt: row.last_finished_at,
    migrated: num(row.migrated),
    excluded: num(row.excluded),
    failed: num(row.failed),
    inDoubt: num(row.in_doubt),
    bytes: num(row.bytes),
    recentBytes: num(row.recent_bytes),
    recentItems: num(row.recent_items),
    bytesPerSecond: seconds > 0 ? Math.round(num(row.pass_bytes) / seconds) : null,
    itemsPerSecond: seconds > 0 ? Math.round((num(row.pass_copied) / seconds) * 100) / 100 : null,
    runningBytesPlanned: numOrNull(row.running_bytes_planned),
    runningBytesDone: numOrNull(row.running_bytes_done),
    lastErrorCode: row.last_error_code,
    lastErrorText: row.last_error_text,
  };
}

// One row per pair; LATERAL subqueries read each pair's ledger and passes through their pair_id indexes,
// so the cost follows the project's own rows whatever else the database holds.
const REPORT_SQL = `
SELECT sel.id, sel.project_id, sel.batch_id, b.name AS batch_name, sel.source_email, sel.target_email, sel.source_user, sel.target_user,
       sel.state, sel.paused,
       pass_agg.passes, last_pass.kind AS last_kind, last_pass.status AS last_status,
       last_pass.started_at AS last_started_at, last_pass.finished_at AS last_finished_at,
       items.migrated, items.excluded, items.failed, items.in_doubt, items.bytes, items.recent_bytes, items.recent_items,
       pass_agg.pass_bytes, pass_agg.pass_copied, pass_agg.pass_seconds,
       CASE WHEN last_pass.status = 'running' AND jsonb_typeof(last_pass.progress->'bytesPlanned') = 'number'
            THEN (last_pass.progress->>'bytesPlanned') END AS running_bytes_planned,
       CASE WHEN last_pass.status = 'running' AND jsonb_typeof(last_pass.progress->'bytesDone') = 'number'
            THEN (last_pass.progress->>'bytesDone') END AS running_bytes_done,
       coalesce(sel.last_error_code, CASE WHEN sel.state <> 'completed' THEN last_pass.error_code END) AS last_error_code,
       CASE WHEN sel.last_error_code IS NOT NULL THEN sel.last_error_text
            WHEN sel.state <> 'completed' THEN last_pass.error_text END AS last_error_text
  FROM pairs sel
  LEFT JOIN batches b ON b.id = sel.batch_id
  CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE li.state = 'migrated') AS migrated,
           count(*) FILTER (WHERE li.state = 'excluded') AS excluded,
           count(*) FILTER (WHERE li.state = 'failed') AS failed,
           count(*) FILTER (WHERE li.state = 'in_doubt') AS in_doubt,
           coalesce(sum(li.size) FILTER (WHERE li.state = 'migrated'), 0) AS bytes,
           coalesce(sum(li.size) FILTER (WHERE li.state = 'migrated' AND li.updated_at >= $3), 0) AS recent_bytes,
           count(*) FILTER (WHERE li.state = 'migrated' AND li.updated_at >= $3) AS recent_items
      FROM (SELECT l.state, l.size, l.updated_at FROM ledger_items l WHERE l.pair_id = sel.id
            UNION ALL
            -- calendar and contact items of a DAV pair count like messages
            SELECT d.state, d.size, d.updated_at FROM dav_items d WHERE d.pair_id = sel.id) li
  ) items
  CROSS JOIN LATERAL (
    SELECT count(*) AS passes,
           coalesce(sum(coalesce((pa.counts->>'bytes')::bigint, 0)) FILTER (WHERE pa.moved), 0) AS pass_bytes,
           coalesce(sum(coalesce((pa.counts->>'copied')::bigint, 0)) FILTER (WHERE pa.moved), 0) AS pass_copied,
           coalesce(sum(extract(epoch FROM pa.finished_at - pa.started_at)) FILTER (WHERE pa.moved), 0)::float8 AS pass_seconds
      FROM (SELECT p2.*, p2.finished_at IS NOT NULL AND p2.kind <> 'verify' AND coalesce((p2.counts->>'copied')::bigint, 0) > 0 AS moved
              FROM passes p2 WHERE p2.pair_id = sel.id) pa
  ) pass_agg
  LEFT JOIN LATERAL (
    SELECT pa.kind, pa.status, pa.started_at, pa.finished_at, pa.error_code, pa.error_text, pa.progress
      FROM passes pa WHERE pa.pair_id = sel.id ORDER BY pa.started_at DESC, pa.id DESC LIMIT 1
  ) last_pass ON true
 WHERE ($1::bigint IS NOT NULL AND sel.project_id = $1) OR ($2::bigint IS NOT NULL AND sel.id = $2)
 ORDER BY sel.id`;

/** Figures of every pair of a project (one statement). `recentSince` starts the recent-throughput window. */
export async function projectPairReportRows(db: Db, projectId: string, recentSince: Date): Promise<PairReportRow[]> {
  if (!isRowId(projectId)) return [];
  const { rows } = await db.query<ReportRow>(REPORT_SQL, [projectId, null, recentSince]);
  return rows.map(fromRow);
}

/** Figures of one pair, or null. */
export async function pairReportRow(db: Db, pairId: string, recentSince: Date): Promise<PairReportRow | null> {
  if (!isRowId(pairId)) return null;
  const { rows } = await db.query<ReportRow>(REPORT_SQL, [null, pairId, recentSince]);
  return rows[0] ? fromRow(rows[0]) : null;
}

/** When the project's first pass started (null before any); bounds the throughput window of a young project. */
export async function firstPassStartedAt(db: Db, projectId: string): Promise<Date | null> {
  if (!isRowId(projectId)) return null;
  const { rows } = await db.query<{ first: Date | null }>(
    'SELECT min(pa.started_at) AS first FROM passes pa JOIN pairs p ON p.id = pa.pair_id WHERE p.project_id = $1',
    [projectId],
  );
  return rows[0]?.first ?? null;
}

/** One failed item, flat (one CSV row). */
export interface FailedItemRow {
  readonly pairId: string;
  readonly sourceEmail: string | null;
  readonly targetEmail: string | null;
  readonly folder: string;
  readonly uidValidity: number;
  readonly uid: number;
  readonly subject: string | null;
  /** The message's INTERNALDATE. */
  readonly date: Date;
  readonly size: number;
  readonly reasonCode: string | null;
  readonly reasonText: string | null;
  readonly attempts: number;
  readonly lastTriedAt: Date;
}

/** Filter and paging of `failedItems`; without projectId and pairId every project's failed items. */
export interface FailedItemQuery {
  readonly projectId?: string;
  readonly pairId?: string;
  readonly limit: number;
  readonly offset: number;
}

interface FailedRow {
  pair_id: string;
  source_email: string | null;
  target_email: string | null;
  source_folder: string;
  uidvalidity: string;
  uid: string;
  subject: string | null;
  internal_date: Date;
  size: string;
  reason_code: string | null;
  reason_text: string | null;
  attempts: number;
  updated_at: Date;
  total: string;
}

const FAILED_SQL = `
SELECT li.pair_id, p.source_email, p.target_email, li.source_folder, li.uidvalidity, li.uid, li.subject, li.internal_date, li.size,
       li.reason_code, li.reason_text, li.attempts, li.updated_at, NULL::text AS href
  FROM ledger_items li JOIN pairs p ON p.id = li.pair_id
 WHERE li.state = 'failed' AND ($1::bigint IS NULL OR p.project_id = $1) AND ($2::bigint IS NULL OR li.pair_id = $2)
UNION ALL
SELECT di.pair_id, p.source_email, p.target_email, di.source_collection, 0, 0, di.summary, di.updated_at, di.size,
       di.reason_code, di.reason_text, di.attempts, di.updated_at, di.source_href
  FROM dav_items di JOIN pairs p ON p.id = di.pair_id
 WHERE di.state = 'failed' AND ($1::bigint IS NULL OR p.project_id = $1) AND ($2::bigint IS NULL OR di.pair_id = $2)`;

/** A page of failed items (by pair, folder, UID) and how many there are in all. */
export async function failedItemRows(db: Db, query: FailedItemQuery): Promise<{ items: FailedItemRow[]; total: number }> {
  if ((query.projectId !== undefined && !isRowId(query.projectId)) || (query.pairId !== undefined && !isRowId(query.pairId))) return { items: [], total: 0 };
  // Mail items and DAV items (folder = collection path, subject = summary, UIDVALIDITY/UID 0, date = last try).
  const { rows } = await db.query<FailedRow>(
    `SELECT f.*, count(*) OVER () AS total FROM (${FAILED_SQL}) f
      ORDER BY f.pair_id, f.source_folder, f.uidvalidity, f.uid, f.href
      LIMIT $3 OFFSET $4`,
    [query.projectId ?? null, query.pairId ?? null, Math.max(0, Math.min(10_000, Math.trunc(query.limit))), Math.max(0, Math.trunc(query.offset))],
  );
  let total = rows[0] ? toNumberStrict(rows[0].total) : 0;
  if (rows.length === 0 && query.offset > 0) {
    const { rows: count } = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM (${FAILED_SQL}) f`,
      [query.projectId ?? null, query.pairId ?? null],
    );
    total = toNumberStrict(count[0]?.n ?? '0');
  }
  return {
    items: rows.map((r) => ({
      pairId: String(r.pair_id),
      sourceEmail: r.source_email,
      targetEmail: r.target_email,
      folder: r.source_folder,
      uidValidity: toNumberStrict(r.uidvalidity),
      uid: toNumberStrict(r.uid),
      subject: r.subject,
      date: r.internal_date,
      size: toNumberStrict(r.size),
      reasonCode: r.reason_code,
      reasonText: r.reason_text,
      attempts: toNumberStrict(r.attempts),
      lastTriedAt: r.updated_at,
    })),
    total,
  };
}
