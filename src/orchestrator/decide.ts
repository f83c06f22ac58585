/**
 * The reconciler's decision: `decide(snapshot, now)` is a PURE function of a project's stored state and
 * the time; it returns the actions that move the project on (DESIGN.md "The orchestrator is a
 * reconciler"). `apply-actions.ts` carries them out idempotently; a periodic tick (and every relevant
 * event) runs load → decide → apply. docs/status-flow.md describes every rule implemented here.
 */
import type { Action } from './actions.ts';
import { nextStepAction, stepFailureAlerts, stepState, stepSucceeded } from './decide-steps.ts';
import { continueRound, findRound, initialFullPasses, isRoundComplete, latestRound, pairAlerts, runRound } from './decide-passes.ts';
import { dueResync, planKey, planSchedule, plusHours, type Schedule } from './schedule.ts';
import type { ProjectSnapshot } from './snapshot.ts';
import { isAtOrPast, isFlowStatus, stepSpec, type FlowStatus, type StepName } from './status-table.ts';

/** What one status rule sees. */
interface Ctx {
  readonly s: ProjectSnapshot;
  readonly now: Date;
  readonly T: Date;
  readonly plan: Schedule;
}

/** The next actions for the project at `now`. Empty for draft, on_hold, cancelled and paused projects. */
export function decide(state: ProjectSnapshot, now: Date): Action[] {
  const { project } = state;
  if (!isFlowStatus(project.status) || project.status === 'draft') return [];
  if (project.paused || project.cutoverAt === null || project.placedAt === null) return [];
  const T = project.cutoverAt;
  const plan = planSchedule({ placedAt: project.placedAt, cutoverAt: T, timeZone: project.timeZone, settings: state.settings });
  const ctx: Ctx = { s: state, now, T, plan };
  const status = project.status;

  const actions: Action[] = [...stepFailureAlerts(state), ...contactAlert(state)];
  if (isAtOrPast(status, 'domain_setup') && status !== 'complete') actions.push(...pairAlerts(state, state.settings));
  actions.push(...trackedStepsStart(state, status));
  actions.push(...RULES[status](ctx));
  return dedupe(state, actions);
}

type Rule = (ctx: Ctx) => Action[];

