/**
 * What people do to a project's flow (the API's project commands), pure: each validates against the
 * snapshot and returns the actions to apply, or throws an AppError the API maps to its HTTP status.
 */
import { AppError } from '../core/app-error.ts';
import type { Action } from './actions.ts';
import { stepState } from './decide-steps.ts';
import { settingsProblems } from './orchestrator-settings.ts';
import { isFrozenByTime } from './schedule.ts';
import type { ProjectSnapshot } from './snapshot.ts';
import { isAtOrPast, isFlowStatus, statusRow, type StepName } from './status-table.ts';

function invalid(s: ProjectSnapshot, command: string, why: string): AppError {
  return new AppError('PROJECT_INVALID_TRANSITION', `cannot ${command} project ${s.project.id} in status ${s.project.status}: ${why}`, {
    details: { projectId: s.project.id, status: s.project.status, command },
  });
}

/**
 * Places a draft project: it leaves `draft` for `provisioning` and its lead time starts now. Needs a
 * cutover time in the future, at least one domain and valid settings. `verificationToken` is the
 * random token the caller generated (kept out of here so this stays pure).
 */
export function placeProject(s: ProjectSnapshot, now: Date, verificationToken: string): Action[] {
  if (s.project.status !== 'draft') throw invalid(s, 'place', 'only a draft can be placed');
  const problems: string[] = [];
  if (s.project.cutoverAt === null) problems.push('cutoverAt: required');
  else if (s.project.cutoverAt.getTime() <= now.getTime()) problems.push('cutoverAt: must be in the future');
  if (s.project.domains.length === 0) problems.push('domains: at least one');
  if (!/^[A-Za-z0-9_-]{16,}$/.test(verificationToken)) problems.push('verificationToken: 16+ URL-safe characters');
  if (problems.length > 0) {
    throw new AppError('PROJECT_INVALID', `project ${s.project.id} cannot be placed: ${problems.join('; ')}`, { details: { projectId: s.project.id, problems: problems.join('; ') } });
  }
  return [
    { type: 'place', placedAt: now, verificationToken },
    { type: 'changeStatus', from: 'draft', to: 'provisioning' },
  ];
}

/** Puts the project on hold by hand (from any flow status but complete). */
export function holdProject(s: ProjectSnapshot, reason: string): Action[] {
  const { status } = s.project;
  if (!isFlowStatus(status) || status === 'complete') throw invalid(s, 'hold', 'only an active project can be held');
  if (reason.trim() === '') throw new AppError('PROJECT_INVALID', 'a hold needs a reason', { details: { projectId: s.project.id } });
  return [{ type: 'hold', from: status, reason: reason.trim() }];
}

/** Leaves a hold: the project returns to the status it interrupted. */
export function resumeProject(s: ProjectSnapshot): Action[] {
  if (s.project.status !== 'on_hold' || s.project.heldFrom === null) throw invalid(s, 'resume', 'the project is not on hold');
  return [{ type: 'resume', to: s.project.heldFrom }];
}

/** Cancels the project (from any status but complete and cancelled), with a reason. */
export function cancelProject(s: ProjectSnapshot, reason: string): Action[] {
  const { status } = s.project;
  if (status === 'cancelled' || status === 'complete') throw invalid(s, 'cancel', 'the project has ended');
  if (reason.trim() === '') throw new AppError('PROJECT_INVALID', 'a cancellation needs a reason', { details: { projectId: s.project.id } });
  return [{ type: 'changeStatus', from: status, to: 'cancelled', reason: reason.trim() }];
}

/**
 * Moves T. Allowed until the project reaches `switching_mx` (on hold: judged by the interrupted
 * status); the new T must be in the future. Everything is re-planned from the new T (schedule keys
 * contain T). Moving T is allowed inside the T−4h freeze: postponing is exactly what a partner
 * may need then.
 */
export function moveCutover(s: ProjectSnapshot, now: Date, to: Date): Action[] {
  const effective = s.project.status === 'on_hold' ? s.project.heldFrom : s.project.status;
  if (effective === null || !isFlowStatus(effective) || isAtOrPast(effective, 'switching_mx')) {
    throw invalid(s, 'move the cutover of', 'the cutover has started or the project has ended');
  }
  if (Number.isNaN(to.getTime()) || to.getTime() <= now.getTime()) {
    throw new AppError('PROJECT_INVALID', 'the new cutover time must be in the future', { details: { projectId: s.project.id } });
  }
  if (s.project.cutoverAt === null) throw new AppError('PROJECT_INVALID', 'the project has no cutover time', { details: { projectId: s.project.id } });
  if (s.project.cutoverAt.getTime() === to.getTime()) return [];
  return [{ type: 'moveCutover', from: s.project.cutoverAt, to }];
}

/** Runs a failed step again (a person fixed the cause). */
export function retryStep(s: ProjectSnapshot, step: StepName): Action[] {
  const state = stepState(s, step);
  if (state.status !== 'failed') {
    throw new AppError('STEP_NOT_RETRYABLE', `step ${step} of project ${s.project.id} is ${state.status}, not failed`, { details: { projectId: s.project.id, step, status: state.status } });
  }
  return [{ type: 'retryStep', step }];
}

/**
 * Refuses a settings change when settings are frozen: from T−4h, in any status whose row says so,
 * and once the project has ended. Also refuses invalid orchestrator settings. The API calls this
 * before `updateProject`.
 */
export function assertSettingsEditable(s: Pick<ProjectSnapshot, 'project'>, now: Date, newSettings?: Readonly<Record<string, unknown>>): void {
  const { status, cutoverAt, id } = s.project;
  const effective = status === 'on_hold' ? s.project.heldFrom : status;
  const byStatus = effective === null || !isFlowStatus(effective) || !statusRow(effective).settingsEditable;
  const placed = status !== 'draft';
  if (byStatus || (placed && isFrozenByTime(cutoverAt, now))) {
    throw new AppError('PROJECT_SETTINGS_FROZEN', `the settings of project ${id} are frozen (from T−4h, and after the cutover)`, {
      details: { projectId: id, status, cutoverAt: cutoverAt?.toISOString() ?? null },
    });
  }
  if (newSettings) {
    const problems = settingsProblems(newSettings);
    if (problems.length > 0) throw new AppError('PROJECT_INVALID', `invalid settings: ${problems.join('; ')}`, { details: { projectId: id, problems: problems.join('; ') } });
  }
}
