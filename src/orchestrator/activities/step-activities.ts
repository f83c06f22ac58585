/**
 * The step activities (Temporal samples style: `createActivities(deps)`): what each step DOES, with its
 * side effects (provider calls, DNS look-ups, database writes of results) behind the injected deps.
 * Each returns a `StepOutcome`; `createInlineStepRunner` runs one claimed attempt and records it.
 */
import type pg from 'pg';
import { AppError, toAppError } from '../../core/app-error.ts';
import type { Clock } from '../../core/clock.ts';
import { listProviderAccounts, saveProviderAccount } from '../../store/provider-account.repository.ts';
import { getProjectFlow, saveDnsCheck, type ProjectFlowRow } from '../../store/project-flow.repository.ts';
import { appendStepLog, finishStepAttempt, type StepOutcome } from '../../store/step.repository.ts';
import type { StoreLogger } from '../../store/db.ts';
import type { AccountResult, TargetAccountSpec, TargetProvider } from '../../providers/target-provider.ts';
import { judgeCreations } from '../creation-failure-rule.ts';
import type { StepRunner } from '../orchestrator-deps.ts';
import { readOrchestratorSettings, type OrchestratorSettings } from '../orchestrator-settings.ts';
import type { StepName } from '../status-table.ts';
import type { DnsActivities } from './dns.ts';

/** What the step activities need; the serve/worker process wires them. */
export interface StepActivityDeps {
  readonly db: pg.Pool;
  readonly clock: Clock;
  readonly dns: DnsActivities;
  /** The project's target provider. */
  readonly provider: (projectId: string) => Promise<TargetProvider>;
  /** The target accounts the project's pairs need (passwords opened from the sealed columns). */
  readonly accounts: (projectId: string) => Promise<TargetAccountSpec[]>;
  /** More readiness checks (endpoints reachable, credentials, size limits); each returned line is a problem. */
  readonly readinessProblems?: (projectId: string) => Promise<string[]>;
  readonly logger?: StoreLogger;
}

/** What one activity sees. */
export interface StepContext {
  readonly project: ProjectFlowRow;
  readonly settings: OrchestratorSettings;
  readonly attempt: number;
  readonly now: Date;
  /** Appends a line to the step's log (portal). */
  log(level: 'info' | 'warn' | 'error', message: string, details?: Readonly<Record<string, unknown>>): Promise<void>;
}

/** One step's activity. */
export type StepActivity = (ctx: StepContext) => Promise<StepOutcome>;

/** Retry delay of a failed attempt: 1 min · 2^(attempt−1), at most 1 h. */
export function stepRetryDelayMs(attempt: number): number {
  return Math.min(3_600_000, 60_000 * 2 ** Math.max(0, attempt - 1));
}

const minutes = (now: Date, m: number): Date => new Date(now.getTime() + m * 60_000);

function failed(err: unknown, ctx: StepContext, result?: Readonly<Record<string, unknown>>): StepOutcome {
  const e = toAppError(err);
  const retry = e.retry === 'user' ? 'user' : 'transient';
  return { status: 'failed', code: e.code, retry, message: e.message, nextRunAt: retry === 'user' ? null : new Date(ctx.now.getTime() + stepRetryDelayMs(ctx.attempt)), ...(result ? { result } : {}) };
}

/** Runs `fn` for each item with at most `limit` at once. */
async function eachLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  });
  await Promise.all(lanes);
  return out;
}