const RULES: Readonly<Record<Exclude<FlowStatus, 'draft'>, Rule>> = {
  provisioning(ctx) {
    const out = steps(ctx, ['verify_target_access', 'setup_migration_access']);
    if (stepSucceeded(ctx.s, 'verify_target_access') && stepSucceeded(ctx.s, 'setup_migration_access')) out.push(move(ctx, 'domain_setup'));
    return out;
  },

  domain_setup(ctx) {
    const out = [...initialFullPasses(ctx.s)];
    const key = 'notify:txt_instructions';
    if (ctx.s.events.has(key)) out.push(move(ctx, 'domain_verification'));
    else out.push({ type: 'sendNotification', notification: 'txt_instructions', audience: 'contact', key });
    return out;
  },

  domain_verification(ctx) {
    const out = [...initialFullPasses(ctx.s), ...steps(ctx, ['verify_domain'])];
    if (stepSucceeded(ctx.s, 'verify_domain')) {
      out.push(move(ctx, 'creating_mailboxes'));
    } else if (ctx.now.getTime() >= ctx.plan.domainHoldAt.getTime()) {
      // Once per T: after a person resumes the project, it is not held again for the same T.
      const key = planKey('hold:domain_unverified', ctx.T);
      if (!ctx.s.events.has(key)) {
        const reason = `domain not verified by T−48h (${ctx.s.project.domains.join(', ')})`;
        out.push({ type: 'raiseAlert', kind: 'domain_unverified', key, message: reason, details: { domains: ctx.s.project.domains.join(',') } });
        out.push({ type: 'hold', from: 'domain_verification', reason, key });
      }
    }
    return out;
  },

  creating_mailboxes(ctx) {
    const out = [...initialFullPasses(ctx.s), ...steps(ctx, ['create_mailboxes'])];
    if (stepSucceeded(ctx.s, 'create_mailboxes')) out.push(move(ctx, 'waiting_for_cutover'));
    return out;
  },

  waiting_for_cutover(ctx) {
    const { s, now, T, plan } = ctx;
    if (now.getTime() >= T.getTime()) {
      return [{ type: 'markStep', step: 'schedule_resyncs', status: 'succeeded' }, move(ctx, 'switching_mx')];
    }
    const out = [...initialFullPasses(s)];
    const started = s.passes.rounds.filter((r) => r.kind === 'resync').map((r) => r.startedAt);
    const due = dueResync(plan.resyncs, started, T, now);
    if (due) {
      out.push(...runRound(s, 'resync', due.key));
    } else {
      const last = latestRound(s, ['resync']);
      if (last && !isRoundComplete(s, last)) out.push(...continueRound(s, last));
    }
    const ttl = nextStepAction(s, 'check_mx_ttl', now, { notBefore: plan.ttlAdviceAt, plannedFor: T, replanOnMove: true });
    if (ttl) out.push(ttl);
    if (stepSucceeded(s, 'check_mx_ttl', T) && Object.values(s.dns.mx).some((mx) => mx.ttlSeconds !== null && mx.ttlSeconds > s.settings.maxMxTtlSeconds)) {
      out.push({ type: 'sendNotification', notification: 'ttl_advice', audience: 'contact', key: planKey('notify:ttl_advice', T) });
    }
    if (s.settings.notifyEndUsers && now.getTime() >= plan.userNoticeAt.getTime()) {
      out.push({ type: 'sendNotification', notification: 'switch_coming', audience: 'users', key: planKey('notify:switch_coming', T) });
    }
    const readiness = nextStepAction(s, 'readiness_check', now, { notBefore: plan.readinessAt, plannedFor: T, replanOnMove: true });
    if (readiness) out.push(readiness);
    const r = stepState(s, 'readiness_check');
    if (r.status === 'failed' && r.plannedFor?.getTime() === T.getTime()) {
      out.push({ type: 'sendNotification', notification: 'readiness_problems', audience: 'contact', key: planKey('notify:readiness_problems', T) });
    }
    return out;
  },

  switching_mx(ctx) {
    const out = [...mxRules(ctx)];
    out.push({ type: 'sendNotification', notification: 'dns_change', audience: 'contact', key: planKey('notify:dns_change', ctx.T) });
    if (stepSucceeded(ctx.s, 'switch_mx') || ctx.now.getTime() >= ctx.plan.mxWindowEndsAt.getTime()) out.push(move(ctx, 'migrating'));
    return out;
  },

  migrating(ctx) {
    const { s, T } = ctx;
    const out = [...mxRules(ctx)];
    if (s.settings.notifyEndUsers) out.push({ type: 'sendNotification', notification: 'switch_done', audience: 'users', key: planKey('notify:switch_done', T) });
    const key = planKey('final', T);
    out.push(...runRound(s, 'final', key));
    const round = findRound(s, key);
    if (round && isRoundComplete(s, round)) {
      out.push({ type: 'markStep', step: 'final_passes', status: 'succeeded' }, move(ctx, 'sweeping'));
    }
    return out;
  },

  sweeping(ctx) {
    const { s, now, T, plan } = ctx;
    const out = [...mxRules(ctx)];
    // The first round after the finals is a delta (it retries what failed); then sweeps.
    const deltaKey = planKey('delta', T);
    if (!findRound(s, deltaKey)) return [...out, ...runRound(s, 'delta', deltaKey)];
    const latest = latestRound(s, ['delta', 'sweep']);
    if (!latest) return out;
    if (!isRoundComplete(s, latest)) return [...out, ...continueRound(s, latest)];
    const sweepCount = s.passes.rounds.filter((r) => r.kind === 'sweep').length;
    const nextSweep = (): Action[] => runRound(s, 'sweep', planKey(`sweep:${sweepCount + 1}`, T));
    if (now.getTime() >= plan.completionEarliestAt.getTime()) {
      // The quiet period must be seen by a round that started at or after T+5d.
      if (latest.startedAt.getTime() < plan.completionEarliestAt.getTime()) return [...out, ...nextSweep()];
      const lastMail = s.passes.lastNewMailAt ?? T;
      const quietMs = latest.startedAt.getTime() - Math.max(lastMail.getTime(), T.getTime());
      if (quietMs >= s.settings.quietPeriodHours * 3_600_000) {
        out.push({ type: 'sendNotification', notification: 'all_passes_done', audience: 'contact', key: planKey('notify:all_passes_done', T) });
        out.push({ type: 'markStep', step: 'sweeps', status: 'succeeded' }, move(ctx, 'complete'));
        return out;
      }
    }
    if (now.getTime() >= plusHours(latest.startedAt, s.settings.sweepIntervalHours).getTime()) out.push(...nextSweep());
    return out;
  },

  complete(ctx) {
    const out = steps(ctx, ['completion']);
    if (stepSucceeded(ctx.s, 'completion')) out.push({ type: 'sendNotification', notification: 'completion', audience: 'contact', key: 'notify:completion' });
    return out;
  },
};

