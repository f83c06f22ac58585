/**
 * Step rules of the reconciler, pure: when a step starts, is retried or re-run, and which alert a
 * failed step raises.
 */
import type { Action } from './actions.ts';
import type { AlertKind, ProjectSnapshot, StepState } from './snapshot.ts';
import { stepSpec, type StepName } from './status-table.ts';

/** A running step whose worker has said nothing for this long is started again (the worker died). */
export const STEP_LEASE_MS = 15 * 60_000;

/** The stored state of a step, or a fresh pending one. */
export function stepState(snapshot: ProjectSnapshot, name: StepName): StepState {
  return (
    snapshot.steps.find((s) => s.name === name) ?? {
      name,
      status: 'pending',
      attempts: 0,
      nextRunAt: null,
      startedAt: null,
      plannedFor: null,
      lastErrorCode: null,
      lastErrorRetry: null,
    }
  );
}

/** True when the step has succeeded (for the current T when `plannedFor` is given). */
export function stepSucceeded(snapshot: ProjectSnapshot, name: StepName, plannedFor: Date | null = null): boolean {
  const s = stepState(snapshot, name);
  if (s.status !== 'succeeded') return false;
  return plannedFor === null || (s.plannedFor !== null && s.plannedFor.getTime() === plannedFor.getTime());
}

/**
 * The action that runs `name` now, if any: its dependencies succeeded, `notBefore` has come, and it is
 * pending, waiting and due, failed with attempts left and due (and not waiting for a person), running
 * past its lease, or — with `replanOnMove` — succeeded or failed for another T than `plannedFor`
 * (a step planned around T runs again after T moved).
 */
export function nextStepAction(
  snapshot: ProjectSnapshot,
  name: StepName,
  now: Date,
  options: { notBefore?: Date; plannedFor?: Date | null; replanOnMove?: boolean } = {},
): Action | null {
  const spec = stepSpec(name);
  if (!spec.dependsOn.every((dep) => stepSucceeded(snapshot, dep))) return null;
  if (options.notBefore && now.getTime() < options.notBefore.getTime()) return null;
  const s = stepState(snapshot, name);
  const plannedFor = options.plannedFor ?? null;
  const start: Action = { type: 'startStep', step: name, attempt: s.attempts + 1, plannedFor };
  const due = s.nextRunAt === null || now.getTime() >= s.nextRunAt.getTime();
  const stale = options.replanOnMove === true && plannedFor !== null && (s.plannedFor === null || s.plannedFor.getTime() !== plannedFor.getTime());
  if (stale && (s.status === 'succeeded' || s.status === 'failed')) return start;
  switch (s.status) {
    case 'pending':
      return start;
    case 'waiting':
      return due ? start : null;
    case 'running':
      return s.startedAt !== null && now.getTime() - s.startedAt.getTime() >= STEP_LEASE_MS ? start : null;
    case 'failed': {
      if (s.lastErrorRetry === 'user') return null;
      const attemptsLeft = spec.maxAttempts === 0 || s.attempts < spec.maxAttempts;
      return attemptsLeft && due ? start : null;
    }
    case 'succeeded':
      return null;
  }
}

/** The alert kind of a step failure: from its error code, else `step_failed`. */
export function alertKindForStepError(code: string | null): AlertKind {
  switch (code) {
    case 'PROVIDER_INSUFFICIENT_LICENCES':
      return 'insufficient_licences';
    case 'MAILBOX_CREATION_FAILED':
      return 'mailbox_creation_failed';
    case 'READINESS_FAILED':
      return 'readiness_failed';
    default:
      return 'step_failed';
  }
}

/**
 * Alerts for failed steps that wait for a person: a failure of the `user` class, or attempts used up.
 * One alert per step and attempt count, so a retried step that fails again alerts again.
 */
export function stepFailureAlerts(snapshot: ProjectSnapshot): Action[] {
  const out: Action[] = [];
  for (const s of snapshot.steps) {
    if (s.status !== 'failed') continue;
    const spec = stepSpec(s.name);
    const exhausted = spec.maxAttempts > 0 && s.attempts >= spec.maxAttempts;
    if (s.lastErrorRetry !== 'user' && !exhausted) continue;
    const kind = alertKindForStepError(s.lastErrorCode);
    out.push({
      type: 'raiseAlert',
      kind,
      key: `${kind}:${s.name}#${s.attempts}`,
      message: `step "${spec.title}" failed${s.lastErrorCode ? ` (${s.lastErrorCode})` : ''} and waits for a person`,
      details: { step: s.name, attempts: s.attempts, code: s.lastErrorCode },
    });
  }
  return out;
}
