/**
 * Target accounts as the provider left them, one row per mailbox pair: ready (created or found) or
 * failed with the reason. The reconciler starts full passes for ready pairs only.
 */
import type { Db } from './db.ts';

/** One pair's target account. */
export interface ProviderAccountRow {
  readonly pairId: string;
  readonly targetUser: string;
  readonly status: 'ready' | 'failed';
  readonly outcome: 'created' | 'exists' | 'failed';
  readonly errorCode: string | null;
  readonly errorText: string | null;
  readonly checkedAt: Date;
}

/** Stores (replaces) the result for a pair. */
export async function saveProviderAccount(db: Db, projectId: string, row: ProviderAccountRow): Promise<void> {
  await db.query(
    `INSERT INTO provider_accounts (pair_id, project_id, target_user, status, outcome, error_code, error_text, checked_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (pair_id) DO UPDATE SET target_user = EXCLUDED.target_user, status = EXCLUDED.status, outcome = EXCLUDED.outcome,
       error_code = EXCLUDED.error_code, error_text = EXCLUDED.error_text, checked_at = EXCLUDED.checked_at`,
    [row.pairId, projectId, row.targetUser, row.status, row.outcome, row.errorCode, row.errorText?.slice(0, 2000) ?? null, row.checkedAt],
  );
}

/** Every stored result of the project, by pair id. */
export async function listProviderAccounts(db: Db, projectId: string): Promise<ProviderAccountRow[]> {
  const { rows } = await db.query<{ pair_id: string; target_user: string; status: 'ready' | 'failed'; outcome: ProviderAccountRow['outcome']; error_code: string | null; error_text: string | null; checked_at: Date }>(
    'SELECT * FROM provider_accounts WHERE project_id = $1 ORDER BY pair_id',
    [projectId],
  );
  return rows.map((r) => ({ pairId: String(r.pair_id), targetUser: r.target_user, status: r.status, outcome: r.outcome, errorCode: r.error_code, errorText: r.error_text, checkedAt: r.checked_at }));
}
