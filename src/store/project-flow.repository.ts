/**
 * The orchestration state of a project (migration 0004): its status with compare-and-set changes,
 * placement, holds, the cutover time, one-time events (rounds, holds, notifications) and the DNS
 * results of its domains. The project row itself belongs to project.repository.ts.
 */
import type { Db } from './db.ts';
import { isRowId } from './endpoint-settings.repository.ts';

/** The orchestration columns of a project row. */
export interface ProjectFlowRow {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly heldFrom: string | null;
  readonly statusReason: string | null;
  readonly statusChangedAt: Date;
  readonly placedAt: Date | null;
  readonly cutoverAt: Date | null;
  readonly timeZone: string;
  readonly domains: readonly string[];
  readonly paused: boolean;
  readonly verificationToken: string | null;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly targetEndpointId: string | null;
}

interface Row {
  id: string;
  name: string;
  status: string;
  held_from: string | null;
  status_reason: string | null;
  status_changed_at: Date;
  placed_at: Date | null;
  cutover_at: Date | null;
  time_zone: string;
  domains: string[];
  paused: boolean;
  verification_token: string | null;
  settings: Record<string, unknown>;
  target_endpoint_id: string | null;
}

/** The orchestration view of a project, or null. */
export async function getProjectFlow(db: Db, projectId: string): Promise<ProjectFlowRow | null> {
  if (!isRowId(projectId)) return null;
  const { rows } = await db.query<Row>('SELECT * FROM projects WHERE id = $1', [projectId]);
  const r = rows[0];
  if (!r) return null;
  return {
    id: String(r.id), name: r.name, status: r.status, heldFrom: r.held_from, statusReason: r.status_reason, statusChangedAt: r.status_changed_at,
    placedAt: r.placed_at, cutoverAt: r.cutover_at, timeZone: r.time_zone, domains: r.domains, paused: r.paused,
    verificationToken: r.verification_token, settings: r.settings, targetEndpointId: r.target_endpoint_id === null ? null : String(r.target_endpoint_id),
  };
}

/** Ids of projects the periodic tick reconciles (placed, not ended). */
export async function listActiveProjectIds(db: Db): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(`SELECT id FROM projects WHERE status NOT IN ('draft', 'cancelled') AND placed_at IS NOT NULL ORDER BY id`);
  return rows.map((r) => String(r.id));
}

/** Records the placement (once: only while the project is a draft never placed). True when it applied. */
export async function setPlaced(db: Db, projectId: string, placedAt: Date, token: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE projects SET placed_at = $2, verification_token = $3, updated_at = $2 WHERE id = $1 AND status = 'draft' AND placed_at IS NULL`,
    [projectId, placedAt, token],
  );
  return rowCount === 1;
}

/**
 * Changes the status when it is still `from` (compare-and-set: a second apply, or a concurrent one, is
 * a no-op). `heldFrom` is stored (on_hold) or cleared (any other status). True when it applied.
 */
export async function changeStatus(db: Db, projectId: string, change: { from: string; to: string; at: Date; reason?: string | null; heldFrom?: string | null }): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE projects SET status = $3, held_from = $4, status_reason = $5, status_changed_at = $6, updated_at = $6
      WHERE id = $1 AND status = $2`,
    [projectId, change.from, change.to, change.heldFrom ?? null, change.reason ?? null, change.at],
  );
  return rowCount === 1;
}

/** Moves T when it is still `from` (compare-and-set). True when it applied. */
export async function moveCutoverTime(db: Db, projectId: string, from: Date, to: Date, at: Date): Promise<boolean> {
  const { rowCount } = await db.query('UPDATE projects SET cutover_at = $3, updated_at = $4 WHERE id = $1 AND cutover_at = $2', [projectId, from, to, at]);
  return rowCount === 1;
}

/** One orchestrator event. */
export interface OrchestratorEvent {
  readonly key: string;
  readonly kind: 'round' | 'hold' | 'notification' | 'event';
  readonly passKind: string | null;
  readonly at: Date;
}

/** Records an event once; true when this call recorded it (false: it existed, its time unchanged). */
export async function recordEvent(db: Db, projectId: string, event: OrchestratorEvent): Promise<boolean> {
  const { rowCount } = await db.query(
    'INSERT INTO orchestrator_events (project_id, key, kind, pass_kind, at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (project_id, key) DO NOTHING',
    [projectId, event.key, event.kind, event.passKind, event.at],
  );
  return rowCount === 1;
}

/** Every event of the project, oldest first. */
export async function listEvents(db: Db, projectId: string): Promise<OrchestratorEvent[]> {
  const { rows } = await db.query<{ key: string; kind: OrchestratorEvent['kind']; pass_kind: string | null; at: Date }>(
    'SELECT key, kind, pass_kind, at FROM orchestrator_events WHERE project_id = $1 ORDER BY at, key',
    [projectId],
  );
  return rows.map((r) => ({ key: r.key, kind: r.kind, passKind: r.pass_kind, at: r.at }));
}

/** The latest DNS result of one domain and kind. */
export interface DnsCheckRow {
  readonly domain: string;
  readonly kind: 'txt' | 'mx';
  readonly ok: boolean;
  readonly ttlSeconds: number | null;
  readonly answer: Readonly<Record<string, unknown>>;
  readonly checkedAt: Date;
}

/** Stores (replaces) the latest DNS result of a domain. */
export async function saveDnsCheck(db: Db, projectId: string, check: DnsCheckRow): Promise<void> {
  await db.query(
    `INSERT INTO dns_checks (project_id, domain, kind, ok, ttl_seconds, answer, checked_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (project_id, domain, kind) DO UPDATE SET ok = EXCLUDED.ok, ttl_seconds = EXCLUDED.ttl_seconds, answer = EXCLUDED.answer, checked_at = EXCLUDED.checked_at`,
    [projectId, check.domain, check.kind, check.ok, check.ttlSeconds, JSON.stringify(check.answer), check.checkedAt],
  );
}

/** The latest DNS results of the project. */
export async function listDnsChecks(db: Db, projectId: string): Promise<DnsCheckRow[]> {
  const { rows } = await db.query<{ domain: string; kind: 'txt' | 'mx'; ok: boolean; ttl_seconds: number | null; answer: Record<string, unknown>; checked_at: Date }>(
    'SELECT domain, kind, ok, ttl_seconds, answer, checked_at FROM dns_checks WHERE project_id = $1 ORDER BY domain, kind',
    [projectId],
  );
  return rows.map((r) => ({ domain: r.domain, kind: r.kind, ok: r.ok, ttlSeconds: r.ttl_seconds, answer: r.answer, checkedAt: r.checked_at }));
}
