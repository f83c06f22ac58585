/**
 * Overrides of the notification templates: global (no project) or per project. The defaults live in
 * code (orchestrator/notifications/default-templates.ts); a row here replaces one of them.
 */
import type { Db } from './db.ts';

/** One stored template override. */
export interface TemplateOverride {
  readonly projectId: string | null;
  readonly notification: string;
  readonly subject: string;
  readonly body: string;
  readonly updatedAt: Date;
  readonly updatedBy: string | null;
}

interface Row {
  project_id: string | null;
  notification: string;
  subject: string;
  body: string;
  updated_at: Date;
  updated_by: string | null;
}

function fromRow(r: Row): TemplateOverride {
  return { projectId: r.project_id === null ? null : String(r.project_id), notification: r.notification, subject: r.subject, body: r.body, updatedAt: r.updated_at, updatedBy: r.updated_by };
}

/** The override that applies to the project: its own, else the global one, else null. */
export async function findTemplateOverride(db: Db, projectId: string, notification: string): Promise<TemplateOverride | null> {
  const { rows } = await db.query<Row>(
    `SELECT * FROM notification_templates WHERE notification = $2 AND (project_id = $1 OR project_id IS NULL)
      ORDER BY project_id NULLS LAST LIMIT 1`,
    [projectId, notification],
  );
  return rows[0] ? fromRow(rows[0]) : null;
}

/** Stores an override (replacing the previous one of the same scope). Validate with `validateTemplate` first. */
export async function saveTemplateOverride(db: Db, input: { projectId: string | null; notification: string; subject: string; body: string; by: string | null; at: Date }): Promise<TemplateOverride> {
  const { rows } = await db.query<Row>(
    `INSERT INTO notification_templates (project_id, notification, subject, body, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (project_id, notification) DO UPDATE SET subject = EXCLUDED.subject, body = EXCLUDED.body, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
     RETURNING *`,
    [input.projectId, input.notification, input.subject, input.body, input.at, input.by],
  );
  return fromRow(rows[0] as Row);
}

/** Removes an override (the default applies again). True when one was removed. */
export async function deleteTemplateOverride(db: Db, projectId: string | null, notification: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM notification_templates WHERE project_id IS NOT DISTINCT FROM $1 AND notification = $2', [projectId, notification]);
  return rowCount === 1;
}

/** Overrides of one scope (null: the global ones). */
export async function listTemplateOverrides(db: Db, projectId: string | null): Promise<TemplateOverride[]> {
  const { rows } = await db.query<Row>('SELECT * FROM notification_templates WHERE project_id IS NOT DISTINCT FROM $1 ORDER BY notification', [projectId]);
  return rows.map(fromRow);
}