/** The status change from the current status to `to`. */
function move(ctx: Ctx, to: FlowStatus): Action {
  return { type: 'changeStatus', from: ctx.s.project.status, to };
}

/** Start/retry actions for action and poll steps (planned for the current T). */
function steps(ctx: Ctx, names: readonly StepName[]): Action[] {
  const out: Action[] = [];
  for (const name of names) {
    const a = nextStepAction(ctx.s, name, ctx.now, { plannedFor: ctx.T });
    if (a) out.push(a);
  }
  return out;
}

/** MX rules from switching_mx to sweeping: keep checking until switched; alert at T+15min; resolve after. */
function mxRules(ctx: Ctx): Action[] {
  const out: Action[] = [];
  const key = planKey('mx_not_switched', ctx.T);
  if (stepSucceeded(ctx.s, 'switch_mx')) {
    if (ctx.s.alerts.some((a) => a.key === key && a.status !== 'resolved')) out.push({ type: 'resolveAlert', key });
    return out;
  }
  const check = nextStepAction(ctx.s, 'switch_mx', ctx.now, { plannedFor: ctx.T });
  if (check) out.push(check);
  if (ctx.now.getTime() >= ctx.plan.mxAlertAt.getTime()) {
    out.push({ type: 'raiseAlert', kind: 'mx_not_switched', key, message: 'the MX record does not point to the target 15 minutes after the cutover', details: { domains: ctx.s.project.domains.join(',') } });
  }
  return out;
}

/** Tracked steps of the current status are shown as running. */
function trackedStepsStart(s: ProjectSnapshot, status: FlowStatus): Action[] {
  const names: StepName[] = ['schedule_resyncs', 'final_passes', 'sweeps'];
  return names
    .filter((n) => stepSpec(n).status === status && stepState(s, n).status === 'pending')
    .map((n) => ({ type: 'markStep', step: n, status: 'running' }) as const);
}

/** An alert while no contact email is set (partner emails cannot go out); resolved once it is. */
function contactAlert(s: ProjectSnapshot): Action[] {
  const key = 'contact_missing';
  if (s.settings.contactEmail === null) return [{ type: 'raiseAlert', kind: 'contact_missing', key, message: 'the project has no contact email: partner notifications cannot be sent' }];
  return s.alerts.some((a) => a.key === key && a.status !== 'resolved') ? [{ type: 'resolveAlert', key }] : [];
}

/** Drops actions the stored state shows as done already, so a steady project yields no actions. */
function dedupe(s: ProjectSnapshot, actions: Action[]): Action[] {
  const alertKeys = new Set(s.alerts.map((a) => a.key));
  return actions.filter((a) => {
    switch (a.type) {
      case 'raiseAlert':
        return !alertKeys.has(a.key);
      case 'sendNotification':
      case 'recordEvent':
        return !s.events.has(a.key);
      case 'markStep':
        return stepState(s, a.step).status !== a.status;
      default:
        return true;
    }
  });
}
