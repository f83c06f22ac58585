/**
 * Carries out the reconciler's actions, idempotently: every write is a compare-and-set or an insert on
 * a unique key (see actions.ts), so applying a list twice — after a crash, or from two processes — has
 * the effect of applying it once. Side effects outside the database go through `ApplyDeps`.
 * `reconcileProject` is the tick: load → decide → apply.
 */
import { toAppError } from '../core/app-error.ts';
import { withTransaction } from '../store/db.ts';
import { raiseAlert, resolveAlertByKey } from '../store/alert.repository.ts';
import { changeStatus, getProjectFlow, moveCutoverTime, recordEvent, setPlaced } from '../store/project-flow.repository.ts';
import { claimStepAttempt, markStep, resetFailedStep } from '../store/step.repository.ts';
import type { Action } from './actions.ts';
import { decide } from './decide.ts';
import { loadSnapshot } from './load-snapshot.ts';
import type { ApplyDeps } from './orchestrator-deps.ts';
import { isAllowedTransition, isFlowStatus, isProjectStatus } from './status-table.ts';

/** What applying a list did. */
export interface ApplyResult {
  /** Actions that changed something. */
  readonly applied: number;
  /** Actions that were no-ops (already applied, or the state moved on). */
  readonly skipped: number;
  /** Actions that failed; the next tick decides again. */
  readonly errors: ReadonlyArray<{ readonly action: Action['type']; readonly code: string; readonly message: string }>;
}

/** Applies `actions` in order for `projectId`; one failing action does not stop the others. */
export async function applyActions(projectId: string, actions: readonly Action[], deps: ApplyDeps): Promise<ApplyResult> {
  let applied = 0;
  let skipped = 0;
  const errors: Array<{ action: Action['type']; code: string; message: string }> = [];
  for (const action of actions) {
    try {
      if (await applyOne(projectId, action, deps)) applied++;
      else skipped++;
    } catch (err) {
      const e = toAppError(err);
      errors.push({ action: action.type, code: e.code, message: e.message });
      deps.logger?.warn({ projectId, action: action.type, code: e.code, err: e.message }, 'orchestrator action failed');
    }
  }
  return { applied, skipped, errors };
}

async function applyOne(projectId: string, a: Action, deps: ApplyDeps): Promise<boolean> {
  const { db } = deps;
  const now = deps.clock.now();
  switch (a.type) {
    case 'place':
      return setPlaced(db, projectId, a.placedAt, a.verificationToken);
    case 'changeStatus': {
      const current = await getProjectFlow(db, projectId);
      const heldFrom = current?.heldFrom !== null && current?.heldFrom !== undefined && isFlowStatus(current.heldFrom) ? current.heldFrom : null;
      if (!isAllowedTransition(a.from, a.to, heldFrom)) return false;
      return changeStatus(db, projectId, { from: a.from, to: a.to, at: now, reason: a.reason ?? null });
    }
    case 'hold':
      return withTransaction(db, async (tx) => {
        const held = await changeStatus(tx, projectId, { from: a.from, to: 'on_hold', at: now, reason: a.reason, heldFrom: a.from });
        if (a.key !== undefined) await recordEvent(tx, projectId, { key: a.key, kind: 'hold', passKind: null, at: now });
        return held;
      });
    case 'resume':
      return changeStatus(db, projectId, { from: 'on_hold', to: a.to, at: now, reason: null, heldFrom: null });
    case 'moveCutover':
      return moveCutoverTime(db, projectId, a.from, a.to, now);
    case 'startStep': {
      const claimed = await claimStepAttempt(db, projectId, a.step, a.attempt, a.plannedFor, now);
      // Claimed: this process owns the attempt. Should runStep fail to hand it on, the step stays
      // `running` and the lease (decide-steps.ts) starts the next attempt.
      if (claimed) await deps.steps.runStep(projectId, a.step, a.attempt);
      return claimed;
    }
    case 'markStep':
      await markStep(db, projectId, a.step, a.status, now);
      return true;
    case 'retryStep':
      return resetFailedStep(db, projectId, a.step, now);
    case 'startRound':
      return recordEvent(db, projectId, { key: a.key, kind: 'round', passKind: a.kind, at: now });
    case 'enqueuePass':
      if (a.pairIds.length === 0) return false;
      await deps.passes.enqueuePass(projectId, a.pairIds, a.kind);
      return true;
    case 'raiseAlert':
      return raiseAlert(db, projectId, { kind: a.kind, key: a.key, message: a.message, details: a.details ?? {}, at: now });
    case 'resolveAlert':
      await resolveAlertByKey(db, projectId, a.key, now);
      return true;
    case 'sendNotification':
      await deps.notifications.queue(projectId, a.notification, a.audience, a.key);
      return true;
    case 'recordEvent':
      return recordEvent(db, projectId, { key: a.key, kind: 'event', passKind: null, at: now });
  }
}

/**
 * One reconciler tick for a project: load its snapshot, decide, apply — repeated (at most `maxRounds`
 * times) while the status changes, so a project moves through instant transitions in one tick.
 */
export async function reconcileProject(projectId: string, deps: ApplyDeps, maxRounds = 5): Promise<{ actions: Action[]; result: ApplyResult }> {
  const all: Action[] = [];
  let applied = 0;
  let skipped = 0;
  const errors: ApplyResult['errors'][number][] = [];
  for (let round = 0; round < maxRounds; round++) {
    const snapshot = await loadSnapshot(deps.db, projectId);
    if (!snapshot || !isProjectStatus(snapshot.project.status)) break;
    const actions = decide(snapshot, deps.clock.now());
    if (actions.length === 0) break;
    const result = await applyActions(projectId, actions, deps);
    all.push(...actions);
    applied += result.applied;
    skipped += result.skipped;
    errors.push(...result.errors);
    if (!actions.some((a) => a.type === 'changeStatus' || a.type === 'hold')) break;
  }
  return { actions: all, result: { applied, skipped, errors } };
}
