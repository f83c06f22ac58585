/**
 * What the portal's live updates read (api/routes/events.routes.ts polls these about once a second):
 * a one-row-per-project overview (status, pair counts by state, open alerts), the pairs of one project
 * changed since a moment, and the progress that running passes report. Each is one small statement
 * over indexed columns, so a poll costs little even on a 5,000-pair project.
 */
import { toNumberStrict, type Db } from './db.ts';
import { isRowId } from './endpoint-settings.repository.ts';

/** A project as the projects list shows it live. */
export interface ProjectLiveRow {
  readonly id: string;
  readonly status: string;
  readonly paused: boolean;
  readonly cutoverAt: Date | null;
  readonly updatedAt: Date;
  readonly pairs: number;
  /** Pairs by state (only states that occur). */
  readonly byState: Readonly<Record<string, number>>;
  readonly openAlerts: number;
}

/** A pair's live fields. */
export interface PairLiveRow {
  readonly id: string;
  readonly state: string;
  readonly paused: boolean;
  readonly lastErrorCode: string | null;
  readonly lastErrorText: string | null;
  readonly lastPassAt: Date | null;
  /** Failed items (mail and calendar/contacts) in the ledger now. */
  readonly failedItems: number;
  readonly lastPassStatus: string | null;
  readonly updatedAt: Date;
}

/** The progress a running pass reported (`passes.progress`, written by the worker). */
export interface RunningPassRow {
  readonly pairId: string;
  readonly passId: string;
  readonly kind: string;
  readonly startedAt: Date;
  readonly progress: Readonly<Record<string, unknown>>;
  readonly counts: Readonly<Record<string, unknown>>;
}

/** Every project (or one) with its pair counts by state and open alerts. */
export async function projectLiveRows(db: Db, projectId?: string): Promise<ProjectLiveRow[]> {
  if (projectId !== undefined && !isRowId(projectId)) return [];
  const { rows } = await db.query<{
    id: string; status: string; paused: boolean; cutover_at: Date | null; updated_at: Date; by_state: Record<string, string> | null; open_alerts: string;
  }>(
    `SELECT p.id, p.status, p.paused, p.cutover_at, p.updated_at,
            (SELECT jsonb_object_agg(s.state, s.n) FROM (SELECT state, count(*) AS n FROM pairs WHERE project_id = p.id GROUP BY state) s) AS by_state,
            (SELECT count(*) FROM project_alerts a WHERE a.project_id = p.id AND a.status = 'open') AS open_alerts
       FROM projects p
      WHERE $1::bigint IS NULL OR p.id = $1
      ORDER BY p.id`,
    [projectId ?? null],
  );
  return rows.map((r) => {
    const byState = Object.fromEntries(Object.entries(r.by_state ?? {}).map(([k, v]) => [k, Number(v)]));
    return {
      id: String(r.id), status: r.status, paused: r.paused, cutoverAt: r.cutover_at, updatedAt: r.updated_at,
      pairs: Object.values(byState).reduce((a, b) => a + b, 0), byState, openAlerts: toNumberStrict(r.open_alerts),
    };
  });
}

/** Pairs of a project whose row changed at or after `since` (all of them when since is null), oldest change first. */
export async function pairsChangedSince(db: Db, projectId: string, since: Date | null, limit = 5000): Promise<PairLiveRow[]> {
  if (!isRowId(projectId)) return [];
  const { rows } = await db.query<{
    id: string; state: string; paused: boolean; last_error_code: string | null; last_error_text: string | null; last_pass_at: Date | null; updated_at: Date;
    failed_items: string; last_pass_status: string | null;
  }>(
    `SELECT id, state, paused, last_error_code, last_error_text, last_pass_at, updated_at,
            (SELECT count(*) FROM ledger_items li WHERE li.pair_id = pairs.id AND li.state = 'failed')
              + (SELECT count(*) FROM dav_items di WHERE di.pair_id = pairs.id AND di.state = 'failed') AS failed_items,
            (SELECT pa.status FROM passes pa WHERE pa.pair_id = pairs.id ORDER BY pa.started_at DESC, pa.id DESC LIMIT 1) AS last_pass_status
       FROM pairs WHERE project_id = $1 AND ($2::timestamptz IS NULL OR updated_at >= $2)
      ORDER BY updated_at, id LIMIT $3`,
    [projectId, since, limit],
  );
  return rows.map((r) => ({
    id: String(r.id), state: r.state, paused: r.paused, lastErrorCode: r.last_error_code, lastErrorText: r.last_error_text,
    lastPassAt: r.last_pass_at, failedItems: Number(r.failed_items), lastPassStatus: r.last_pass_status, updatedAt: r.updated_at,
  }));
}

/** The running passes of a project's pairs with the progress they reported. */
export async function runningPasses(db: Db, projectId: string): Promise<RunningPassRow[]> {
  if (!isRowId(projectId)) return [];
  const { rows } = await db.query<{ pair_id: string; id: string; kind: string; started_at: Date; progress: Record<string, unknown>; counts: Record<string, unknown> }>(
    `SELECT pa.pair_id, pa.id, pa.kind, pa.started_at, pa.progress, pa.counts
       FROM passes pa JOIN pairs p ON p.id = pa.pair_id
      WHERE p.project_id = $1 AND pa.status = 'running'`,
    [projectId],
  );
  return rows.map((r) => ({ pairId: String(r.pair_id), passId: String(r.id), kind: r.kind, startedAt: r.started_at, progress: r.progress ?? {}, counts: r.counts ?? {} }));
}
