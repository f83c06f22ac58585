/**
 * The outbox sender: claims due rows (FOR UPDATE SKIP LOCKED, so several workers can run it), sends
 * each over SMTP with nodemailer, and records the outcome. Delivery is AT MOST ONCE:
 *
 *   claim: status `sending` is committed BEFORE the SMTP conversation;
 *   the server accepts (250 after DATA) → status `sent`.
 *
 * A crash between the server's 250 and the `sent` update leaves the row `sending`; after the lease it
 * becomes `in_doubt` and is never re-sent by itself (a person may requeue it). That window — one
 * UPDATE after the server accepted — is the one that cannot be closed without the receiver's help;
 * the stable Message-ID lets receivers drop a duplicate if a person re-sends. A failure before the
 * server accepted is retried with exponential backoff; a failure during DATA without a server reply
 * (connection lost after the body was sent) is also `in_doubt`, because the server may have accepted.
 */
import type { Transporter } from 'nodemailer';
import type pg from 'pg';
import type { Clock } from '../../core/clock.ts';
import type { StoreLogger } from '../../store/db.ts';
import { claimDueOutbox, markOutboxFailed, markOutboxSent, markStaleSendingInDoubt, type OutboxRow } from '../../store/outbox.repository.ts';

/** Options of the sender. */
export interface OutboxSenderOptions {
  readonly db: pg.Pool;
  readonly clock: Clock;
  /** A nodemailer transport (createSmtpTransport). */
  readonly transport: Pick<Transporter, 'sendMail'>;
  /** From header. */
  readonly from: string;
  /** Attempts before a row is `failed` (default 6). */
  readonly maxAttempts?: number;
  /** First retry delay; doubles each attempt (default 60 s), capped at 1 h. */
  readonly backoffMs?: number;
  /** A row `sending` for longer than this is in_doubt (default 10 min). */
  readonly leaseMs?: number;
  readonly logger?: StoreLogger;
}

/** What one run did. */
export interface SendReport {
  readonly sent: number;
  readonly retried: number;
  readonly failed: number;
  readonly inDoubt: number;
}

/** The sender. `sendDue` is called by a periodic worker task (and by tests). */
export interface OutboxSender {
  sendDue(limit?: number): Promise<SendReport>;
}

interface SmtpError {
  responseCode?: number;
  command?: string;
  code?: string;
  message?: string;
}

/** The delay before retry number `attempt` (1-based): backoff · 2^(attempt−1), at most 1 h. */
export function retryDelayMs(attempt: number, backoffMs: number): number {
  return Math.min(3_600_000, backoffMs * 2 ** Math.max(0, attempt - 1));
}

/** How a send error is handled: retry (transient), fail (the server refused for good), or in_doubt. */
export function classifySmtpError(err: SmtpError): 'retry' | 'fail' | 'in_doubt' {
  if (typeof err.responseCode === 'number') return err.responseCode >= 500 ? 'fail' : 'retry';
  // No reply: lost during DATA means the server may have accepted the message.
  if (err.command === 'DATA' || err.command === 'DATA_END' || err.command === 'MESSAGE') return 'in_doubt';
  return 'retry';
}

/** A sender over the outbox tables. */
export function createOutboxSender(options: OutboxSenderOptions): OutboxSender {
  const { db, clock } = options;
  const maxAttempts = options.maxAttempts ?? 6;
  const backoffMs = options.backoffMs ?? 60_000;
  const leaseMs = options.leaseMs ?? 600_000;

  const sendOne = async (row: OutboxRow): Promise<keyof SendReport> => {
    try {
      await options.transport.sendMail({
        from: options.from,
        to: row.recipient,
        subject: row.subject,
        text: row.body,
        messageId: row.messageId,
        // The Date header follows the injected clock (the fake clock in tests and demonstrations).
        date: clock.now(),
        headers: { 'Auto-Submitted': 'auto-generated', 'X-Cutover-Notification': row.notification },
      });
    } catch (err) {
      const e = err as SmtpError;
      const kind = classifySmtpError(e);
      const text = `${e.code ?? ''} ${e.responseCode ?? ''} ${e.message ?? String(err)}`.trim();
      options.logger?.warn({ outboxId: row.id, recipient: row.recipient, attempt: row.attempts, kind, err: text }, 'notification not sent');
      if (kind === 'in_doubt') {
        await db.query(`UPDATE notification_outbox SET status = 'in_doubt', last_error = $2 WHERE id = $1 AND status = 'sending'`, [row.id, text]);
        return 'inDoubt';
      }
      if (kind === 'fail' || row.attempts >= maxAttempts) {
        await markOutboxFailed(db, row.id, text, null);
        return 'failed';
      }
      await markOutboxFailed(db, row.id, text, new Date(clock.now().getTime() + retryDelayMs(row.attempts, backoffMs)));
      return 'retried';
    }
    await markOutboxSent(db, row.id, clock.now());
    return 'sent';
  };

  return {
    async sendDue(limit = 20) {
      const report = { sent: 0, retried: 0, failed: 0, inDoubt: 0 };
      const now = clock.now();
      report.inDoubt += await markStaleSendingInDoubt(db, new Date(now.getTime() - leaseMs));
      const rows = await claimDueOutbox(db, now, limit);
      for (const row of rows) report[await sendOne(row)]++;
      return report;
    },
  };
}
