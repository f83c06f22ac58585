/**
 * What the orchestrator reads about a project's mailbox pairs: queue state, pause, target account
 * readiness (provider_accounts), the latest pass of each kind, recent pass outcomes, and when new mail
 * last reached the source after the cutover.
 */
import type { Db } from './db.ts';

/** The latest pass of one kind. */
export interface PairLastPass {
  readonly kind: string;
  readonly status: string;
  readonly startedAt: Date;
}

/** One pair as the orchestrator sees it. */
export interface PairFlowRow {
  readonly id: string;
  readonly state: string;
  readonly paused: boolean;
  readonly targetReady: boolean;
  readonly lastErrorCode: string | null;
  /** Statuses of the latest passes, newest first (up to 10). */
  readonly recentStatuses: readonly string[];
  readonly lastPasses: readonly PairLastPass[];
  /** Addresses for end-user notifications. */
  readonly targetEmail: string | null;
  readonly sourceEmail: string | null;
  readonly targetUser: string;
}

/** Every pair of the project with its passes summarised. */
export async function listPairFlow(db: Db, projectId: string): Promise<PairFlowRow[]> {
  const { rows } = await db.query<{
    id: string; state: string; paused: boolean; last_error_code: string | null; target_ready: boolean; recent: string[] | null;
    target_email: string | null; source_email: string | null; target_user: string;
  }>(
    `SELECT p.id, p.state, p.paused, p.last_error_code, COALESCE(pa.status = 'ready', false) AS target_ready,
            p.target_email, p.source_email, p.target_user,
            (SELECT array_agg(x.status ORDER BY x.started_at DESC)
               FROM (SELECT status, started_at FROM passes WHERE pair_id = p.id ORDER BY started_at DESC LIMIT 10) x) AS recent
       FROM pairs p LEFT JOIN provider_accounts pa ON pa.pair_id = p.id
      WHERE p.project_id = $1 ORDER BY p.id`,
    [projectId],
  );
  const { rows: last } = await db.query<{ pair_id: string; kind: string; status: string; started_at: Date }>(
    `SELECT DISTINCT ON (ps.pair_id, ps.kind) ps.pair_id, ps.kind, ps.status, ps.started_at
       FROM passes ps JOIN pairs p ON p.id = ps.pair_id
      WHERE p.project_id = $1 ORDER BY ps.pair_id, ps.kind, ps.started_at DESC`,
    [projectId],
  );
  const byPair = new Map<string, PairLastPass[]>();
  for (const r of last) {
    const list = byPair.get(String(r.pair_id)) ?? [];
    list.push({ kind: r.kind, status: r.status, startedAt: r.started_at });
    byPair.set(String(r.pair_id), list);
  }
  return rows.map((r) => ({
    id: String(r.id), state: r.state, paused: r.paused, targetReady: r.target_ready, lastErrorCode: r.last_error_code,
    recentStatuses: r.recent ?? [], lastPasses: byPair.get(String(r.id)) ?? [], targetEmail: r.target_email, sourceEmail: r.source_email, targetUser: r.target_user,
  }));
}

/**
 * Start of the latest final/delta/sweep pass at or after `since` (T) that copied at least one item:
 * mail that reached the source after the cutover. Null when none did.
 */
export async function lastNewMailAt(db: Db, projectId: string, since: Date): Promise<Date | null> {
  const { rows } = await db.query<{ at: Date | null }>(
    `SELECT max(ps.started_at) AS at FROM passes ps JOIN pairs p ON p.id = ps.pair_id
      WHERE p.project_id = $1 AND ps.started_at >= $2 AND ps.kind IN ('final', 'delta', 'sweep')
        AND COALESCE((ps.counts->>'copied')::bigint, 0) > 0`,
    [projectId, since],
  );
  return rows[0]?.at ?? null;
}
