/**
 * Project alerts (DESIGN.md "alert"): raised once per key by the reconciler, acknowledged and resolved
 * by people through the API (or resolved by the reconciler when the condition clears).
 */
import { AppError } from '../core/app-error.ts';
import type { Db } from './db.ts';
import { isRowId } from './endpoint-settings.repository.ts';

/** One stored alert. */
export interface AlertRow {
  readonly id: string;
  readonly projectId: string;
  readonly kind: string;
  readonly key: string;
  readonly status: 'open' | 'acknowledged' | 'resolved';
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>>;
  readonly raisedAt: Date;
  readonly acknowledgedAt: Date | null;
  readonly acknowledgedBy: string | null;
  readonly resolvedAt: Date | null;
  readonly resolvedBy: string | null;
}

interface Row {
  id: string;
  project_id: string;
  kind: string;
  key: string;
  status: AlertRow['status'];
  message: string;
  details: Record<string, unknown>;
  raised_at: Date;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  resolved_at: Date | null;
  resolved_by: string | null;
}

function fromRow(r: Row): AlertRow {
  return {
    id: String(r.id), projectId: String(r.project_id), kind: r.kind, key: r.key, status: r.status, message: r.message, details: r.details,
    raisedAt: r.raised_at, acknowledgedAt: r.acknowledged_at, acknowledgedBy: r.acknowledged_by, resolvedAt: r.resolved_at, resolvedBy: r.resolved_by,
  };
}

/** Raises an alert once per (project, key); true when this call raised it. */
export async function raiseAlert(db: Db, projectId: string, alert: { kind: string; key: string; message: string; details?: Readonly<Record<string, unknown>>; at: Date }): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO project_alerts (project_id, kind, key, message, details, raised_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (project_id, key) DO NOTHING`,
    [projectId, alert.kind, alert.key, alert.message, JSON.stringify(alert.details ?? {}), alert.at],
  );
  return rowCount === 1;
}

/** The project's alerts, newest first; only unresolved ones with `openOnly`. */
export async function listAlerts(db: Db, projectId: string, options: { openOnly?: boolean } = {}): Promise<AlertRow[]> {
  const { rows } = await db.query<Row>(
    `SELECT * FROM project_alerts WHERE project_id = $1 ${options.openOnly ? "AND status <> 'resolved'" : ''} ORDER BY raised_at DESC, id DESC`,
    [projectId],
  );
  return rows.map(fromRow);
}

/** Resolves the alert with `key` (the reconciler saw the condition clear). */
export async function resolveAlertByKey(db: Db, projectId: string, key: string, at: Date): Promise<void> {
  await db.query(`UPDATE project_alerts SET status = 'resolved', resolved_at = $3, resolved_by = 'cutover' WHERE project_id = $1 AND key = $2 AND status <> 'resolved'`, [projectId, key, at]);
}

async function update(db: Db, id: string, sql: string, params: unknown[]): Promise<AlertRow> {
  if (!isRowId(id)) throw new AppError('ALERT_NOT_FOUND', `no alert ${id}`, { details: { alertId: id } });
  const { rows } = await db.query<Row>(sql, [id, ...params]);
  if (rows[0]) return fromRow(rows[0]);
  const { rows: existing } = await db.query<Row>('SELECT * FROM project_alerts WHERE id = $1', [id]);
  if (!existing[0]) throw new AppError('ALERT_NOT_FOUND', `no alert ${id}`, { details: { alertId: id } });
  return fromRow(existing[0]);
}

/** A person saw the alert (an open alert becomes acknowledged; otherwise unchanged). ALERT_NOT_FOUND. */
export async function acknowledgeAlert(db: Db, id: string, by: string, at: Date): Promise<AlertRow> {
  return update(db, id, `UPDATE project_alerts SET status = 'acknowledged', acknowledged_at = $3, acknowledged_by = $2 WHERE id = $1 AND status = 'open' RETURNING *`, [by, at]);
}

/** A person resolved the alert. ALERT_NOT_FOUND. */
export async function resolveAlert(db: Db, id: string, by: string, at: Date): Promise<AlertRow> {
  return update(db, id, `UPDATE project_alerts SET status = 'resolved', resolved_at = $3, resolved_by = $2 WHERE id = $1 AND status <> 'resolved' RETURNING *`, [by, at]);
}
