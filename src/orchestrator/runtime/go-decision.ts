/**
 * The go/no-go decision after the test batch (issue 4 §8): the test batch must complete (every pair
 * of it has a completed full pass) and a go be recorded (who, when) before the other batches start.
 * Enforced twice: the reconciler gives pairs outside the test batch no passes until then
 * (`gatedPairIds`, read into the snapshot), and the API refuses to start them (`assertBatchMayStart`).
 */
import { AppError } from '../../core/app-error.ts';
import type { Db } from '../../store/db.ts';

/** A recorded decision. */
export interface GoDecisionRow {
  readonly decision: 'go' | 'no_go';
  readonly decidedBy: string;
  readonly decidedAt: Date;
  readonly note: string;
}

/** The latest decision of the project, or null. */
export async function getGoDecision(db: Db, projectId: string): Promise<GoDecisionRow | null> {
  const { rows } = await db.query<{ decision: 'go' | 'no_go'; decided_by: string; decided_at: Date; note: string }>(
    'SELECT decision, decided_by, decided_at, note FROM project_go_decisions WHERE project_id = $1 ORDER BY decided_at DESC, id DESC LIMIT 1', [projectId],
  );
  const r = rows[0];
  return r ? { decision: r.decision, decidedBy: r.decided_by, decidedAt: r.decided_at, note: r.note } : null;
}

/** Test-batch pairs (active) that have no completed full pass yet; null when the project has no test batch. */
export async function unfinishedTestPairs(db: Db, projectId: string): Promise<string[] | null> {
  const { rows } = await db.query<{ id: string | null; done: boolean | null }>(
    `SELECT p.id, EXISTS (SELECT 1 FROM passes ps WHERE ps.pair_id = p.id AND ps.kind = 'full' AND ps.status = 'completed') AS done
       FROM batches b LEFT JOIN pairs p ON p.batch_id = b.id AND NOT p.paused AND p.state <> 'stopped'
      WHERE b.project_id = $1 AND b.is_test`, [projectId],
  );
  if (rows.length === 0) return null;
  return rows.filter((r) => r.id !== null && r.done !== true).map((r) => String(r.id));
}

/** Records go or no-go. A go is refused while the test batch is incomplete. */
export async function recordGoDecision(db: Db, projectId: string, input: { decision: 'go' | 'no_go'; by: string; at: Date; note: string }): Promise<GoDecisionRow> {
  if (input.decision === 'go') {
    const open = await unfinishedTestPairs(db, projectId);
    if (open !== null && open.length > 0) {
      throw new AppError('GO_DECISION_REQUIRED', `the test batch of project ${projectId} has not completed: ${open.length} pairs without a completed full pass`, { details: { projectId, pairs: open.slice(0, 20).join(', ') } });
    }
  }
  await db.query('INSERT INTO project_go_decisions (project_id, decision, decided_by, decided_at, note) VALUES ($1, $2, $3, $4, $5)', [projectId, input.decision, input.by, input.at, input.note]);
  return { decision: input.decision, decidedBy: input.by, decidedAt: input.at, note: input.note };
}

/**
 * Pairs that must not get passes yet: those outside the test batch while the project is placed, has a
 * test batch, and its latest decision is not a go. Empty when nothing is gated.
 */
export async function gatedPairIds(db: Db, projectId: string): Promise<Set<string>> {
  const decision = await getGoDecision(db, projectId);
  if (decision?.decision === 'go') return new Set();
  const { rows } = await db.query<{ id: string }>(
    `SELECT p.id FROM pairs p
      WHERE p.project_id = $1
        -- Only placed projects are gated: a draft run by hand (issue 3's start) is not in the cutover flow yet.
        AND EXISTS (SELECT 1 FROM projects pr WHERE pr.id = $1 AND pr.placed_at IS NOT NULL)
        AND EXISTS (SELECT 1 FROM batches b WHERE b.project_id = $1 AND b.is_test)
        AND p.batch_id IS DISTINCT FROM (SELECT b.id FROM batches b WHERE b.project_id = $1 AND b.is_test)`, [projectId],
  );
  return new Set(rows.map((r) => String(r.id)));
}

/** For the start route: starting anything but the test batch needs a go. GO_DECISION_REQUIRED. */
export async function assertBatchMayStart(db: Db, projectId: string, batchId: string | undefined): Promise<void> {
  const gated = await gatedPairIds(db, projectId);
  if (gated.size === 0) return;
  if (batchId !== undefined) {
    const { rows } = await db.query<{ is_test: boolean }>('SELECT is_test FROM batches WHERE id = $1 AND project_id = $2', [batchId, projectId]);
    if (rows[0]?.is_test === true) return;
  }
  throw new AppError('GO_DECISION_REQUIRED', `project ${projectId}: only the test batch may start before a go decision`, { details: { projectId, batchId: batchId ?? null } });
}