/** The activities of every step that has one (tracked steps have none). */
export function createActivities(deps: StepActivityDeps): Partial<Record<StepName, StepActivity>> {
  const saveAccounts = async (projectId: string, results: readonly AccountResult[], now: Date): Promise<void> => {
    for (const r of results) {
      await saveProviderAccount(deps.db, projectId, {
        pairId: r.pairId, targetUser: r.user, status: r.outcome === 'failed' ? 'failed' : 'ready', outcome: r.outcome,
        errorCode: r.outcome === 'failed' ? r.error.code : null, errorText: r.outcome === 'failed' ? r.error.message : null, checkedAt: now,
      });
    }
  };

  return {
    async verify_target_access(ctx) {
      const provider = await deps.provider(ctx.project.id);
      await provider.verifyAccess();
      const accounts = await deps.accounts(ctx.project.id);
      const capacity = await provider.checkCapacity(accounts);
      await ctx.log('info', 'capacity', { ...capacity });
      if (!capacity.sufficient) {
        throw new AppError('PROVIDER_INSUFFICIENT_LICENCES', `${capacity.needed} accounts needed, ${capacity.available ?? 0} free`, { details: { needed: capacity.needed, available: capacity.available } });
      }
      // A provider that cannot create accounts: check now which exist, so full passes can start.
      if (!provider.createsAccounts) {
        const results = await eachLimited(accounts, 4, (a) => provider.ensureAccount(a));
        await saveAccounts(ctx.project.id, results, ctx.now);
        const bad = results.filter((r) => r.outcome === 'failed');
        for (const r of bad) await ctx.log('warn', `target account ${r.user} failed`, r.outcome === 'failed' ? { code: r.error.code, message: r.error.message } : {});
        return { status: 'succeeded', result: { accounts: results.length, failed: bad.length } };
      }
      return { status: 'succeeded', result: { ...capacity } };
    },

    async setup_migration_access(ctx) {
      await (await deps.provider(ctx.project.id)).setupMigrationAccess();
      return { status: 'succeeded' };
    },

    async verify_domain(ctx) {
      const token = ctx.project.verificationToken;
      if (token === null) throw new AppError('PROJECT_INVALID', 'the project has no verification token (was it placed?)', { details: { projectId: ctx.project.id } });
      const missing: string[] = [];
      for (const domain of ctx.project.domains) {
        const check = await deps.dns.checkTxt(domain, token);
        await saveDnsCheck(deps.db, ctx.project.id, { domain, kind: 'txt', ok: check.verified, ttlSeconds: null, answer: { records: check.records }, checkedAt: ctx.now });
        if (!check.verified) missing.push(domain);
      }
      if (missing.length === 0) return { status: 'succeeded', result: { domains: ctx.project.domains.length } };
      return { status: 'waiting', nextRunAt: minutes(ctx.now, ctx.settings.domainRecheckMinutes), result: { unverified: missing } };
    },

    async create_mailboxes(ctx) {
      const provider = await deps.provider(ctx.project.id);
      const ready = new Set((await listProviderAccounts(deps.db, ctx.project.id)).filter((a) => a.status === 'ready').map((a) => a.pairId));
      const todo = (await deps.accounts(ctx.project.id)).filter((a) => !ready.has(a.pairId));
      const results = await eachLimited(todo, 4, (a) => provider.ensureAccount(a));
      await saveAccounts(ctx.project.id, results, ctx.now);
      const bad = results.filter((r) => r.outcome === 'failed');
      for (const r of bad) await ctx.log('warn', `target account ${r.user} not created`, r.outcome === 'failed' ? { code: r.error.code, message: r.error.message } : {});
      const verdict = judgeCreations(results.length, bad.length);
      const result = { attempted: verdict.attempted, failed: verdict.failed, created: results.filter((r) => r.outcome === 'created').length };
      if (verdict.stepFails) {
        return failed(new AppError('MAILBOX_CREATION_FAILED', `${verdict.failed} of ${verdict.attempted} target accounts could not be created`, { details: result }), ctx, result);
      }
      return { status: 'succeeded', result };
    },

    async check_mx_ttl(ctx) {
      const out: Record<string, number | null> = {};
      for (const domain of ctx.project.domains) {
        const ttl = await deps.dns.readMxTtl(domain);
        const mx = ctx.settings.targetMxHosts.length > 0 ? await deps.dns.checkMx(domain, ctx.settings.targetMxHosts) : null;
        await saveDnsCheck(deps.db, ctx.project.id, { domain, kind: 'mx', ok: mx?.pointsToTarget ?? false, ttlSeconds: ttl, answer: { hosts: mx?.hosts ?? [] }, checkedAt: ctx.now });
        out[domain] = ttl;
      }
      return { status: 'succeeded', result: { ttl: out } };
    },

    async readiness_check(ctx) {
      const problems: string[] = [];
      if (ctx.settings.targetMxHosts.length === 0) problems.push('no target MX hosts are set (settings.targetMxHosts)');
      if (ctx.settings.contactEmail === null) problems.push('no contact email is set');
      const failedAccounts = (await listProviderAccounts(deps.db, ctx.project.id)).filter((a) => a.status === 'failed');
      if (failedAccounts.length > 0) problems.push(`${failedAccounts.length} target accounts are not ready (${failedAccounts.slice(0, 5).map((a) => a.targetUser).join(', ')})`);
      if (deps.readinessProblems) problems.push(...(await deps.readinessProblems(ctx.project.id)));
      if (problems.length === 0) return { status: 'succeeded' };
      for (const p of problems) await ctx.log('warn', p);
      return failed(new AppError('READINESS_FAILED', `${problems.length} readiness problems`, { details: { problems: problems.length } }), ctx, { problems });
    },

    async switch_mx(ctx) {
      const notYet: string[] = [];
      for (const domain of ctx.project.domains) {
        const mx = await deps.dns.checkMx(domain, ctx.settings.targetMxHosts);
        await saveDnsCheck(deps.db, ctx.project.id, { domain, kind: 'mx', ok: mx.pointsToTarget, ttlSeconds: null, answer: { hosts: mx.hosts }, checkedAt: ctx.now });
        if (!mx.pointsToTarget) notYet.push(domain);
      }
      if (notYet.length === 0) return { status: 'succeeded' };
      return { status: 'waiting', nextRunAt: minutes(ctx.now, ctx.settings.mxRecheckMinutes), result: { notSwitched: notYet } };
    },

    async completion(ctx) {
      await (await deps.provider(ctx.project.id)).removeMigrationAccess();
      return { status: 'succeeded' };
    },
  };
}

