/**
 * Builds a project's `ProjectSnapshot` from the database (the reconciler's input). Reads only.
 */
import type { PassKind } from '../core/ledger.ts';
import type { Db } from '../store/db.ts';
import { listAlerts } from '../store/alert.repository.ts';
import { lastNewMailAt, listPairFlow, type PairFlowRow } from '../store/pair-flow.repository.ts';
import { getProjectFlow, listDnsChecks, listEvents } from '../store/project-flow.repository.ts';
import { listSteps } from '../store/step.repository.ts';
import { readOrchestratorSettings } from './orchestrator-settings.ts';
import { gatedPairIds } from './runtime/go-decision.ts';
import type { AlertKind, DnsSnapshot, PairPassInfo, PairSnapshot, ProjectSnapshot, StepState } from './snapshot.ts';
import { isFlowStatus, isProjectStatus, isStepName } from './status-table.ts';

const PASS_KINDS: readonly string[] = ['full', 'delta', 'resync', 'final', 'sweep', 'verify'];
const FAILED = new Set(['failed']);

/** Failed passes in a row, newest first (an interrupted pass neither counts nor breaks the run). */
export function consecutiveFailures(recentStatuses: readonly string[]): number {
  let n = 0;
  for (const status of recentStatuses) {
    if (status === 'interrupted' || status === 'running') continue;
    if (!FAILED.has(status)) break;
    n++;
  }
  return n;
}

function toPairSnapshot(r: PairFlowRow): PairSnapshot {
  const lastPass: Partial<Record<PassKind, PairPassInfo>> = {};
  for (const p of r.lastPasses) {
    if (PASS_KINDS.includes(p.kind)) lastPass[p.kind as PassKind] = { startedAt: p.startedAt, status: p.status as PairPassInfo['status'] };
  }
  return { id: r.id, state: r.state, paused: r.paused, targetReady: r.targetReady, consecutiveFailures: consecutiveFailures(r.recentStatuses), lastErrorCode: r.lastErrorCode, lastPass };
}

/** The snapshot of `projectId`, or null when there is no such project. */
export async function loadSnapshot(db: Db, projectId: string): Promise<ProjectSnapshot | null> {
  const p = await getProjectFlow(db, projectId);
  if (!p) return null;
  const [steps, alerts, pairs, dnsRows, events, newMail, gated] = await Promise.all([
    listSteps(db, projectId),
    listAlerts(db, projectId),
    listPairFlow(db, projectId),
    listDnsChecks(db, projectId),
    listEvents(db, projectId),
    p.cutoverAt ? lastNewMailAt(db, projectId, p.cutoverAt) : Promise.resolve(null),
    gatedPairIds(db, projectId),
  ]);
  const dns: { txt: Record<string, DnsSnapshot['txt'][string]>; mx: Record<string, DnsSnapshot['mx'][string]> } = { txt: {}, mx: {} };
  for (const d of dnsRows) {
    if (d.kind === 'txt') dns.txt[d.domain] = { verified: d.ok, checkedAt: d.checkedAt };
    else dns.mx[d.domain] = { pointsToTarget: d.ok, ttlSeconds: d.ttlSeconds, checkedAt: d.checkedAt };
  }
  const stepStates: StepState[] = steps
    .filter((s) => isStepName(s.name))
    .map((s) => ({
      name: s.name as StepState['name'], status: s.status, attempts: s.attempts, nextRunAt: s.nextRunAt, startedAt: s.startedAt,
      plannedFor: s.plannedFor, lastErrorCode: s.lastErrorCode, lastErrorRetry: s.lastErrorRetry,
    }));
  return {
    project: {
      id: p.id, name: p.name,
      // An unknown stored status (written by hand) is treated as a hold: nothing runs until a person acts.
      status: isProjectStatus(p.status) ? p.status : 'on_hold',
      heldFrom: p.heldFrom !== null && isFlowStatus(p.heldFrom) ? p.heldFrom : null,
      statusReason: p.statusReason, statusChangedAt: p.statusChangedAt, placedAt: p.placedAt, cutoverAt: p.cutoverAt, timeZone: p.timeZone,
      domains: p.domains, paused: p.paused, verificationToken: p.verificationToken,
    },
    settings: readOrchestratorSettings(p.settings),
    steps: stepStates,
    alerts: alerts.map((a) => ({ key: a.key, kind: a.kind as AlertKind, status: a.status })),
    pairs: pairs.map((r) => (gated.has(r.id) ? { ...toPairSnapshot(r), gated: true } : toPairSnapshot(r))),
    dns,
    passes: {
      rounds: events.filter((e) => e.kind === 'round' && e.passKind !== null && PASS_KINDS.includes(e.passKind)).map((e) => ({ key: e.key, kind: e.passKind as PassKind, startedAt: e.at })),
      lastNewMailAt: newMail,
    },
    events: new Set(events.map((e) => e.key)),
  };
}
