/** Passes: one run of the sync engine over one pair, with its outcome and counts. */
import { emptyCounts, type PassCounts, type PassKind, type PassRecord, type PassStatus } from '../core/ledger.ts';
import type { Db } from './db.ts';

interface PassRow {
  id: string;
  pair_id: string;
  kind: PassKind;
  status: PassStatus;
  started_at: Date;
  finished_at: Date | null;
  counts: Partial<PassCounts>;
  worker: string | null;
  error_code: string | null;
  error_text: string | null;
}

function fromRow(row: PassRow): PassRecord {
  return {
    id: String(row.id),
    pairId: String(row.pair_id),
    kind: row.kind,
    status: row.status,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    counts: { ...emptyCounts(), ...row.counts },
    worker: row.worker,
    errorCode: row.error_code,
    errorText: row.error_text,
  };
}

/** Records a new pass as running. Call it while holding the pair lock, after `interruptStalePasses`. */
export async function startPass(db: Db, input: { pairId: string; kind: PassKind; worker: string | null; startedAt?: Date }): Promise<PassRecord> {
  // `startedAt` from the injected clock: the orchestrator compares it with its rounds (fake-clock mode).
  const { rows } = await db.query<PassRow>(
    `INSERT INTO passes (pair_id, kind, status, counts, worker, started_at) VALUES ($1, $2, 'running', $3, $4, COALESCE($5::timestamptz, now())) RETURNING *`,
    [input.pairId, input.kind, JSON.stringify(emptyCounts()), input.worker, input.startedAt ?? null],
  );
  return fromRow(rows[0] as PassRow);
}

/** Records how a pass ended. */
export async function finishPass(
  db: Db,
  passId: string,
  result: { status: PassStatus; counts: PassCounts; errorCode?: string | null; errorText?: string | null },
): Promise<void> {
  await db.query(
    'UPDATE passes SET status = $2, counts = $3, error_code = $4, error_text = $5, finished_at = now() WHERE id = $1',
    [passId, result.status, JSON.stringify(result.counts), result.errorCode ?? null, result.errorText ?? null],
  );
}

/** The latest passes of a pair, newest first. */
export async function listPasses(db: Db, pairId: string, limit: number): Promise<PassRecord[]> {
  const { rows } = await db.query<PassRow>('SELECT * FROM passes WHERE pair_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2', [pairId, limit]);
  return rows.map(fromRow);
}

/**
 * Marks passes of the pair still 'running' as 'interrupted'. Only sound while holding the pair lock: then
 * a running pass cannot be alive, it was left by a killed process. Returns how many were marked.
 */
export async function interruptStalePasses(db: Db, pairId: string): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE passes SET status = 'interrupted', finished_at = now(), error_code = COALESCE(error_code, 'PASS_INTERRUPTED'),
            error_text = COALESCE(error_text, 'the process running this pass stopped without finishing it')
      WHERE pair_id = $1 AND status = 'running'`,
    [pairId],
  );
  return rowCount ?? 0;
}

/** Progress of a running pass as the worker reports it (reports, the portal's bars). */
export interface PassProgressRecord {
  readonly itemsPlanned: number;
  readonly itemsDone: number;
  readonly bytesPlanned: number;
  readonly bytesDone: number;
}

/** Stores the progress of a running pass (`passes.progress`). */
export async function updatePassProgress(db: Db, passId: string, progress: PassProgressRecord): Promise<void> {
  await db.query('UPDATE passes SET progress = $2 WHERE id = $1', [passId, JSON.stringify(progress)]);
}