/**
 * A StepRunner that runs the activity in this process and records the outcome (finishStepAttempt, a
 * compare-and-set on the attempt). The worker can instead queue a task that calls `runStepAttempt`.
 */
export function createInlineStepRunner(deps: StepActivityDeps, activities = createActivities(deps)): StepRunner {
  return {
    async runStep(projectId, step, attempt) {
      await runStepAttempt(deps, activities, projectId, step, attempt);
    },
  };
}

/** Runs one claimed attempt of `step` and records its outcome; errors become a failed outcome. */
export async function runStepAttempt(deps: StepActivityDeps, activities: Partial<Record<StepName, StepActivity>>, projectId: string, step: StepName, attempt: number): Promise<StepOutcome | null> {
  const project = await getProjectFlow(deps.db, projectId);
  const activity = activities[step];
  if (!project || !activity) return null;
  const now = deps.clock.now();
  const ctx: StepContext = {
    project, settings: readOrchestratorSettings(project.settings), attempt, now,
    log: (level, message, details = {}) => appendStepLog(deps.db, projectId, { step, attempt, at: deps.clock.now(), level, message, details }),
  };
  let outcome: StepOutcome;
  try {
    outcome = await activity(ctx);
  } catch (err) {
    outcome = failed(err, ctx);
  }
  if (outcome.status === 'failed') await ctx.log('error', outcome.message, { code: outcome.code });
  await finishStepAttempt(deps.db, projectId, step, attempt, outcome, deps.clock.now());
  deps.logger?.info({ projectId, step, attempt, status: outcome.status }, 'step attempt finished');
  return outcome;
}
