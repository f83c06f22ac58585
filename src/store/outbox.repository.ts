/**
 * The notification outbox: rendered emails waiting to be sent, one row per (project, event key,
 * recipient). States: pending → sending → sent; a failed attempt goes back to pending with a later
 * `next_attempt_at`, or to failed when attempts are used up; a row left in `sending` by a crashed
 * sender becomes in_doubt (never re-sent automatically: the SMTP server may have accepted it).
 */
import type { Db } from './db.ts';

/** Where an outbox row stands. */
export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'in_doubt';

/** One outbox row. */
export interface OutboxRow {
  readonly id: string;
  readonly projectId: string;
  readonly notification: string;
  readonly eventKey: string;
  readonly recipient: string;
  readonly subject: string;
  readonly body: string;
  readonly status: OutboxStatus;
  readonly attempts: number;
  readonly nextAttemptAt: Date;
  readonly sentAt: Date | null;
  readonly messageId: string;
  readonly lastError: string | null;
}

/** A rendered email to queue. */
export interface OutboxInput {
  readonly projectId: string;
  readonly notification: string;
  readonly eventKey: string;
  readonly recipient: string;
  readonly subject: string;
  readonly body: string;
  /** Message-ID header, derived from the idempotency key (receivers can drop duplicates by it). */
  readonly messageId: string;
}

interface Row {
  id: string;
  project_id: string;
  notification: string;
  event_key: string;
  recipient: string;
  subject: string;
  body: string;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: Date;
  sent_at: Date | null;
  message_id: string;
  last_error: string | null;
}

function fromRow(r: Row): OutboxRow {
  return {
    id: String(r.id), projectId: String(r.project_id), notification: r.notification, eventKey: r.event_key, recipient: r.recipient, subject: r.subject,
    body: r.body, status: r.status, attempts: r.attempts, nextAttemptAt: r.next_attempt_at, sentAt: r.sent_at, messageId: r.message_id, lastError: r.last_error,
  };
}

/** Queues emails; a row whose (project, key, recipient) exists is left as it is. Returns how many were new. */
export async function enqueueOutbox(db: Db, rows: readonly OutboxInput[], now: Date): Promise<number> {
  let added = 0;
  for (const r of rows) {
    const { rowCount } = await db.query(
      `INSERT INTO notification_outbox (project_id, notification, event_key, recipient, subject, body, message_id, next_attempt_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) ON CONFLICT (project_id, event_key, recipient) DO NOTHING`,
      [r.projectId, r.notification, r.eventKey, r.recipient, r.subject, r.body, r.messageId, now],
    );
    added += rowCount ?? 0;
  }
  return added;
}

/**
 * Claims up to `limit` due pending rows for this sender: they become `sending` (attempts + 1) in one
 * statement; FOR UPDATE SKIP LOCKED lets several senders (workers) run without taking the same row.
 */
export async function claimDueOutbox(db: Db, now: Date, limit: number): Promise<OutboxRow[]> {
  const { rows } = await db.query<Row>(
    `UPDATE notification_outbox SET status = 'sending', attempts = attempts + 1, claimed_at = $1
      WHERE id IN (SELECT id FROM notification_outbox WHERE status = 'pending' AND next_attempt_at <= $1
                   ORDER BY next_attempt_at, id FOR UPDATE SKIP LOCKED LIMIT $2)
      RETURNING *`,
    [now, limit],
  );
  return rows.map(fromRow);
}

/** The SMTP server accepted the message. */
export async function markOutboxSent(db: Db, id: string, now: Date): Promise<void> {
  await db.query(`UPDATE notification_outbox SET status = 'sent', sent_at = $2, last_error = NULL WHERE id = $1 AND status = 'sending'`, [id, now]);
}

/** The attempt failed before the server accepted the message: retry at `retryAt`, or give up (`retryAt` null). */
export async function markOutboxFailed(db: Db, id: string, error: string, retryAt: Date | null): Promise<void> {
  await db.query(
    `UPDATE notification_outbox SET status = CASE WHEN $3::timestamptz IS NULL THEN 'failed' ELSE 'pending' END,
       next_attempt_at = COALESCE($3, next_attempt_at), last_error = $2 WHERE id = $1 AND status = 'sending'`,
    [id, error.slice(0, 2000), retryAt],
  );
}

/** Rows left `sending` since before `claimedBefore` (a sender crashed mid-send) become in_doubt. Returns how many. */
export async function markStaleSendingInDoubt(db: Db, claimedBefore: Date): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE notification_outbox SET status = 'in_doubt', last_error = 'the sender stopped while sending; it may or may not have been delivered'
      WHERE status = 'sending' AND claimed_at < $1`,
    [claimedBefore],
  );
  return rowCount ?? 0;
}

/** A person decided an in_doubt or failed row should be sent (again). True when it applied. */
export async function requeueOutbox(db: Db, id: string, now: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE notification_outbox SET status = 'pending', next_attempt_at = $2 WHERE id = $1 AND status IN ('in_doubt', 'failed')`,
    [id, now],
  );
  return rowCount === 1;
}

/** The project's outbox, oldest first. */
export async function listOutbox(db: Db, projectId: string): Promise<OutboxRow[]> {
  const { rows } = await db.query<Row>('SELECT * FROM notification_outbox WHERE project_id = $1 ORDER BY id', [projectId]);
  return rows.map(fromRow);
}
