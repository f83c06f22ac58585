/**
 * Orchestration steps of a project (DESIGN.md "step") and their logs. Attempts are claimed with a
 * compare-and-set on the attempt number, so two ticks (or two processes) never run one attempt twice.
 */
import type { Db } from './db.ts';

/** Where a step stands. */
export type StepRowStatus = 'pending' | 'running' | 'waiting' | 'succeeded' | 'failed';

/** One stored step. */
export interface StepRow {
  readonly name: string;
  readonly status: StepRowStatus;
  readonly attempts: number;
  readonly nextRunAt: Date | null;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  readonly plannedFor: Date | null;
  readonly lastErrorCode: string | null;
  readonly lastErrorRetry: 'transient' | 'item' | 'user' | null;
  readonly lastErrorText: string | null;
  readonly result: Readonly<Record<string, unknown>>;
  readonly updatedAt: Date;
}

interface Row {
  name: string;
  status: StepRowStatus;
  attempts: number;
  next_run_at: Date | null;
  started_at: Date | null;
  finished_at: Date | null;
  planned_for: Date | null;
  last_error_code: string | null;
  last_error_retry: 'transient' | 'item' | 'user' | null;
  last_error_text: string | null;
  result: Record<string, unknown>;
  updated_at: Date;
}

function fromRow(r: Row): StepRow {
  return {
    name: r.name, status: r.status, attempts: r.attempts, nextRunAt: r.next_run_at, startedAt: r.started_at, finishedAt: r.finished_at,
    plannedFor: r.planned_for, lastErrorCode: r.last_error_code, lastErrorRetry: r.last_error_retry, lastErrorText: r.last_error_text,
    result: r.result, updatedAt: r.updated_at,
  };
}

/** Every step row of the project. */
export async function listSteps(db: Db, projectId: string): Promise<StepRow[]> {
  const { rows } = await db.query<Row>('SELECT * FROM project_steps WHERE project_id = $1 ORDER BY name', [projectId]);
  return rows.map(fromRow);
}

/**
 * Claims attempt `attempt` of the step: it becomes `running`. Applies only when the stored attempts are
 * `attempt − 1` (or there is no row and `attempt` is 1). True when this call claimed it.
 */
export async function claimStepAttempt(db: Db, projectId: string, step: string, attempt: number, plannedFor: Date | null, now: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO project_steps (project_id, name, status, attempts, started_at, planned_for, updated_at)
     VALUES ($1, $2, 'running', $3, $5, $4, $5)
     ON CONFLICT (project_id, name) DO UPDATE SET status = 'running', attempts = EXCLUDED.attempts, started_at = EXCLUDED.started_at,
       finished_at = NULL, planned_for = EXCLUDED.planned_for, updated_at = EXCLUDED.updated_at
     WHERE project_steps.attempts = EXCLUDED.attempts - 1`,
    [projectId, step, attempt, plannedFor, now],
  );
  return rowCount === 1;
}

/** The outcome of one step attempt, as the step runner reports it. */
export type StepOutcome =
  | { readonly status: 'succeeded'; readonly result?: Readonly<Record<string, unknown>> }
  | { readonly status: 'waiting'; readonly nextRunAt: Date; readonly result?: Readonly<Record<string, unknown>> }
  | { readonly status: 'failed'; readonly code: string; readonly retry: 'transient' | 'item' | 'user'; readonly message: string; readonly nextRunAt: Date | null; readonly result?: Readonly<Record<string, unknown>> };

/** Records the outcome of attempt `attempt` (only while that attempt is the running one). True when it applied. */
export async function finishStepAttempt(db: Db, projectId: string, step: string, attempt: number, outcome: StepOutcome, now: Date): Promise<boolean> {
  const failed = outcome.status === 'failed' ? outcome : null;
  const { rowCount } = await db.query(
    `UPDATE project_steps SET status = $4, finished_at = $5, updated_at = $5, next_run_at = $6,
       last_error_code = $7, last_error_retry = $8, last_error_text = $9, result = $10
      WHERE project_id = $1 AND name = $2 AND attempts = $3 AND status = 'running'`,
    [
      projectId, step, attempt, outcome.status, now, outcome.status === 'succeeded' ? null : outcome.nextRunAt,
      failed?.code ?? null, failed?.retry ?? null, failed?.message ?? null, JSON.stringify(outcome.result ?? {}),
    ],
  );
  return rowCount === 1;
}

/** Sets the status of a tracked step (no attempt bookkeeping). */
export async function markStep(db: Db, projectId: string, step: string, status: StepRowStatus, now: Date): Promise<void> {
  await db.query(
    `INSERT INTO project_steps (project_id, name, status, started_at, finished_at, updated_at)
     VALUES ($1, $2, $3, $4, CASE WHEN $3 IN ('succeeded', 'failed') THEN $4::timestamptz END, $4)
     ON CONFLICT (project_id, name) DO UPDATE SET status = EXCLUDED.status, updated_at = EXCLUDED.updated_at,
       finished_at = CASE WHEN EXCLUDED.status IN ('succeeded', 'failed') THEN EXCLUDED.updated_at END`,
    [projectId, step, status, now],
  );
}

/** Lets a failed step run again now (a person asked); its attempt count goes on. True when it applied. */
export async function resetFailedStep(db: Db, projectId: string, step: string, now: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE project_steps SET status = 'pending', next_run_at = NULL, last_error_retry = NULL, updated_at = $3
      WHERE project_id = $1 AND name = $2 AND status = 'failed'`,
    [projectId, step, now],
  );
  return rowCount === 1;
}

/** One log line of a step. */
export interface StepLogLine {
  readonly step: string;
  readonly attempt: number;
  readonly at: Date;
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>>;
}

/** Appends a log line (log-safe details only: never credentials). */
export async function appendStepLog(db: Db, projectId: string, line: StepLogLine): Promise<void> {
  await db.query(
    'INSERT INTO project_step_logs (project_id, step, attempt, at, level, message, details) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [projectId, line.step, line.attempt, line.at, line.level, line.message, JSON.stringify(line.details)],
  );
}

/** The log of one step (every attempt), oldest first. */
export async function listStepLog(db: Db, projectId: string, step: string, limit = 500): Promise<StepLogLine[]> {
  const { rows } = await db.query<{ step: string; attempt: number; at: Date; level: StepLogLine['level']; message: string; details: Record<string, unknown> }>(
    'SELECT step, attempt, at, level, message, details FROM project_step_logs WHERE project_id = $1 AND step = $2 ORDER BY id LIMIT $3',
    [projectId, step, limit],
  );
  return rows;
}
