/**
 * The orchestrator the cutover routes use: the process's (serve) or, when the API is built without
 * one (tests, an API-only process), one without a timer over the same deps. Also the command helper:
 * load the snapshot, let the pure command decide, apply, and reconcile at once so the answer shows
 * the project moved on.
 */
import { randomBytes } from 'node:crypto';
import type { Action } from '../orchestrator/actions.ts';
import { AppError } from '../core/app-error.ts';
import { applyActions } from '../orchestrator/apply-actions.ts';
import { assertSettingsEditable } from '../orchestrator/commands.ts';
import { providerSettingsProblems } from '../providers/provider-settings.ts';
import { loadSnapshot } from '../orchestrator/load-snapshot.ts';
import { createOrchestratorRuntime, type OrchestratorRuntime } from '../orchestrator/runtime/orchestrator-runtime.ts';
import type { ProjectSnapshot } from '../orchestrator/snapshot.ts';
import { requireProject } from '../store/project.repository.ts';
import type { ApiDeps } from './api-deps.ts';

const fallbacks = new WeakMap<ApiDeps, OrchestratorRuntime>();

/** The orchestrator of these deps. */
export function orchestratorOf(deps: ApiDeps): OrchestratorRuntime {
  if (deps.orchestrator) return deps.orchestrator;
  let rt = fallbacks.get(deps);
  if (!rt) {
    rt = createOrchestratorRuntime({ db: deps.pool, clock: deps.clock, queue: deps.queue, secretKey: deps.secretKey, logger: deps.logger });
    fallbacks.set(deps, rt);
  }
  return rt;
}

/** A new random domain verification token (URL-safe, 24 characters). */
export function newVerificationToken(): string {
  return randomBytes(18).toString('base64url');
}

/** Runs a project command: PROJECT_NOT_FOUND, the command's own errors, then apply + reconcile. */
export async function runProjectCommand(deps: ApiDeps, projectId: string, command: (s: ProjectSnapshot, now: Date) => Action[]): Promise<void> {
  await requireProject(deps.pool, projectId);
  const rt = orchestratorOf(deps);
  const snapshot = await loadSnapshot(deps.pool, projectId);
  if (!snapshot) await requireProject(deps.pool, projectId);
  const actions = command(snapshot as ProjectSnapshot, rt.clock.now());
  await applyActions(projectId, actions, rt.applyDeps);
  await rt.reconcile(projectId);
}

/**
 * Refuses a project change when its settings are frozen (PROJECT_SETTINGS_FROZEN from T−4h) or the new
 * settings are invalid (orchestrator keys and `provider`).
 */
export async function assertProjectEditable(deps: ApiDeps, projectId: string, newSettings: Readonly<Record<string, unknown>> | undefined): Promise<void> {
  await requireProject(deps.pool, projectId);
  const snapshot = await loadSnapshot(deps.pool, projectId);
  if (!snapshot) return;
  assertSettingsEditable(snapshot, orchestratorOf(deps).clock.now(), newSettings);
  const problems = newSettings ? providerSettingsProblems(newSettings) : [];
  if (problems.length > 0) throw new AppError('PROJECT_INVALID', `invalid settings: ${problems.join('; ')}`, { details: { projectId, problems: problems.join('; ') } });
}
